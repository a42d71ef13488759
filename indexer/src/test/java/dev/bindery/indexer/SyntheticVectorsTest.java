package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticVectorsTest {

  private static final long SEED = 42;

  @Test
  void sameSeedGivesSameVectorsAndOtherSeedDoesNot() {
    SyntheticVectors a = SyntheticVectors.clustered(500, 16, 7, SEED);
    SyntheticVectors b = SyntheticVectors.clustered(500, 16, 7, SEED);
    SyntheticVectors c = SyntheticVectors.clustered(500, 16, 7, SEED + 1);

    assertEquals(16, a.dim());
    assertEquals(500, a.vectors().length);
    assertArrayEquals(a.labels(), b.labels());
    for (int i = 0; i < 500; i++) {
      assertArrayEquals(a.vectors()[i], b.vectors()[i], "row " + i);
    }
    for (int cl = 0; cl < 7; cl++) {
      assertArrayEquals(a.centroid(cl), b.centroid(cl), "centroid " + cl);
    }
    assertFalse(Arrays.equals(a.vectors()[0], c.vectors()[0]), "seed must change the vectors");

    float[][] q1 = a.queries(50, 7);
    float[][] q2 = b.queries(50, 7);
    for (int i = 0; i < 50; i++) {
      assertArrayEquals(q1[i], q2[i], "query " + i);
    }
    assertFalse(Arrays.equals(q1[0], a.queries(50, 8)[0]), "query seed must change the queries");
  }

  @Test
  void everyVectorCentroidAndQueryHasUnitNorm() {
    SyntheticVectors s = SyntheticVectors.clustered(300, 48, 5, SEED);
    for (int i = 0; i < 300; i++) {
      assertEquals(1.0, norm(s.vectors()[i]), 1e-5, "row " + i);
    }
    for (int c = 0; c < 5; c++) {
      assertEquals(1.0, norm(s.centroid(c)), 1e-5, "centroid " + c);
    }
    for (float[] q : s.queries(100, SEED)) {
      assertEquals(48, q.length);
      assertEquals(1.0, norm(q), 1e-5);
    }
  }

  @Test
  void vectorsAreCloserToTheirOwnCentroidThanToOthersOnAverage() {
    int clusters = 10;
    SyntheticVectors s = SyntheticVectors.clustered(2000, 64, clusters, SEED);
    double own = 0;
    double other = 0;
    long otherCount = 0;
    int[] perCluster = new int[clusters];
    for (int i = 0; i < s.vectors().length; i++) {
      int label = s.labels()[i];
      perCluster[label]++;
      for (int c = 0; c < clusters; c++) {
        double cos = dot(s.vectors()[i], s.centroid(c));
        if (c == label) {
          own += cos;
        } else {
          other += cos;
          otherCount++;
        }
      }
    }
    own /= s.vectors().length;
    other /= otherCount;
    // With noise 0.7 the expected cosine to the own centroid is 1/sqrt(1 + 0.49) ~ 0.82.
    assertTrue(own > 0.75 && own < 0.9, "mean cosine to own centroid " + own);
    assertTrue(Math.abs(other) < 0.1, "mean cosine to other centroids " + other);
    for (int c = 0; c < clusters; c++) {
      assertTrue(perCluster[c] > 100, "cluster " + c + " holds only " + perCluster[c]);
    }
  }

  @Test
  void queriesAreFreshPointsNotCopiesOfBaseVectors() {
    SyntheticVectors s = SyntheticVectors.clustered(1000, 8, 3, SEED);
    Set<String> base = new HashSet<>();
    for (float[] v : s.vectors()) {
      base.add(Arrays.toString(v));
    }
    // Even with the base seed as query seed, no query may replay a base vector.
    for (float[] q : s.queries(200, SEED)) {
      assertFalse(base.contains(Arrays.toString(q)), "query copies a base vector");
    }
  }

  @Test
  void zeroNoisePutsEveryVectorOnItsCentroid() {
    SyntheticVectors s = SyntheticVectors.clustered(20, 4, 2, 0.0, SEED);
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(s.centroid(s.labels()[i]), s.vectors()[i], 1e-6f);
    }
  }

  @Test
  void badArgumentsAreRejectedWithTheirValues() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> SyntheticVectors.clustered(-1, 4, 2, SEED))
            .getMessage()
            .contains("-1"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> SyntheticVectors.clustered(5, 0, 2, 1))
            .getMessage()
            .contains("dim"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> SyntheticVectors.clustered(5, 4, 0, 1))
            .getMessage()
            .contains("clusters"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SyntheticVectors.clustered(5, 4, 2, Double.NaN, SEED));
    SyntheticVectors s = SyntheticVectors.clustered(5, 4, 2, SEED);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> s.centroid(2))
            .getMessage()
            .contains("0..1"));
    assertThrows(IllegalArgumentException.class, () -> s.queries(-3, SEED));
  }

  private static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
