package dev.bindery.eval.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Retrieval metrics of one ranked list against one query's {@link Judgments}. Pure functions: the
 * arguments are not modified. A ranking must not name an id twice. Metrics that divide by the
 * number of relevant items (recall, average precision, nDCG) reject a query without relevant items,
 * so that an empty query never silently counts as 0 or 1; leave such queries out.
 */
public final class RankingMetrics {

  private RankingMetrics() {}

  /** Fraction of the relevant items found in the first {@code k} ranks. */
  public static double recall(List<String> ranked, Judgments judgments, int k) {
    check(ranked, judgments, k);
    int relevant = requireRelevant(judgments);
    return (double) relevantInTop(ranked, judgments, k) / relevant;
  }

  /** 1 when at least one relevant item is in the first {@code k} ranks, else 0 (a hit rate). */
  public static double success(List<String> ranked, Judgments judgments, int k) {
    check(ranked, judgments, k);
    requireRelevant(judgments);
    return relevantInTop(ranked, judgments, k) > 0 ? 1.0 : 0.0;
  }

  /**
   * Fraction of the first {@code k} ranks holding a relevant item; a ranking shorter than k counts
   * the missing ranks as not relevant (the trec_eval convention).
   */
  public static double precision(List<String> ranked, Judgments judgments, int k) {
    check(ranked, judgments, k);
    return (double) relevantInTop(ranked, judgments, k) / k;
  }

  /** 1 / rank of the first relevant item within the first {@code k} ranks, 0 if there is none. */
  public static double reciprocalRank(List<String> ranked, Judgments judgments, int k) {
    check(ranked, judgments, k);
    int n = Math.min(k, ranked.size());
    for (int i = 0; i < n; i++) {
      if (judgments.isRelevant(ranked.get(i))) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  /** Reciprocal rank over the whole ranking. */
  public static double reciprocalRank(List<String> ranked, Judgments judgments) {
    return reciprocalRank(ranked, judgments, Math.max(1, ranked.size()));
  }

  /**
   * Discounted cumulative gain of the first {@code k} ranks: {@code sum gain(grade_i) / log2(i +
   * 1)} over ranks i = 1..k.
   */
  public static double dcg(List<String> ranked, Judgments judgments, int k, Gain gain) {
    check(ranked, judgments, k);
    Objects.requireNonNull(gain, "gain");
    List<Integer> grades = new ArrayList<>();
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      grades.add(judgments.grade(ranked.get(i)));
    }
    return dcgOfGrades(grades, k, gain);
  }

  /**
   * Normalized DCG at {@code k}: DCG of the ranking divided by the DCG of the ideal ranking (all
   * judged items sorted by grade descending), so 1 means the best possible order.
   */
  public static double ndcg(List<String> ranked, Judgments judgments, int k, Gain gain) {
    check(ranked, judgments, k);
    requireRelevant(judgments);
    List<Integer> ideal =
        judgments.grades().values().stream()
            .filter(g -> g > 0)
            .sorted(java.util.Comparator.reverseOrder())
            .toList();
    return dcg(ranked, judgments, k, gain) / dcgOfGrades(ideal, k, gain);
  }

  /** nDCG at {@code k} with the default {@link Gain#EXPONENTIAL} gain. */
  public static double ndcg(List<String> ranked, Judgments judgments, int k) {
    return ndcg(ranked, judgments, k, Gain.EXPONENTIAL);
  }

  /**
   * Average precision: the mean, over all relevant items, of the precision at the rank where each
   * was found (0 for those not found). Its mean over queries is mAP.
   */
  public static double averagePrecision(List<String> ranked, Judgments judgments) {
    check(ranked, judgments, 1);
    int relevant = requireRelevant(judgments);
    double sum = 0;
    int found = 0;
    for (int i = 0; i < ranked.size(); i++) {
      if (judgments.isRelevant(ranked.get(i))) {
        found++;
        sum += (double) found / (i + 1);
      }
    }
    return sum / relevant;
  }

  /** The arithmetic mean of per-query values (mAP is the mean of average precisions). */
  public static double mean(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("mean of no values");
    }
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.size();
  }

  private static double dcgOfGrades(List<Integer> grades, int k, Gain gain) {
    double sum = 0;
    for (int i = 0; i < Math.min(k, grades.size()); i++) {
      // rank r = i + 1 is discounted by log2(r + 1)
      sum += gain.of(grades.get(i)) / (Math.log(i + 2) / Math.log(2));
    }
    return sum;
  }

  private static int relevantInTop(List<String> ranked, Judgments judgments, int k) {
    int hits = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (judgments.isRelevant(ranked.get(i))) {
        hits++;
      }
    }
    return hits;
  }

  private static int requireRelevant(Judgments judgments) {
    int relevant = judgments.relevantCount();
    if (relevant == 0) {
      throw new IllegalArgumentException(
          "the query has no relevant items (judged: " + judgments.grades() + ")");
    }
    return relevant;
  }

  private static void check(List<String> ranked, Judgments judgments, int k) {
    Objects.requireNonNull(ranked, "ranked");
    Objects.requireNonNull(judgments, "judgments");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ranked.size(); i++) {
      String id = Objects.requireNonNull(ranked.get(i), "ranked id");
      if (!seen.add(id)) {
        throw new IllegalArgumentException(
            "ranking names '" + id + "' twice (rank " + (i + 1) + ")");
      }
    }
  }
}
