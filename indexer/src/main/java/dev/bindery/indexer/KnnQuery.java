package dev.bindery.indexer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A k-nearest-neighbour query in one space.
 *
 * @param space space name
 * @param vector query vector (normalized by the backend for cosine spaces)
 * @param k hits wanted, 1..10000
 * @param filter pre-filter, or null for all items
 * @param ef HNSW candidate list size at query time (>= k); 0 means the default {@code max(k, 100)}
 * @param mode HNSW (with Lucene's exact fallback) or exact brute force
 * @param groupByParent true: one hit per item, its best vector (item-level or segment); false:
 *     every vector document is its own hit, so one video can return several segments
 * @param minScore hits scoring below this (in the space's user score: cosine, dot, or 1/(1+d^2))
 *     are left out, so a query may return fewer than k hits or none; null for no threshold. The
 *     hits returned are the k best of those at or above it, so a threshold never changes their
 *     order
 */
public record KnnQuery(
    String space,
    float[] vector,
    int k,
    Filter filter,
    int ef,
    SearchMode mode,
    boolean groupByParent,
    Double minScore) {

  /** Largest k accepted. */
  public static final int MAX_K = 10_000;

  /** ef used when the query leaves it at 0, unless k is larger. */
  public static final int DEFAULT_EF = 100;

  public KnnQuery {
    Names.checkName("space", space);
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(mode, "mode");
    if (k < 1 || k > MAX_K) {
      throw new BadArgumentException("k must be in 1.." + MAX_K + ", got " + k);
    }
    if (ef < 0 || ef > MAX_K) {
      throw new BadArgumentException("ef must be in 0.." + MAX_K + ", got " + ef);
    }
    checkMinScore(minScore);
  }

  /** A query without a score threshold. */
  public KnnQuery(
      String space,
      float[] vector,
      int k,
      Filter filter,
      int ef,
      SearchMode mode,
      boolean groupByParent) {
    this(space, vector, k, filter, ef, mode, groupByParent, null);
  }

  /** Rejects a threshold that is NaN or infinite; null (no threshold) passes. */
  static void checkMinScore(Double minScore) {
    if (minScore != null && !Double.isFinite(minScore)) {
      throw new BadArgumentException("min score must be a finite number, got " + minScore);
    }
  }

  /** An HNSW query for the k best items, grouped by item, with the default ef. */
  public static KnnQuery of(String space, float[] vector, int k) {
    return new KnnQuery(space, vector, k, null, 0, SearchMode.AUTO, true);
  }

  /** The candidate list size actually used: {@code ef}, or the default, and never below k. */
  public int effectiveEf() {
    return Math.max(k, ef == 0 ? DEFAULT_EF : ef);
  }

  public KnnQuery withFilter(Filter f) {
    return new KnnQuery(space, vector, k, f, ef, mode, groupByParent, minScore);
  }

  public KnnQuery withEf(int newEf) {
    return new KnnQuery(space, vector, k, filter, newEf, mode, groupByParent, minScore);
  }

  public KnnQuery withMode(SearchMode m) {
    return new KnnQuery(space, vector, k, filter, ef, m, groupByParent, minScore);
  }

  public KnnQuery withGroupByParent(boolean g) {
    return new KnnQuery(space, vector, k, filter, ef, mode, g, minScore);
  }

  /** This query with a score threshold (null for none). */
  public KnnQuery withMinScore(Double min) {
    return new KnnQuery(space, vector, k, filter, ef, mode, groupByParent, min);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KnnQuery q
        && space.equals(q.space)
        && Arrays.equals(vector, q.vector)
        && k == q.k
        && Objects.equals(filter, q.filter)
        && ef == q.ef
        && mode == q.mode
        && groupByParent == q.groupByParent
        && Objects.equals(minScore, q.minScore);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        space, Arrays.hashCode(vector), k, filter, ef, mode, groupByParent, minScore);
  }

  @Override
  public String toString() {
    return "KnnQuery[space="
        + space
        + ", dim="
        + vector.length
        + ", k="
        + k
        + ", ef="
        + effectiveEf()
        + ", mode="
        + mode
        + ", filter="
        + filter
        + ", groupByParent="
        + groupByParent
        + (minScore == null ? "" : ", minScore=" + minScore)
        + "]";
  }
}
