package dev.bindery.indexer.conformance;

import dev.bindery.indexer.Similarity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Naive reference computations for the conformance suite: plain loops in double precision, no
 * index, no library. Every backend is checked against these, so backends that pass agree with each
 * other within the same tolerances.
 */
public final class Reference {
  /** Lucene's BM25 defaults. */
  static final double K1 = 1.2;

  static final double B = 0.75;

  private Reference() {}

  /** The score the contract promises for {@code similarity} (cosine, dot, 1/(1+d^2)). */
  public static double score(Similarity similarity, float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0, d2 = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
      double d = (double) a[i] - b[i];
      d2 += d * d;
    }
    return switch (similarity) {
      case COSINE -> dot / Math.sqrt(na * nb);
      case DOT_PRODUCT -> dot;
      case L2 -> 1 / (1 + d2);
    };
  }

  /** Indexes of the k best vectors among those {@code allowed}: score desc, then id (as text). */
  public static List<Integer> topK(
      Similarity similarity, float[][] base, float[] q, int k, IntPredicate allowed) {
    double[] scores = new double[base.length];
    for (int i = 0; i < base.length; i++) {
      scores[i] = score(similarity, base[i], q);
    }
    return IntStream.range(0, base.length)
        .filter(allowed)
        .boxed()
        .sorted(
            Comparator.comparingDouble((Integer i) -> -scores[i])
                .thenComparing(i -> Integer.toString(i)))
        .limit(k)
        .toList();
  }

  /** Share of {@code truth} found in {@code got} (ids are the decimal indexes). */
  public static double recall(List<String> got, List<Integer> truth) {
    long hit = got.stream().filter(id -> truth.contains(Integer.parseInt(id))).count();
    return truth.isEmpty() ? 1.0 : (double) hit / truth.size();
  }

  /**
   * Tokens as Lucene's EnglishAnalyzer gives them for the plain lower-case words the suite uses
   * (letters and digits, none a stop word or changed by the Porter stemmer): split on spaces, lower
   * case, drop the stop word "a".
   */
  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    for (String t : text.toLowerCase(Locale.ROOT).split("\\s+")) {
      if (!t.isEmpty() && !t.equals("a")) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * BM25 over one text field, as Lucene defines it: idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
   * score = sum over query terms of idf * tf / (tf + k1 * (1 - b + b * dl / avgdl)), with N the
   * documents that have the field and avgdl their mean length. Returns id to score for every
   * document that matches at least one term.
   */
  static Map<String, Double> bm25(Map<String, String> docs, String query) {
    Map<String, List<String>> toks = new LinkedHashMap<>();
    docs.forEach((id, text) -> toks.put(id, tokens(text)));
    long total = toks.values().stream().mapToLong(List::size).sum();
    double avgdl = (double) total / toks.size();
    Map<String, Integer> df = new HashMap<>();
    toks.values().forEach(t -> t.stream().distinct().forEach(w -> df.merge(w, 1, Integer::sum)));
    Map<String, Double> scores = new HashMap<>();
    for (String term : tokens(query).stream().distinct().toList()) {
      int n = df.getOrDefault(term, 0);
      if (n == 0) {
        continue;
      }
      double idf = Math.log(1 + (toks.size() - n + 0.5) / (n + 0.5));
      toks.forEach(
          (id, t) -> {
            long tf = t.stream().filter(term::equals).count();
            if (tf > 0) {
              double s = idf * tf / (tf + K1 * (1 - B + B * t.size() / avgdl));
              scores.merge(id, s, Double::sum);
            }
          });
    }
    return scores;
  }

  /** Reciprocal rank fusion (constant 60) of ranked id lists; ties by id. */
  static List<String> rrf(List<List<String>> legs, int k) {
    Map<String, Double> fused = new HashMap<>();
    for (List<String> leg : legs) {
      for (int r = 0; r < leg.size(); r++) {
        fused.merge(leg.get(r), 1.0 / (60 + r + 1), Double::sum);
      }
    }
    return fused.entrySet().stream()
        .sorted(
            Map.Entry.<String, Double>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(k)
        .map(Map.Entry::getKey)
        .toList();
  }
}
