package dev.bindery.fusion.rank;

import dev.bindery.indexer.Hit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Fuses the ranked hits of several legs into one ranking.
 *
 * <p>Items are identified by {@link Hit#id()}. Legs with weight 0 are dropped before anything else,
 * so a zero weight gives exactly the result of leaving the leg out. A leg that did not return an
 * item contributes 0 to its score. The result is ordered by fused score descending, then id
 * ascending, and cut to {@code k}.
 *
 * <ul>
 *   <li>{@link FusionMethod#RRF}: {@code score = sum_leg w_leg / (rrfK + rank_leg)} (Cormack,
 *       Clarke and Buettcher, SIGIR 2009, with k = 60 by default). Uses ranks only; scores are in
 *       (0, sum w / (rrfK + 1)], not [0,1].
 *   <li>{@link FusionMethod#WEIGHTED}: each leg's raw scores normalized with the configured {@link
 *       Normalization}, then {@code score = sum_leg w_leg * n_leg / sum_leg w_leg}.
 *   <li>{@link FusionMethod#DBSF}: each leg's raw scores normalized as Qdrant's distribution-based
 *       score fusion does, then the same weighted mean.
 * </ul>
 *
 * <p>WEIGHTED and DBSF divide by the sum of the (non-zero) weights, so their fused scores lie in
 * [0,1] whatever the weights; the ranking is the same as the plain weighted sum Qdrant computes,
 * since the divisor is one constant per query.
 *
 * <p>The inputs are not modified; the class holds no state and is thread-safe.
 */
public final class RankFusion {

  /** Score descending, then id ascending. */
  public static final Comparator<FusedHit> RANKING =
      Comparator.comparingDouble((FusedHit h) -> -h.score()).thenComparing(FusedHit::id);

  // Qdrant (lib/segment/src/common/score_fusion.rs, distr_norm): per list, the mean and the
  // *sample* variance (divided by n - 1); the list's scores are mapped linearly so that mean - 3
  // std -> 0 and mean + 3 std -> 1; a list of one point, or whose bounds coincide (std 0), gets
  // 0.5 for every point. Qdrant does not clip; we clip to [0,1] so an outlier beyond 3 std cannot
  // leave the range (with sample std and n points, |z| <= (n-1)/sqrt(n), so clipping only acts
  // on lists of 11 or more).
  private static final double DBSF_SIGMAS = 3.0;

  private RankFusion() {}

  /**
   * Fuses {@code legs} with {@code cfg} and returns the best {@code k} hits.
   *
   * @param legs the legs in query order; names unique; within a leg each id at most once
   * @param cfg method, parameters and weights; every weighted leg name must be one of the legs
   * @param k how many fused hits to return, >= 1
   * @throws IllegalArgumentException on null legs, k < 1, duplicate leg names or ids, weights for
   *     unknown legs, or non-finite raw scores for the score-based methods
   */
  public static List<FusedHit> fuse(List<LegResult> legs, FusionConfig cfg, int k) {
    if (legs == null) {
      throw new IllegalArgumentException("legs must not be null");
    }
    Objects.requireNonNull(cfg, "cfg");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1: " + k);
    }
    validate(legs, cfg);

    List<LegResult> active = new ArrayList<>();
    double weightSum = 0;
    for (LegResult leg : legs) {
      double w = cfg.weight(leg.leg());
      if (w > 0) {
        active.add(leg);
        weightSum += w;
      }
    }
    if (active.isEmpty()) {
      return List.of();
    }

    int n = active.size();
    // id -> per-active-leg scores, in first-seen order (leg order, then rank).
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (int li = 0; li < n; li++) {
      LegResult leg = active.get(li);
      double[] contributions = contributions(leg, cfg);
      List<Hit> hits = leg.hits();
      for (int r = 0; r < hits.size(); r++) {
        Hit h = hits.get(r);
        Entry e = entries.computeIfAbsent(h.id(), id -> new Entry(h, n));
        e.scores[li] = new LegScore(r + 1, h.score(), contributions[r]);
      }
    }

    boolean meanOfWeights = cfg.method() != FusionMethod.RRF;
    List<FusedHit> fused = new ArrayList<>(entries.size());
    for (Entry e : entries.values()) {
      // Summed in leg order so results are reproducible bit for bit.
      double s = 0;
      Map<String, LegScore> legScores = new LinkedHashMap<>();
      for (int li = 0; li < n; li++) {
        LegScore ls = e.scores[li];
        String name = active.get(li).leg();
        if (ls == null) {
          legScores.put(name, LegScore.ABSENT);
        } else {
          legScores.put(name, ls);
          s += cfg.weight(name) * ls.normalized();
        }
      }
      if (meanOfWeights) {
        s /= weightSum;
      }
      fused.add(new FusedHit(e.hit, s, legScores));
    }
    fused.sort(RANKING);
    return List.copyOf(fused.subList(0, Math.min(k, fused.size())));
  }

  private static final class Entry {
    final Hit hit;
    final LegScore[] scores;

    Entry(Hit hit, int legs) {
      this.hit = hit;
      this.scores = new LegScore[legs];
    }
  }

  /** Each position's unweighted contribution for the configured method. */
  private static double[] contributions(LegResult leg, FusionConfig cfg) {
    List<Hit> hits = leg.hits();
    double[] raw = new double[hits.size()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = hits.get(i).score();
    }
    return switch (cfg.method()) {
      case RRF -> {
        double[] c = new double[raw.length];
        for (int i = 0; i < c.length; i++) {
          c[i] = 1.0 / (cfg.rrfK() + (i + 1));
        }
        yield c;
      }
      case WEIGHTED ->
          switch (cfg.normalization()) {
            case MIN_MAX -> minMax(raw);
            case Z_SCORE -> zScoreLogistic(raw);
          };
      case DBSF -> distribution(raw);
    };
  }

  /** Min-max to [0,1]; all-equal scores (a single hit included) map to 1. */
  static double[] minMax(double[] raw) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double s : raw) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    double range = max - min;
    double[] out = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = range > 0 ? (raw[i] - min) / range : 1.0;
    }
    return out;
  }

  /** Logistic of the z-score with the population std; std 0 maps to 0.5. */
  static double[] zScoreLogistic(double[] raw) {
    double[] out = new double[raw.length];
    if (raw.length == 0) {
      return out;
    }
    double mean = 0;
    for (double s : raw) {
      mean += s;
    }
    mean /= raw.length;
    double var = 0;
    for (double s : raw) {
      var += (s - mean) * (s - mean);
    }
    double std = Math.sqrt(var / raw.length);
    for (int i = 0; i < raw.length; i++) {
      out[i] = std > 0 ? 1.0 / (1.0 + Math.exp(-(raw[i] - mean) / std)) : 0.5;
    }
    return out;
  }

  /** Qdrant's DBSF normalization (see {@link #DBSF_SIGMAS}), clipped to [0,1]. */
  static double[] distribution(double[] raw) {
    double[] out = new double[raw.length];
    if (raw.length < 2) {
      java.util.Arrays.fill(out, 0.5);
      return out;
    }
    double mean = 0;
    for (double s : raw) {
      mean += s;
    }
    mean /= raw.length;
    double var = 0;
    for (double s : raw) {
      var += (s - mean) * (s - mean);
    }
    double std = Math.sqrt(var / (raw.length - 1));
    double lo = mean - DBSF_SIGMAS * std;
    double hi = mean + DBSF_SIGMAS * std;
    for (int i = 0; i < raw.length; i++) {
      out[i] = hi > lo ? Math.clamp((raw[i] - lo) / (hi - lo), 0.0, 1.0) : 0.5;
    }
    return out;
  }

  private static void validate(List<LegResult> legs, FusionConfig cfg) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < legs.size(); i++) {
      LegResult leg = legs.get(i);
      if (leg == null) {
        throw new IllegalArgumentException("leg " + i + " is null");
      }
      if (!names.add(leg.leg())) {
        throw new IllegalArgumentException("duplicate leg name '" + leg.leg() + "'");
      }
      Map<String, Integer> seen = new HashMap<>();
      List<Hit> hits = leg.hits();
      for (int r = 0; r < hits.size(); r++) {
        Hit h = hits.get(r);
        Integer before = seen.put(h.id(), r + 1);
        if (before != null) {
          throw new IllegalArgumentException(
              "leg '"
                  + leg.leg()
                  + "' returns id '"
                  + h.id()
                  + "' twice, at ranks "
                  + before
                  + " and "
                  + (r + 1));
        }
        if (cfg.method() != FusionMethod.RRF && !Float.isFinite(h.score())) {
          throw new IllegalArgumentException(
              "leg '"
                  + leg.leg()
                  + "' has a non-finite score for id '"
                  + h.id()
                  + "': "
                  + h.score()
                  + " ("
                  + cfg.method().wireName()
                  + " fuses scores)");
        }
      }
    }
    for (String weighted : cfg.weights().keySet()) {
      if (!names.contains(weighted)) {
        throw new IllegalArgumentException(
            "weight given for unknown leg '" + weighted + "'; legs: " + legNames(legs));
      }
    }
  }

  private static List<String> legNames(List<LegResult> legs) {
    List<String> out = new ArrayList<>();
    for (LegResult l : legs) {
      out.add(l.leg());
    }
    return out;
  }
}
