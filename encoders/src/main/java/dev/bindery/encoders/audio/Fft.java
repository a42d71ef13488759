package dev.bindery.encoders.audio;

/**
 * In-place iterative radix-2 complex FFT of one power-of-two size, with its twiddle factors and
 * bit-reversal table computed once. Immutable after construction and thread-safe (callers own the
 * arrays they transform).
 */
final class Fft {
  private final int n;
  private final int[] reversed;
  private final double[] cos;
  private final double[] sin;

  Fft(int n) {
    if (n < 1 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("FFT size must be a power of two, got " + n);
    }
    this.n = n;
    int bits = Integer.numberOfTrailingZeros(n);
    reversed = new int[n];
    for (int i = 0; i < n; i++) {
      reversed[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
    }
    cos = new double[n / 2];
    sin = new double[n / 2];
    for (int i = 0; i < n / 2; i++) {
      cos[i] = Math.cos(2 * Math.PI * i / n);
      sin[i] = -Math.sin(2 * Math.PI * i / n);
    }
  }

  int size() {
    return n;
  }

  /** Forward transform {@code X[k] = sum x[j] e^(-2 pi i jk / n)}, in place. */
  void transform(double[] re, double[] im) {
    if (re.length != n || im.length != n) {
      throw new IllegalArgumentException(
          "FFT of size " + n + " got arrays of " + re.length + " and " + im.length);
    }
    for (int i = 0; i < n; i++) {
      int j = reversed[i];
      if (j > i) {
        double t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (int len = 2; len <= n; len <<= 1) {
      int half = len >> 1;
      int step = n / len;
      for (int i = 0; i < n; i += len) {
        for (int k = 0; k < half; k++) {
          double wr = cos[k * step];
          double wi = sin[k * step];
          int a = i + k;
          int b = a + half;
          double xr = re[b] * wr - im[b] * wi;
          double xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }

  /**
   * Power spectrum {@code |X[k]|^2} for k = 0..n/2 of a real frame (which is overwritten).
   *
   * @param frame n real samples; used as scratch
   * @param scratch n values of scratch for the imaginary part
   * @param out n/2 + 1 values
   */
  void powerSpectrum(double[] frame, double[] scratch, double[] out) {
    java.util.Arrays.fill(scratch, 0.0);
    transform(frame, scratch);
    for (int k = 0; k <= n / 2; k++) {
      out[k] = frame[k] * frame[k] + scratch[k] * scratch[k];
    }
  }
}
