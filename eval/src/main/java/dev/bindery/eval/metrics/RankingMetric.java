package dev.bindery.eval.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One named retrieval metric as written in regression files: {@code recall@K}, {@code precision@K},
 * {@code success@K} (1 when any relevant item is in the first K), {@code mrr} or {@code mrr@K},
 * {@code ndcg@K} (exponential gain) or {@code ndcg_linear@K}, and {@code map}.
 *
 * @param kind which metric
 * @param k rank cut-off; 0 for metrics over the whole ranking ({@code mrr}, {@code map})
 */
public record RankingMetric(Kind kind, int k) {

  /** The metric families. */
  public enum Kind {
    RECALL("recall", true),
    PRECISION("precision", true),
    SUCCESS("success", true),
    MRR("mrr", false),
    NDCG("ndcg", true),
    NDCG_LINEAR("ndcg_linear", true),
    MAP("map", false);

    private final String wireName;
    private final boolean needsK;

    Kind(String wireName, boolean needsK) {
      this.wireName = wireName;
      this.needsK = needsK;
    }

    /** The name used in regression files. */
    public String wireName() {
      return wireName;
    }
  }

  private static final Pattern SYNTAX = Pattern.compile("([a-z_]+)(?:@([0-9]{1,5}))?");

  public RankingMetric {
    Objects.requireNonNull(kind, "kind");
    if (kind.needsK && k < 1) {
      throw new IllegalArgumentException(kind.wireName + " needs a cut-off >= 1, got " + k);
    }
    if (kind == Kind.MAP && k != 0) {
      throw new IllegalArgumentException("map takes no cut-off, got @" + k);
    }
    if (k < 0) {
      throw new IllegalArgumentException("cut-off must be >= 0, got " + k);
    }
  }

  /** Parses a metric name such as {@code recall@10}, naming the valid forms otherwise. */
  public static RankingMetric parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    Matcher m = SYNTAX.matcher(n);
    if (m.matches()) {
      for (Kind kind : Kind.values()) {
        if (kind.wireName.equals(m.group(1))) {
          int k = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
          if (kind.needsK && m.group(2) == null) {
            throw new IllegalArgumentException(
                "metric '" + name + "' needs a cut-off, e.g. " + kind.wireName + "@10");
          }
          return new RankingMetric(kind, k);
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown metric '"
            + name
            + "'; expected recall@K, precision@K, success@K, mrr, mrr@K, ndcg@K, ndcg_linear@K"
            + " or map");
  }

  /** How many ranks this metric reads; 0 means all. */
  public int depth() {
    return k;
  }

  /** The metric of one query's ranking. */
  public double of(List<String> ranked, Judgments judgments) {
    return switch (kind) {
      case RECALL -> RankingMetrics.recall(ranked, judgments, k);
      case PRECISION -> RankingMetrics.precision(ranked, judgments, k);
      case SUCCESS -> RankingMetrics.success(ranked, judgments, k);
      case MRR ->
          k == 0
              ? RankingMetrics.reciprocalRank(ranked, judgments)
              : RankingMetrics.reciprocalRank(ranked, judgments, k);
      case NDCG -> RankingMetrics.ndcg(ranked, judgments, k, Gain.EXPONENTIAL);
      case NDCG_LINEAR -> RankingMetrics.ndcg(ranked, judgments, k, Gain.LINEAR);
      case MAP -> RankingMetrics.averagePrecision(ranked, judgments);
    };
  }

  @Override
  public String toString() {
    return k == 0 ? kind.wireName : kind.wireName + "@" + k;
  }
}
