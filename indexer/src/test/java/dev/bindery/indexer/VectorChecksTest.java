package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorChecksTest {
  private static final SpaceConfig COSINE = SpaceConfig.of("e", 384, Similarity.COSINE);

  private static double sumSq(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return s;
  }

  /** What an encoder does: divide by a float norm accumulated in float. */
  private static float[] floatNormalized(Random r) {
    float[] v = new float[384];
    float s = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
      s += v[i] * v[i];
    }
    float n = (float) Math.sqrt(s);
    for (int i = 0; i < v.length; i++) {
      v[i] /= n;
    }
    return v;
  }

  @Test
  void aUnitVectorUpToFloatRoundingIsStoredBitForBit() {
    Random r = new Random(7);
    int rescaledWouldDiffer = 0;
    for (int t = 0; t < 200; t++) {
      float[] v = floatNormalized(r);
      assertTrue(Math.abs(sumSq(v) - 1) <= VectorChecks.UNIT_ROUNDING, "float rounding only");
      float[] stored = VectorChecks.prepare(COSINE, v, "vector");
      assertNotSame(v, stored, "a copy: the caller's array is not shared with the index");
      assertArrayEquals(v, stored);
      // the reference: what rescaling by the double norm would have stored
      double inv = 1.0 / Math.sqrt(sumSq(v));
      for (float x : v) {
        if ((float) (x * inv) != x) {
          rescaledWouldDiffer++;
          break;
        }
      }
    }
    assertTrue(rescaledWouldDiffer > 0, "the case is real: rescaling moves some components");
  }

  @Test
  void otherVectorsAreNormalizedAsBefore() {
    float[] v = new float[384];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 7 - 3f;
    }
    float[] stored = VectorChecks.prepare(COSINE, v, "vector");
    double inv = 1.0 / Math.sqrt(sumSq(v));
    for (int i = 0; i < v.length; i++) {
      assertEquals((float) (v[i] * inv), stored[i]);
    }
    // just outside the rounding band: rescaled
    float[] u = floatNormalized(new Random(3));
    float[] longer = u.clone();
    for (int i = 0; i < longer.length; i++) {
      longer[i] *= 1.00001f;
    }
    float[] back = VectorChecks.prepare(COSINE, longer, "vector");
    assertTrue(Math.abs(sumSq(back) - 1) < 1e-6, String.valueOf(sumSq(back)));
    assertTrue(Math.abs(sumSq(longer) - 1) > VectorChecks.UNIT_ROUNDING);
  }
}
