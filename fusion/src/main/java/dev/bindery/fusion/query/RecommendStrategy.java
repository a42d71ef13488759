package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a {@link Recommend} turns its examples into a ranking (docs/fusion.md, "Recommend"). Both
 * leave the examples themselves out of the results.
 */
public enum RecommendStrategy {
  /**
   * One kNN search for {@code q = mean(P) + (mean(P) - mean(N))}: start at the positives' centroid
   * and step away from the negatives' centroid by the distance between the two ({@code q = mean(P)}
   * without negatives); unit length in cosine and dot spaces. Scores are the space's own similarity
   * to {@code q}.
   */
  AVERAGE_VECTOR("average_vector"),
  /**
   * Each candidate is scored by its best similarity to any positive, {@code sp}; when it is at
   * least as similar to some negative ({@code sn >= sp}) it scores {@code -1 - (sn - sp)} instead,
   * below every candidate that leans to a positive. Candidates are each positive's nearest items.
   */
  BEST_SCORE("best_score");

  private final String wireName;

  RecommendStrategy(String wireName) {
    this.wireName = wireName;
  }

  /** The name in JSON and in the expression syntax ({@code strategy=best_score}). */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name, rejecting anything else with the names that are accepted. */
  public static RecommendStrategy fromName(String name) {
    if (name == null) {
      throw new BadArgumentException("recommend strategy must not be null");
    }
    String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    for (RecommendStrategy s : values()) {
      if (s.wireName.equals(n)) {
        return s;
      }
    }
    throw new BadArgumentException(
        "unknown recommend strategy '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(RecommendStrategy::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName;
  }
}
