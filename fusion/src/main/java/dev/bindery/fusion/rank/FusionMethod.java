package dev.bindery.fusion.rank;

import dev.bindery.indexer.BadArgumentException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the legs of a query are combined into one ranking. */
public enum FusionMethod {
  /** Reciprocal rank fusion: {@code sum_leg weight / (rrfK + rank)}; scores are not in [0,1]. */
  RRF("rrf"),
  /** Per-leg normalized raw scores (min-max or z-score), weighted mean over the legs; in [0,1]. */
  WEIGHTED("weighted"),
  /** Distribution-based score fusion (Qdrant's DBSF), weighted mean over the legs; in [0,1]. */
  DBSF("dbsf");

  private final String wireName;

  FusionMethod(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in expressions, JSON and the CLI. */
  public String wireName() {
    return wireName;
  }

  /** Whether fused scores of this method lie in [0,1]. */
  public boolean normalized() {
    return this != RRF;
  }

  /**
   * The method with this wire name (case-insensitive, surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the input and the valid names when it is unknown
   */
  public static FusionMethod fromName(String name) {
    if (name != null) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      for (FusionMethod m : values()) {
        if (m.wireName.equals(n)) {
          return m;
        }
      }
    }
    throw new BadArgumentException("unknown fusion method '" + name + "'; valid: " + validNames());
  }

  static String validNames() {
    return Arrays.stream(values()).map(FusionMethod::wireName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
