package dev.bindery.indexer;

/** Which kNN algorithm a query asks for. */
public enum SearchMode {
  /** HNSW graph search; Lucene switches to exact search per segment when a filter is selective. */
  AUTO,
  /** Exact brute-force scoring of every (filtered) vector: slow, perfect recall, the reference. */
  EXACT
}
