package dev.bindery.fusion.rank;

import dev.bindery.indexer.BadArgumentException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How {@link FusionMethod#WEIGHTED} maps one leg's raw scores into [0,1] before weighting. Both are
 * computed over the hits the leg returned; a hit missing from a leg contributes 0 there.
 */
public enum Normalization {
  /**
   * {@code (s - min) / (max - min)}: the leg's best hit gets 1, its worst 0. When every hit of the
   * leg has the same score (including a single hit) each gets 1, since each is the leg's best.
   */
  MIN_MAX("minmax"),
  /**
   * The logistic of the z-score, {@code 1 / (1 + exp(-(s - mean) / std))}, with the population
   * standard deviation of the leg's scores. The leg's mean maps to 0.5; a leg whose scores are all
   * equal (std 0, including a single hit) maps every hit to 0.5. The logistic keeps values in
   * (0,1), so a hit the leg did not return (0) always ranks below one it did.
   */
  Z_SCORE("zscore");

  private final String wireName;

  Normalization(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in expressions, JSON and the CLI. */
  public String wireName() {
    return wireName;
  }

  /**
   * The normalization with this wire name (case-insensitive, surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the input and the valid names when it is unknown
   */
  public static Normalization fromName(String name) {
    if (name != null) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      for (Normalization m : values()) {
        if (m.wireName.equals(n)) {
          return m;
        }
      }
    }
    throw new BadArgumentException(
        "unknown normalization '"
            + name
            + "'; valid: "
            + Arrays.stream(values())
                .map(Normalization::wireName)
                .collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
