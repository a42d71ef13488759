package dev.bindery.indexer;

import java.util.List;

/**
 * Hits plus what the engine did to find them.
 *
 * @param hits ranked hits (score descending, id ascending)
 * @param strategy how the hits were found
 * @param visited vector comparisons made in graph or exact search (Lucene's visited count)
 * @param segments index segments (Lucene leaves) searched
 * @param exactSegments of those, segments answered by exact search (a selective filter, a small
 *     segment, or graph search running out of its visit budget)
 * @param rescored candidates rescored with full-precision vectors (0 when no rescoring)
 */
public record SearchResult(
    List<Hit> hits,
    Strategy strategy,
    long visited,
    int segments,
    int exactSegments,
    int rescored) {

  /** How a result was computed. */
  public enum Strategy {
    /** Every segment answered by HNSW graph search. */
    HNSW,
    /** HNSW in some segments, exact search in others (Lucene's filtered-search fallback). */
    HNSW_WITH_EXACT_FALLBACK,
    /** Exact search everywhere, either asked for or chosen because the filter was selective. */
    EXACT,
    /** BM25 over text fields. */
    BM25
  }

  public SearchResult {
    hits = List.copyOf(hits);
  }

  /**
   * This result without the hits scoring below {@code minScore} (null: this result). Backends apply
   * a query's threshold with it after ranking: the k best hits at or above a threshold are the hits
   * at or above it among the k best, because the threshold is on the ranking score.
   */
  public SearchResult atLeast(Double minScore) {
    if (minScore == null) {
      return this;
    }
    List<Hit> kept = hits.stream().filter(h -> h.score() >= minScore).toList();
    return kept.size() == hits.size()
        ? this
        : new SearchResult(kept, strategy, visited, segments, exactSegments, rescored);
  }
}
