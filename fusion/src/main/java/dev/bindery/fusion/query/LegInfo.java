package dev.bindery.fusion.query;

import dev.bindery.indexer.SearchResult;

/**
 * What one leg of a search did.
 *
 * @param kind {@code knn}, {@code recommend} or {@code bm25}
 * @param space the kNN or recommend leg's space, or null for BM25
 * @param strategy how the backend found the hits
 * @param visited vector comparisons (0 for BM25)
 * @param hits hits the leg returned
 */
public record LegInfo(
    String kind, String space, SearchResult.Strategy strategy, long visited, int hits) {}
