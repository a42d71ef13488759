package dev.bindery.fusion.rank;

import dev.bindery.indexer.Hit;
import dev.bindery.indexer.SearchResult;
import java.util.List;
import java.util.Objects;

/**
 * One leg's ranked hits, best first, with what the backend did to find them.
 *
 * @param leg the leg's name, unique within a query (used for weights and explain)
 * @param hits hits ranked best first; position {@code i} (0-based) has rank {@code i + 1}
 * @param strategy how the backend found the hits
 * @param visited vector comparisons the backend made (0 for BM25)
 */
public record LegResult(String leg, List<Hit> hits, SearchResult.Strategy strategy, long visited) {

  public LegResult {
    Objects.requireNonNull(leg, "leg");
    if (leg.isBlank()) {
      throw new IllegalArgumentException("leg name must not be blank: '" + leg + "'");
    }
    Objects.requireNonNull(hits, "hits of leg " + leg);
    Objects.requireNonNull(strategy, "strategy of leg " + leg);
    if (visited < 0) {
      throw new IllegalArgumentException("visited must be >= 0 in leg " + leg + ": " + visited);
    }
    for (int i = 0; i < hits.size(); i++) {
      if (hits.get(i) == null) {
        throw new IllegalArgumentException("leg " + leg + " has a null hit at position " + i);
      }
    }
    hits = List.copyOf(hits);
  }

  /** A leg from a backend result. */
  public static LegResult of(String leg, SearchResult result) {
    Objects.requireNonNull(result, "result of leg " + leg);
    return new LegResult(leg, result.hits(), result.strategy(), result.visited());
  }

  @Override
  public String toString() {
    return "LegResult["
        + leg
        + ", "
        + hits.size()
        + " hits, "
        + strategy
        + ", visited="
        + visited
        + "]";
  }
}
