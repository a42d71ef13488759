package dev.bindery.fusion.query;

import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.KnnQuery;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How to run a {@link QuerySpec}: how many hits, the metadata filter every leg shares, how legs
 * fuse, whether to diversify with MMR, and whether to explain.
 *
 * @param k hits wanted, 1..{@value KnnQuery#MAX_K}
 * @param filter pre-filter applied to every leg, or null
 * @param fusion how legs are fused when a query has two or more (default RRF with k = 60)
 * @param mmrLambda MMR's lambda in [0,1] to diversify the fused candidates, or null for none
 * @param candidates hits fetched per leg before fusion or MMR; 0 means {@code max(k, 50)} when
 *     fusing or diversifying, else {@code k}; never below k
 * @param bm25Fields text fields the BM25 leg searches; empty means all
 * @param explain whether each hit carries its explain map
 * @param minScore hits whose final score (the fused score when legs fuse, else the leg's own score)
 *     is below this are left out; null for none
 * @param legMinScores per leg name ({@code knn:<space>}, {@code bm25}), the raw leg score a hit
 *     needs to enter fusion at all; legs not named have no threshold
 * @param offset hits of the ranking skipped before the k returned; {@code offset + k} is at most
 *     {@value KnnQuery#MAX_K}
 * @param after the cursor of the previous page (search-after), or null; excludes {@code offset}
 * @param facets the facets to count, or null for none
 */
public record SearchOptions(
    int k,
    Filter filter,
    FusionConfig fusion,
    Double mmrLambda,
    int candidates,
    List<String> bm25Fields,
    boolean explain,
    Double minScore,
    Map<String, Double> legMinScores,
    int offset,
    SearchCursor after,
    FacetRequest facets) {

  /** Per-leg depth used when fusing or diversifying and {@link #candidates} is 0. */
  public static final int DEFAULT_CANDIDATES = 50;

  public SearchOptions {
    if (k < 1 || k > KnnQuery.MAX_K) {
      throw new BadArgumentException("k must be in 1.." + KnnQuery.MAX_K + ", got " + k);
    }
    fusion = fusion == null ? FusionConfig.rrf() : fusion;
    if (mmrLambda != null && !(mmrLambda >= 0 && mmrLambda <= 1)) {
      throw new BadArgumentException("MMR lambda must be in [0,1], got " + mmrLambda);
    }
    if (candidates < 0 || candidates > KnnQuery.MAX_K) {
      throw new BadArgumentException(
          "candidates must be in 0.." + KnnQuery.MAX_K + ", got " + candidates);
    }
    bm25Fields = bm25Fields == null ? List.of() : List.copyOf(bm25Fields);
    if (minScore != null && !Double.isFinite(minScore)) {
      throw new BadArgumentException("min_score must be a finite number, got " + minScore);
    }
    TreeMap<String, Double> legs = new TreeMap<>();
    if (legMinScores != null) {
      legMinScores.forEach(
          (leg, min) -> {
            if (leg == null || min == null || !Double.isFinite(min)) {
              throw new BadArgumentException(
                  "leg min score of leg '" + leg + "' must be a finite number, got " + min);
            }
            legs.put(leg, min);
          });
    }
    legMinScores = java.util.Collections.unmodifiableMap(legs);
    if (offset < 0) {
      throw new BadArgumentException("offset must be >= 0, got " + offset);
    }
    if (offset > 0 && after != null) {
      throw new BadArgumentException(
          "offset and cursor exclude each other: a cursor already says where the page starts");
    }
    int start = after == null ? offset : after.position();
    if ((long) start + k > KnnQuery.MAX_K) {
      throw new BadArgumentException(
          "paging goes at most "
              + KnnQuery.MAX_K
              + " hits deep: "
              + (after == null ? "offset " : "cursor position ")
              + start
              + " + k "
              + k
              + " = "
              + (start + k));
    }
    if (mmrLambda != null && (offset > 0 || after != null)) {
      throw new BadArgumentException(
          "offset and cursor cannot be combined with MMR: MMR's order is not a score order, so"
              + " pages of it cannot be cut by score; diversify the first page only");
    }
  }

  /** Options without thresholds or paging. */
  public SearchOptions(
      int k,
      Filter filter,
      FusionConfig fusion,
      Double mmrLambda,
      int candidates,
      List<String> bm25Fields,
      boolean explain) {
    this(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        null,
        Map.of(),
        0,
        null,
        null);
  }

  /** The k best hits, no filter, RRF, no MMR, no explain. */
  public static SearchOptions of(int k) {
    return new SearchOptions(k, null, null, null, 0, List.of(), false);
  }

  /** This with a threshold on the final score (null for none). */
  public SearchOptions withMinScore(Double min) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        min,
        legMinScores,
        offset,
        after,
        facets);
  }

  /** This with per-leg thresholds on raw leg scores, applied before fusion. */
  public SearchOptions withLegMinScores(Map<String, Double> mins) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        mins,
        offset,
        after,
        facets);
  }

  /** This page: skip {@code n} hits. */
  public SearchOptions withOffset(int n) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        n,
        after,
        facets);
  }

  /** The page after {@code cursor} (null: the first page). */
  public SearchOptions withCursor(SearchCursor cursor) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        offset,
        cursor,
        facets);
  }

  /** This with facets (null for none). */
  public SearchOptions withFacets(FacetRequest f) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        offset,
        after,
        f);
  }

  /** Where this page starts in the ranking: the offset, or the cursor's position. */
  public int start() {
    return after == null ? offset : after.position();
  }

  public SearchOptions withFilter(Filter f) {
    return new SearchOptions(
        k,
        f,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        offset,
        after,
        facets);
  }

  public SearchOptions withFusion(FusionConfig f) {
    return new SearchOptions(
        k,
        filter,
        Objects.requireNonNull(f, "fusion"),
        mmrLambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        offset,
        after,
        facets);
  }

  public SearchOptions withMmr(double lambda) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        lambda,
        candidates,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        offset,
        after,
        facets);
  }

  public SearchOptions withCandidates(int n) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        n,
        bm25Fields,
        explain,
        minScore,
        legMinScores,
        offset,
        after,
        facets);
  }

  public SearchOptions withBm25Fields(List<String> fields) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        fields,
        explain,
        minScore,
        legMinScores,
        offset,
        after,
        facets);
  }

  public SearchOptions withExplain(boolean e) {
    return new SearchOptions(
        k,
        filter,
        fusion,
        mmrLambda,
        candidates,
        bm25Fields,
        e,
        minScore,
        legMinScores,
        offset,
        after,
        facets);
  }

  /**
   * Hits fetched per leg. A single leg fetches down to the end of this page ({@link #start()} + k);
   * its ranking does not depend on how deep it goes, so pages cut from it agree. A fused or
   * diversified query fetches {@code max(k, candidates)} (default {@value #DEFAULT_CANDIDATES}) per
   * leg whatever the page, or the first page's depth carried in the cursor, because fused scores
   * depend on how deep the legs went: every page of it cuts the same fused list, which ends where
   * the legs' candidates end.
   */
  int legDepth(boolean fusingOrDiversifying) {
    int facetHits = facets == null ? 0 : facets.topHits();
    if (!fusingOrDiversifying) {
      return Math.max(Math.max(start() + k, candidates), facetHits);
    }
    if (after != null) {
      return after.legDepth();
    }
    return Math.max(Math.max(k, facetHits), candidates > 0 ? candidates : DEFAULT_CANDIDATES);
  }
}
