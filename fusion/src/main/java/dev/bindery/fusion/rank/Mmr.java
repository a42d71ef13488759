package dev.bindery.fusion.rank;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998) over a fused candidate set.
 *
 * <p>Greedy: the next hit is the unselected candidate maximizing {@code lambda * rel(c) - (1 -
 * lambda) * max_{s selected} cos(c, s)}, where the max over an empty selection is 0. {@code rel} is
 * the fused score min-max scaled to [0,1] over the candidates (all equal: every candidate gets 1),
 * so lambda trades relevance against similarity on comparable scales whatever the fusion method.
 * Ties in that value go to the higher fused score, then the smaller id; lambda = 1 therefore gives
 * exactly the plain ranking (score descending, then id ascending).
 *
 * <p>The returned hits keep their fused scores, in MMR order (so scores need not descend). Each
 * candidate's vector is asked for once; the work is O(k * n) similarity updates. The inputs are not
 * modified; the class holds no state.
 */
public final class Mmr {

  private Mmr() {}

  /**
   * Reranks {@code candidates} by MMR and returns the first {@code k}.
   *
   * @param candidates fused hits with distinct ids, in any order
   * @param vectorOf an id's vector (normally unit length; cosine is computed either way); must
   *     return a non-null vector of one common dimension for every candidate
   * @param lambda in [0,1]: 1 is pure relevance, 0 pure diversity
   * @param k how many hits to return, >= 1
   * @throws IllegalArgumentException on a lambda outside [0,1], k < 1, null or duplicate
   *     candidates, a missing vector or differing dimensions
   */
  public static List<FusedHit> rerank(
      List<FusedHit> candidates, Function<String, float[]> vectorOf, double lambda, int k) {
    if (candidates == null) {
      throw new IllegalArgumentException("candidates must not be null");
    }
    Objects.requireNonNull(vectorOf, "vectorOf");
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new IllegalArgumentException("lambda must be in [0,1]: " + lambda);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1: " + k);
    }
    int n = candidates.size();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      FusedHit c = candidates.get(i);
      if (c == null) {
        throw new IllegalArgumentException("candidate " + i + " is null");
      }
      if (!ids.add(c.id())) {
        throw new IllegalArgumentException("duplicate candidate id '" + c.id() + "'");
      }
    }
    if (n == 0) {
      return List.of();
    }

    float[][] vectors = new float[n][];
    double[] norms = new double[n];
    for (int i = 0; i < n; i++) {
      String id = candidates.get(i).id();
      float[] v = vectorOf.apply(id);
      if (v == null) {
        throw new IllegalArgumentException("no vector for candidate '" + id + "'");
      }
      if (i > 0 && v.length != vectors[0].length) {
        throw new IllegalArgumentException(
            "vector dimensions differ: '"
                + candidates.get(0).id()
                + "' has "
                + vectors[0].length
                + ", '"
                + id
                + "' has "
                + v.length);
      }
      vectors[i] = v;
      double sq = 0;
      for (float x : v) {
        sq += (double) x * x;
      }
      norms[i] = Math.sqrt(sq);
    }

    double[] rel = relevance(candidates);
    double[] maxSim = new double[n]; // max similarity to the selection; 0 while it is empty
    boolean[] taken = new boolean[n];
    int want = Math.min(k, n);
    List<FusedHit> out = new ArrayList<>(want);
    for (int step = 0; step < want; step++) {
      int best = -1;
      double bestValue = 0;
      for (int i = 0; i < n; i++) {
        if (taken[i]) {
          continue;
        }
        double value = lambda * rel[i] - (1 - lambda) * maxSim[i];
        if (best < 0 || better(value, candidates.get(i), bestValue, candidates.get(best))) {
          best = i;
          bestValue = value;
        }
      }
      taken[best] = true;
      out.add(candidates.get(best));
      for (int i = 0; i < n; i++) {
        if (!taken[i]) {
          maxSim[i] =
              step == 0
                  ? cosine(vectors, norms, i, best)
                  : Math.max(maxSim[i], cosine(vectors, norms, i, best));
        }
      }
    }
    return List.copyOf(out);
  }

  private static boolean better(double value, FusedHit c, double bestValue, FusedHit best) {
    if (value != bestValue) {
      return value > bestValue;
    }
    if (c.score() != best.score()) {
      return c.score() > best.score();
    }
    return c.id().compareTo(best.id()) < 0;
  }

  /** Fused scores min-max scaled to [0,1] over the candidates; all equal -> 1. */
  static double[] relevance(List<FusedHit> candidates) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (FusedHit c : candidates) {
      min = Math.min(min, c.score());
      max = Math.max(max, c.score());
    }
    double range = max - min;
    double[] rel = new double[candidates.size()];
    for (int i = 0; i < rel.length; i++) {
      rel[i] = range > 0 ? (candidates.get(i).score() - min) / range : 1.0;
    }
    return rel;
  }

  /** Cosine similarity; 0 when either vector is zero. */
  static double cosine(float[][] vectors, double[] norms, int a, int b) {
    if (norms[a] == 0 || norms[b] == 0) {
      return 0;
    }
    float[] x = vectors[a];
    float[] y = vectors[b];
    double dot = 0;
    for (int i = 0; i < x.length; i++) {
      dot += (double) x[i] * y[i];
    }
    return dot / (norms[a] * norms[b]);
  }
}
