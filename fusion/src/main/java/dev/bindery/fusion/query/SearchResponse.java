package dev.bindery.fusion.query;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to a search.
 *
 * @param hits ranked hits (fused score descending, then id; MMR order when diversified)
 * @param tookMs time from query to answer, milliseconds (embedding included)
 * @param legs what each leg did, by leg name, in query order
 * @param nextCursor the cursor of the next page ({@link SearchCursor#encode()}), or null when this
 *     page was not full (nothing follows) or the query was diversified with MMR
 * @param facets the facets asked for, by field in the order asked (empty when none were)
 */
public record SearchResponse(
    List<ResultHit> hits,
    long tookMs,
    Map<String, LegInfo> legs,
    String nextCursor,
    Map<String, Facet> facets) {
  public SearchResponse {
    hits = List.copyOf(hits);
    legs = Collections.unmodifiableMap(new LinkedHashMap<>(legs));
    facets = facets == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(facets));
  }

  /** A response without a next page or facets. */
  public SearchResponse(List<ResultHit> hits, long tookMs, Map<String, LegInfo> legs) {
    this(hits, tookMs, legs, null, Map.of());
  }
}
