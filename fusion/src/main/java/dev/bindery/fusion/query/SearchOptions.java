package dev.bindery.fusion.query;

import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.KnnQuery;
import java.util.List;
import java.util.Objects;

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
 */
public record SearchOptions(
    int k,
    Filter filter,
    FusionConfig fusion,
    Double mmrLambda,
    int candidates,
    List<String> bm25Fields,
    boolean explain) {

  /** Per-leg depth used when fusing or diversifying and {@link #candidates} is 0. */
  public static final int DEFAULT_CANDIDATES = 50;

  public SearchOptions {
    if (k < 1 || k > KnnQuery.MAX_K) {
      throw new IllegalArgumentException("k must be in 1.." + KnnQuery.MAX_K + ", got " + k);
    }
    fusion = fusion == null ? FusionConfig.rrf() : fusion;
    if (mmrLambda != null && !(mmrLambda >= 0 && mmrLambda <= 1)) {
      throw new IllegalArgumentException("MMR lambda must be in [0,1], got " + mmrLambda);
    }
    if (candidates < 0 || candidates > KnnQuery.MAX_K) {
      throw new IllegalArgumentException(
          "candidates must be in 0.." + KnnQuery.MAX_K + ", got " + candidates);
    }
    bm25Fields = bm25Fields == null ? List.of() : List.copyOf(bm25Fields);
  }

  /** The k best hits, no filter, RRF, no MMR, no explain. */
  public static SearchOptions of(int k) {
    return new SearchOptions(k, null, null, null, 0, List.of(), false);
  }

  public SearchOptions withFilter(Filter f) {
    return new SearchOptions(k, f, fusion, mmrLambda, candidates, bm25Fields, explain);
  }

  public SearchOptions withFusion(FusionConfig f) {
    return new SearchOptions(
        k, filter, Objects.requireNonNull(f, "fusion"), mmrLambda, candidates, bm25Fields, explain);
  }

  public SearchOptions withMmr(double lambda) {
    return new SearchOptions(k, filter, fusion, lambda, candidates, bm25Fields, explain);
  }

  public SearchOptions withCandidates(int n) {
    return new SearchOptions(k, filter, fusion, mmrLambda, n, bm25Fields, explain);
  }

  public SearchOptions withBm25Fields(List<String> fields) {
    return new SearchOptions(k, filter, fusion, mmrLambda, candidates, fields, explain);
  }

  public SearchOptions withExplain(boolean e) {
    return new SearchOptions(k, filter, fusion, mmrLambda, candidates, bm25Fields, e);
  }

  /** Hits fetched per leg. */
  int legDepth(boolean fusingOrDiversifying) {
    if (candidates > 0) {
      return Math.max(k, candidates);
    }
    return fusingOrDiversifying ? Math.max(k, DEFAULT_CANDIDATES) : k;
  }
}
