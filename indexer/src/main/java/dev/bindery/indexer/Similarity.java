package dev.bindery.indexer;

import java.util.Arrays;
import java.util.Locale;

/** How two vectors of a space are compared; higher scores are always better. */
public enum Similarity {
  /** Cosine of the angle; vectors are L2-normalized on the way in, zero vectors are rejected. */
  COSINE("cosine"),
  /** Raw inner product; callers promise unit-length vectors (Lucene requires it). */
  DOT_PRODUCT("dot"),
  /** Euclidean distance, reported as 1 / (1 + squared distance). */
  L2("l2");

  private final String wireName;

  Similarity(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in JSON, manifests and the CLI. */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name ({@code cosine}, {@code dot}, {@code l2}), rejecting anything else. */
  public static Similarity fromName(String name) {
    if (name == null) {
      throw new BadArgumentException("similarity must not be null");
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Similarity s : values()) {
      if (s.wireName.equals(n) || s.name().toLowerCase(Locale.ROOT).equals(n)) {
        return s;
      }
    }
    if (n.equals("euclidean")) {
      return L2;
    }
    throw new BadArgumentException(
        "unknown similarity '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(Similarity::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName;
  }
}
