package dev.bindery.fusion.conformance;

import dev.bindery.indexer.Similarity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Naive recommend, straight from the definitions in docs/fusion.md: plain loops in double precision
 * over every item's vectors, no index. The suite checks the {@code Recommender} on each backend
 * against it.
 */
public final class RecommendReference {
  private RecommendReference() {}

  /** An item's id and its score for the recommend. */
  public record Scored(String id, double score) {}

  /** The space's user score: cosine, dot product, or 1 / (1 + squared distance). */
  public static double similarity(Similarity s, float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    double d2 = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
      d2 += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
    }
    return switch (s) {
      case COSINE -> dot / Math.sqrt(na * nb);
      case DOT_PRODUCT -> dot;
      case L2 -> 1 / (1 + d2);
    };
  }

  /** {@code v / |v|}. */
  public static float[] unit(float[] v) {
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    n = Math.sqrt(n);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / n);
    }
    return out;
  }

  /**
   * The average-vector query: {@code 2 mean(P) - mean(N)}, or {@code mean(P)} without negatives;
   * unit length unless the space is L2.
   */
  public static double[] averageVector(
      Similarity s, List<float[]> positive, List<float[]> negative) {
    int dim = positive.get(0).length;
    double[] q = new double[dim];
    for (float[] p : positive) {
      for (int i = 0; i < dim; i++) {
        q[i] += p[i] / (double) positive.size() * (negative.isEmpty() ? 1 : 2);
      }
    }
    for (float[] n : negative) {
      for (int i = 0; i < dim; i++) {
        q[i] -= n[i] / (double) negative.size();
      }
    }
    if (s != Similarity.L2) {
      double norm = 0;
      for (double x : q) {
        norm += x * x;
      }
      for (int i = 0; i < dim; i++) {
        q[i] /= Math.sqrt(norm);
      }
    }
    return q;
  }

  /**
   * Every allowed item that is not an example, scored by its best vector's similarity to the
   * average vector, best first (ties by id).
   *
   * @param items each item's vectors in the space (item-level and segments)
   */
  public static List<Scored> averageVector(
      Similarity s,
      List<float[]> positive,
      List<float[]> negative,
      Map<String, List<float[]>> items,
      Predicate<String> allowed,
      Set<String> examples) {
    double[] q = averageVector(s, positive, negative);
    float[] qf = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      qf[i] = (float) q[i];
    }
    List<Scored> out = new ArrayList<>();
    items.forEach(
        (id, vectors) -> {
          if (allowed.test(id) && !examples.contains(id)) {
            double best = Double.NEGATIVE_INFINITY;
            for (float[] v : vectors) {
              best = Math.max(best, similarity(s, v, qf));
            }
            out.add(new Scored(id, best));
          }
        });
    return ranked(out);
  }

  /**
   * Every allowed item that is not an example (and, if {@code pool} is not null, is in it), scored
   * by the best-score rule: {@code sp} (best similarity to a positive) when {@code sp > sn} (best
   * similarity to a negative), else {@code -1 - (sn - sp)}; best first, ties by id.
   */
  public static List<Scored> bestScore(
      Similarity s,
      List<float[]> positive,
      List<float[]> negative,
      Map<String, List<float[]>> items,
      Predicate<String> allowed,
      Set<String> examples,
      Set<String> pool) {
    List<Scored> out = new ArrayList<>();
    items.forEach(
        (id, vectors) -> {
          if (allowed.test(id) && !examples.contains(id) && (pool == null || pool.contains(id))) {
            double sp = Double.NEGATIVE_INFINITY;
            double sn = Double.NEGATIVE_INFINITY;
            for (float[] v : vectors) {
              for (float[] p : positive) {
                sp = Math.max(sp, similarity(s, v, p));
              }
              for (float[] n : negative) {
                sn = Math.max(sn, similarity(s, v, n));
              }
            }
            out.add(new Scored(id, sp > sn ? sp : -1 - (sn - sp)));
          }
        });
    return ranked(out);
  }

  /**
   * The {@code n} items nearest to {@code q} among those allowed (the kNN a candidate pool uses).
   */
  public static List<String> nearest(
      Similarity s, float[] q, Map<String, List<float[]>> items, Predicate<String> allowed, int n) {
    List<Scored> all = new ArrayList<>();
    items.forEach(
        (id, vectors) -> {
          if (allowed.test(id)) {
            double best = Double.NEGATIVE_INFINITY;
            for (float[] v : vectors) {
              best = Math.max(best, similarity(s, v, q));
            }
            all.add(new Scored(id, best));
          }
        });
    return ranked(all).stream().limit(n).map(Scored::id).toList();
  }

  private static List<Scored> ranked(List<Scored> scored) {
    scored.sort(Comparator.comparingDouble((Scored x) -> -x.score()).thenComparing(Scored::id));
    return scored;
  }
}
