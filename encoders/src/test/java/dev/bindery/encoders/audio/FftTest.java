package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {
  @Test
  void matchesNaiveDftOnRandomInput() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int n : new int[] {1, 2, 8, 64, 512}) {
      double[] re = new double[n];
      double[] im = new double[n];
      for (int i = 0; i < n; i++) {
        re[i] = r.nextGaussian();
        im[i] = r.nextGaussian();
      }
      double[] wantRe = new double[n];
      double[] wantIm = new double[n];
      for (int k = 0; k < n; k++) {
        for (int j = 0; j < n; j++) {
          double a = -2 * Math.PI * ((long) j * k % n) / n;
          wantRe[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
          wantIm[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
        }
      }
      new Fft(n).transform(re, im);
      for (int k = 0; k < n; k++) {
        assertEquals(wantRe[k], re[k], 1e-9 * n, "seed " + seed + ", n " + n + ", re[" + k + "]");
        assertEquals(wantIm[k], im[k], 1e-9 * n, "seed " + seed + ", n " + n + ", im[" + k + "]");
      }
    }
  }

  @Test
  void powerSpectrumOfACosineHasOnePeak() {
    int n = 512;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = Math.cos(2 * Math.PI * 37 * i / n);
    }
    double[] p = new double[n / 2 + 1];
    new Fft(n).powerSpectrum(x, new double[n], p);
    assertEquals((n / 2.0) * (n / 2.0), p[37], 1e-6);
    for (int k = 0; k < p.length; k++) {
      if (k != 37) {
        assertTrue(p[k] < 1e-12, "bin " + k + " = " + p[k]);
      }
    }
  }

  @Test
  void rejectsSizesThatAreNotPowersOfTwo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Fft(400));
    assertTrue(e.getMessage().contains("400"), e.getMessage());
  }
}
