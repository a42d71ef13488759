package dev.bindery.fusion.rank;

import dev.bindery.indexer.SearchResult;
import java.util.Objects;

/**
 * One leg's part in a hit's {@link Explanation}.
 *
 * @param score the leg's rank, raw and normalized score for the hit ({@link LegScore#ABSENT} when
 *     the leg did not return it)
 * @param strategy how the leg's backend search ran, or null when the leg's result was not given
 * @param visited vector comparisons of the leg's search, or null with {@code strategy}
 */
public record LegExplanation(LegScore score, SearchResult.Strategy strategy, Long visited) {

  public LegExplanation {
    Objects.requireNonNull(score, "score");
    if ((strategy == null) != (visited == null)) {
      throw new IllegalArgumentException(
          "strategy and visited come together from a leg result, got " + strategy + ", " + visited);
    }
  }
}
