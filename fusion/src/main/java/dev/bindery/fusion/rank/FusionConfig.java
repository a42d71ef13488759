package dev.bindery.fusion.rank;

import dev.bindery.indexer.BadArgumentException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How to fuse legs: the method, its parameters and per-leg weights.
 *
 * @param method the fusion method
 * @param rrfK the RRF constant (default {@value #DEFAULT_RRF_K}, the value of Cormack et al.); only
 *     {@link FusionMethod#RRF} uses it; must be >= 0
 * @param normalization the per-leg normalization; only {@link FusionMethod#WEIGHTED} uses it
 * @param weights per-leg weights by leg name; a leg not named has weight 1; weight 0 removes the
 *     leg (its hits neither score nor appear); weights must be finite and >= 0
 */
public record FusionConfig(
    FusionMethod method, int rrfK, Normalization normalization, Map<String, Double> weights) {

  /** The RRF constant of Cormack, Clarke and Buettcher (SIGIR 2009). */
  public static final int DEFAULT_RRF_K = 60;

  public FusionConfig {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(weights, "weights");
    if (rrfK < 0) {
      throw new BadArgumentException("rrfK must be >= 0: " + rrfK);
    }
    // Sorted so toString and equality of printed configs are stable.
    TreeMap<String, Double> copy = new TreeMap<>();
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      String leg = e.getKey();
      Double w = e.getValue();
      if (leg == null) {
        throw new BadArgumentException("weight for a null leg name: " + w);
      }
      if (w == null || !Double.isFinite(w) || w < 0) {
        throw new BadArgumentException("weight of leg '" + leg + "' must be finite and >= 0: " + w);
      }
      copy.put(leg, w);
    }
    weights = Collections.unmodifiableMap(copy);
  }

  /** RRF with k = 60 and every leg weighted 1. */
  public static FusionConfig rrf() {
    return rrf(DEFAULT_RRF_K);
  }

  /** RRF with the given k and every leg weighted 1. */
  public static FusionConfig rrf(int rrfK) {
    return new FusionConfig(FusionMethod.RRF, rrfK, Normalization.MIN_MAX, Map.of());
  }

  /** Weighted fusion with the given normalization and every leg weighted 1. */
  public static FusionConfig weighted(Normalization normalization) {
    return new FusionConfig(FusionMethod.WEIGHTED, DEFAULT_RRF_K, normalization, Map.of());
  }

  /** Distribution-based score fusion with every leg weighted 1. */
  public static FusionConfig dbsf() {
    return new FusionConfig(FusionMethod.DBSF, DEFAULT_RRF_K, Normalization.MIN_MAX, Map.of());
  }

  /** The defaults of a method: RRF k = 60, min-max normalization, weights 1. */
  public static FusionConfig of(FusionMethod method) {
    return new FusionConfig(method, DEFAULT_RRF_K, Normalization.MIN_MAX, Map.of());
  }

  /** This config with the given weights (replacing the current ones). */
  public FusionConfig withWeights(Map<String, Double> newWeights) {
    return new FusionConfig(method, rrfK, normalization, newWeights);
  }

  /** The weight of a leg: the configured one, else 1. */
  public double weight(String leg) {
    return weights.getOrDefault(leg, 1.0);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FusionConfig[").append(method.wireName());
    if (method == FusionMethod.RRF) {
      sb.append(", k=").append(rrfK);
    }
    if (method == FusionMethod.WEIGHTED) {
      sb.append(", ").append(normalization.wireName());
    }
    if (!weights.isEmpty()) {
      sb.append(", weights=").append(weights);
    }
    return sb.append(']').toString();
  }
}
