package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.KnnQuery;
import java.util.HashSet;
import java.util.List;

/**
 * Which facets a search returns and over which items.
 *
 * @param fields metadata fields to count, at least one, no duplicates
 * @param size keyword values listed per facet, 1..{@value Facet#MAX_VALUES} (0: {@value
 *     Facet#DEFAULT_VALUES})
 * @param topHits 0: count over every item that passes the search's filter (the whole collection
 *     when there is none); N > 0: count over the top N hits of the ranking (after thresholds)
 */
public record FacetRequest(List<String> fields, int size, int topHits) {
  public FacetRequest {
    if (fields == null || fields.isEmpty()) {
      throw new BadArgumentException("facets need at least one metadata field");
    }
    fields = List.copyOf(fields);
    if (new HashSet<>(fields).size() != fields.size()) {
      throw new BadArgumentException("facet fields are named twice: " + fields);
    }
    size = size == 0 ? Facet.DEFAULT_VALUES : size;
    if (size < 1 || size > Facet.MAX_VALUES) {
      throw new BadArgumentException(
          "facet size must be in 1.." + Facet.MAX_VALUES + ", got " + size);
    }
    if (topHits < 0 || topHits > KnnQuery.MAX_K) {
      throw new BadArgumentException(
          "facet top hits must be in 0.." + KnnQuery.MAX_K + ", got " + topHits);
    }
  }

  /** Facets over every item that passes the filter. */
  public static FacetRequest of(String... fields) {
    return new FacetRequest(List.of(fields), 0, 0);
  }
}
