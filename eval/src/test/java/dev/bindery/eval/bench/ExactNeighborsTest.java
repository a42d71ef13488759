package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.Similarity;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactNeighborsTest {

  /**
   * Small integer coordinates make every dot product and squared distance exact in float, so the
   * heap must agree with a full sort exactly, ties (frequent here) broken by ascending id.
   */
  @Test
  void dotAndL2MatchAFullSortIncludingTieBreaks() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    float[][] base = intVectors(r, 500, 7);
    float[][] queries = intVectors(r, 40, 7);
    for (Similarity sim : new Similarity[] {Similarity.DOT_PRODUCT, Similarity.L2}) {
      for (int k : new int[] {1, 10, 500}) {
        int[][] got = ExactNeighbors.topK(base, queries, k, sim, 3);
        for (int q = 0; q < queries.length; q++) {
          assertArrayEquals(
              naive(base, queries[q], k, sim),
              got[q],
              sim + " k=" + k + " q=" + q + " seed=" + seed);
        }
      }
    }
  }

  @Test
  void cosineRanksByAngleNotLength() {
    // {2, 2} and {1, 1} point the same way (an exact tie, since they differ by a power of two),
    // so cosine breaks it by id; the dot product prefers the longer one and ranks {0.5, 0} low.
    float[][] base = {{0.5f, 0}, {2, 2}, {-1, 0}, {1, 1}};
    float[][] queries = {{1, 0.01f}};
    assertArrayEquals(
        new int[] {0, 1, 3, 2}, ExactNeighbors.topK(base, queries, 4, Similarity.COSINE, 1)[0]);
    assertArrayEquals(
        new int[] {1, 3, 0, 2},
        ExactNeighbors.topK(base, queries, 4, Similarity.DOT_PRODUCT, 1)[0]);
  }

  @Test
  void cosineAgreesWithADoublePrecisionReference() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    float[][] base = gaussian(r, 800, 24);
    float[][] queries = gaussian(r, 30, 24);
    int k = 10;
    int[][] got = ExactNeighbors.topK(base, queries, k, Similarity.COSINE, 2);
    for (int q = 0; q < queries.length; q++) {
      float[] query = queries[q];
      double[] sorted =
          IntStream.range(0, base.length)
              .mapToDouble(i -> -cosine(query, base[i]))
              .sorted()
              .toArray();
      for (int j = 0; j < k; j++) {
        assertEquals(
            -sorted[j],
            cosine(query, base[got[q][j]]),
            1e-5,
            "q=" + q + " j=" + j + " seed=" + seed);
      }
    }
  }

  @Test
  void zeroVectorUnderCosineIsRejectedByIndex() {
    float[][] base = {{1, 0}, {0, 0}};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExactNeighbors.topK(base, new float[][] {{1, 1}}, 1, Similarity.COSINE, 1));
    assertTrue(e.getMessage().contains("base vector 1 has norm 0.0"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ExactNeighbors.topK(base, new float[][] {{1, 1}}, 3, Similarity.DOT_PRODUCT, 1));
  }

  private static int[] naive(float[][] base, float[] q, int k, Similarity sim) {
    double[] score = new double[base.length];
    for (int i = 0; i < base.length; i++) {
      double s = 0;
      for (int d = 0; d < q.length; d++) {
        s += sim == Similarity.L2 ? -(q[d] - base[i][d]) * (q[d] - base[i][d]) : q[d] * base[i][d];
      }
      score[i] = s;
    }
    return IntStream.range(0, base.length)
        .boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparing(i -> i))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static float[][] intVectors(Random r, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      for (int i = 0; i < dim; i++) {
        row[i] = r.nextInt(7) - 3;
      }
    }
    return v;
  }

  private static float[][] gaussian(Random r, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      for (int i = 0; i < dim; i++) {
        row[i] = (float) r.nextGaussian();
      }
    }
    return v;
  }
}
