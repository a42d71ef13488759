package dev.bindery.indexer.lucene;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/** Naive reference kNN for tests: scores every vector with plain loops, no Lucene. */
final class BruteForce {
  private BruteForce() {}

  static float cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return (float) (dot / Math.sqrt(na * nb));
  }

  /**
   * Indexes of the k vectors most cosine-similar to q among those {@code allowed}; ties by id as a
   * string, like the backend's ids. Each vector is scored once, not once per comparison.
   */
  static List<Integer> topK(float[][] base, float[] q, int k, IntPredicate allowed) {
    float[] score = new float[base.length];
    for (int i = 0; i < base.length; i++) {
      score[i] = allowed.test(i) ? cosine(base[i], q) : Float.NaN;
    }
    return IntStream.range(0, base.length)
        .filter(allowed)
        .boxed()
        .sorted(
            Comparator.comparingDouble((Integer i) -> -score[i])
                .thenComparing(i -> Integer.toString(i)))
        .limit(k)
        .toList();
  }

  static double recall(List<String> got, List<Integer> truth) {
    long hit = got.stream().filter(id -> truth.contains(Integer.parseInt(id))).count();
    return truth.isEmpty() ? 1.0 : (double) hit / truth.size();
  }

  static String fmt(double[] xs) {
    return Arrays.toString(Arrays.stream(xs).map(x -> Math.round(x * 1000) / 1000.0).toArray());
  }
}
