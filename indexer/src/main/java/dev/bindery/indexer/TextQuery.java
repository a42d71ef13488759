package dev.bindery.indexer;

import java.util.List;
import java.util.Objects;

/**
 * A BM25 query over the items' text fields (one leg of a hybrid search).
 *
 * @param query free text; words are OR-ed and scored with BM25
 * @param fields text fields to search; empty means every text field the collection has seen
 * @param k hits wanted
 * @param filter pre-filter, or null
 * @param minScore hits with a BM25 score below this are left out (fewer than k, or none); null for
 *     no threshold
 */
public record TextQuery(String query, List<String> fields, int k, Filter filter, Double minScore) {
  public TextQuery {
    Objects.requireNonNull(query, "query");
    if (query.isBlank()) {
      throw new BadArgumentException("text query must not be blank");
    }
    fields = fields == null ? List.of() : List.copyOf(fields);
    fields.forEach(f -> Names.checkName("text field", f));
    if (k < 1 || k > KnnQuery.MAX_K) {
      throw new BadArgumentException("k must be in 1.." + KnnQuery.MAX_K + ", got " + k);
    }
    KnnQuery.checkMinScore(minScore);
  }

  /** A query without a score threshold. */
  public TextQuery(String query, List<String> fields, int k, Filter filter) {
    this(query, fields, k, filter, null);
  }

  public static TextQuery of(String query, int k) {
    return new TextQuery(query, List.of(), k, null);
  }
}
