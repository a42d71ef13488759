package dev.bindery.encoders.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Padding and pooling against naive references on random inputs (seed printed on failure). */
class PoolingTest {
  private static final long SEED = 0x5EEDL;

  @Test
  void padPutsTokensFirstAndMasksTheRest() {
    TokenBatch b =
        TokenBatch.pad(
            List.of(new long[] {5, 6, 7}, new long[] {9}),
            List.of(new long[] {0, 0, 1}, new long[] {1}),
            3,
            0);
    assertEquals(2, b.batchSize());
    assertEquals(3, b.length());
    assertArrayEquals(new long[] {5, 6, 7, 9, 3, 3}, b.inputIds().data());
    assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0}, b.attentionMask().data());
    assertArrayEquals(new long[] {0, 0, 1, 1, 0, 0}, b.typeIds().data());
    TokenBatch fixed = TokenBatch.pad(List.of(new long[] {5, 6}), null, 0, 4);
    assertArrayEquals(new long[] {5, 6, 0, 0}, fixed.inputIds().data());
    String msg =
        assertThrows(
                IllegalArgumentException.class,
                () -> TokenBatch.pad(List.of(new long[] {1, 2, 3}), null, 0, 2))
            .getMessage();
    assertTrue(msg.contains("has 3 tokens, more than the padded length 2"), msg);
    msg =
        assertThrows(
                IllegalArgumentException.class,
                () -> TokenBatch.pad(List.of(new long[] {1}, new long[0]), null, 0, 0))
            .getMessage();
    assertTrue(msg.contains("token sequence 1 is empty"), msg);
  }

  @Test
  void unknownPoolingListsTheValidOnes() {
    String msg =
        assertThrows(IllegalArgumentException.class, () -> Pooling.fromName("max")).getMessage();
    assertEquals("unknown pooling 'max'; expected one of [none, mean, cls, eos]", msg);
    assertEquals(Pooling.NONE, Pooling.fromName(null));
    assertEquals(Pooling.EOS, Pooling.fromName(" EOS "));
  }

  @Test
  void poolingMatchesNaiveReferences() {
    Random rnd = new Random(SEED);
    for (int trial = 0; trial < 50; trial++) {
      int b = 1 + rnd.nextInt(5);
      int h = 1 + rnd.nextInt(9);
      List<long[]> rows = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        long[] r = new long[1 + rnd.nextInt(12)];
        for (int j = 0; j < r.length; j++) {
          r[j] = rnd.nextInt(50);
        }
        rows.add(r);
      }
      TokenBatch batch = TokenBatch.pad(rows, null, 0, 0);
      int t = batch.length();
      float[] x = new float[b * t * h];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rnd.nextGaussian();
      }
      FloatTensor out = FloatTensor.of(x, b, t, h);
      float[][] mean = Pooling.MEAN.pool(out, batch);
      float[][] cls = Pooling.CLS.pool(out, batch);
      float[][] eos = Pooling.EOS.pool(out, batch);
      for (int i = 0; i < b; i++) {
        long[] r = rows.get(i);
        int argmax = 0;
        for (int j = 1; j < r.length; j++) {
          if (r[j] > r[argmax]) {
            argmax = j;
          }
        }
        for (int d = 0; d < h; d++) {
          double s = 0;
          for (int j = 0; j < r.length; j++) {
            s += x[(i * t + j) * h + d];
          }
          String ctx = "seed " + SEED + " trial " + trial + " row " + i + " dim " + d;
          assertEquals(s / r.length, mean[i][d], 1e-6, ctx);
          assertEquals(x[(i * t) * h + d], cls[i][d], 0, ctx);
          assertEquals(x[(i * t + argmax) * h + d], eos[i][d], 0, ctx);
        }
      }
    }
  }

  @Test
  void normalizeGivesUnitLengthAndKeepsZeros() {
    float[] v = {3, 4};
    Pooling.normalize(v);
    assertArrayEquals(new float[] {0.6f, 0.8f}, v, 1e-7f);
    float[] z = {0, 0, 0};
    Pooling.normalize(z);
    assertArrayEquals(new float[] {0, 0, 0}, z);
  }

  @Test
  void poolingRejectsOutputsOfTheWrongRank() {
    TokenBatch batch = TokenBatch.pad(List.of(new long[] {1, 2}), null, 0, 0);
    String msg =
        assertThrows(
                IllegalStateException.class,
                () -> Pooling.MEAN.pool(FloatTensor.of(new float[4], 1, 4), batch))
            .getMessage();
    assertTrue(msg.contains("mean pooling needs a [batch, tokens, dim] output"), msg);
  }
}
