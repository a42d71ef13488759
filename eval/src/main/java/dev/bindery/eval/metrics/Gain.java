package dev.bindery.eval.metrics;

import java.util.Arrays;
import java.util.Locale;

/** How a relevance grade becomes a gain in DCG. */
public enum Gain {
  /**
   * {@code 2^grade - 1} (Burges et al. 2005; trec_eval's and most learning-to-rank libraries'
   * choice): a grade-3 item is worth 7 grade-1 items. The default.
   */
  EXPONENTIAL,
  /** {@code grade} itself (Järvelin and Kekäläinen's original DCG). */
  LINEAR;

  /** The gain of one grade. */
  public double of(int grade) {
    if (grade < 0) {
      throw new IllegalArgumentException("grade must be >= 0, got " + grade);
    }
    return this == EXPONENTIAL ? Math.pow(2, grade) - 1 : grade;
  }

  /** Parses {@code exponential} or {@code linear}, naming the valid values otherwise. */
  public static Gain fromName(String name) {
    for (Gain g : values()) {
      if (g.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return g;
      }
    }
    throw new IllegalArgumentException(
        "unknown gain '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(g -> g.name().toLowerCase(Locale.ROOT)).toList());
  }
}
