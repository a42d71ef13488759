package dev.bindery.encoders.audio;

/**
 * Band-limited resampling by windowed-sinc interpolation, the algorithm of {@code
 * torchaudio.functional.resample} with its defaults ({@code resampling_method="sinc_interp_hann"},
 * {@code lowpass_filter_width=6}, {@code rolloff=0.99}), so that audio resampled here matches what
 * ImageBind's reference code feeds its model.
 *
 * <p>Both rates are divided by their gcd ({@code orig}, {@code new}). The cutoff is {@code base =
 * min(orig, new) * rolloff} (in units of the reduced rates), the kernel half-width is {@code width
 * = ceil(lowpass_filter_width * orig / base)} input samples, and output phase {@code j} (of {@code
 * new}) uses weights {@code k(t) = sinc(pi t) * cos^2(pi t / (2 lowpass_filter_width)) * base /
 * orig} at {@code t = base * ((m - width) / orig - j / new)} clamped to +-lowpass_filter_width, for
 * input offsets {@code m = 0 .. 2 width + orig - 1}. The input is zero-padded by {@code width} on
 * the left; output block {@code b} starts at input sample {@code b * orig}, and the output is cut
 * to {@code ceil(new * length / orig)} samples. Weights are computed in double precision
 * (torchaudio uses the waveform's float32), which differs from it by rounding only.
 *
 * <p>Immutable and thread-safe; build one per rate pair and reuse it.
 */
public final class SincResampler {
  private final int origRate;
  private final int newRate;
  private final int orig;
  private final int neu;
  private final int width;
  private final double[][] kernels;

  /** A resampler with torchaudio's defaults (width 6, rolloff 0.99). */
  public SincResampler(int origRate, int newRate) {
    this(origRate, newRate, 6, 0.99);
  }

  /**
   * @param lowpassFilterWidth zero crossings of the sinc on each side (sharper and slower when
   *     larger)
   * @param rolloff cutoff as a fraction of the lower Nyquist frequency, in (0, 1]
   */
  public SincResampler(int origRate, int newRate, int lowpassFilterWidth, double rolloff) {
    if (origRate < 1 || newRate < 1) {
      throw new IllegalArgumentException(
          "sample rates must be >= 1, got " + origRate + " -> " + newRate);
    }
    if (lowpassFilterWidth < 1) {
      throw new IllegalArgumentException(
          "lowpass filter width must be >= 1, got " + lowpassFilterWidth);
    }
    if (!(rolloff > 0 && rolloff <= 1)) {
      throw new IllegalArgumentException("rolloff must be in (0, 1], got " + rolloff);
    }
    this.origRate = origRate;
    this.newRate = newRate;
    int g = gcd(origRate, newRate);
    this.orig = origRate / g;
    this.neu = newRate / g;
    double base = Math.min(orig, neu) * rolloff;
    this.width = (int) Math.ceil(lowpassFilterWidth * orig / base);
    int taps = 2 * width + orig;
    long cells = (long) taps * neu;
    if (cells > 50_000_000L) {
      throw new IllegalArgumentException(
          "resampling "
              + origRate
              + " -> "
              + newRate
              + " Hz needs a "
              + neu
              + " x "
              + taps
              + " kernel; choose rates with a larger common divisor");
    }
    this.kernels = new double[neu][taps];
    double scale = base / orig;
    for (int j = 0; j < neu; j++) {
      for (int m = 0; m < taps; m++) {
        double t = ((m - width) / (double) orig - j / (double) neu) * base;
        t = Math.max(-lowpassFilterWidth, Math.min(lowpassFilterWidth, t));
        double w = Math.cos(t * Math.PI / lowpassFilterWidth / 2);
        w *= w;
        double x = t * Math.PI;
        double sinc = x == 0 ? 1.0 : Math.sin(x) / x;
        kernels[j][m] = sinc * w * scale;
      }
    }
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  public int origRate() {
    return origRate;
  }

  public int newRate() {
    return newRate;
  }

  /**
   * Number of output samples for {@code length} input samples: {@code ceil(new * length / orig)}.
   */
  public long outputLength(long length) {
    return (neu * length + orig - 1) / orig;
  }

  /** Resamples; returns the input itself when both rates are equal. */
  public float[] resample(float[] x) {
    if (origRate == newRate) {
      return x;
    }
    int outLen = Math.toIntExact(outputLength(x.length));
    float[] out = new float[outLen];
    int taps = kernels[0].length;
    for (int b = 0, o = 0; o < outLen; b++) {
      int start = b * orig - width;
      int m0 = Math.max(0, -start);
      int m1 = Math.min(taps, x.length - start);
      for (int j = 0; j < neu && o < outLen; j++, o++) {
        double[] k = kernels[j];
        double acc = 0;
        for (int m = m0; m < m1; m++) {
          acc += k[m] * x[start + m];
        }
        out[o] = (float) acc;
      }
    }
    return out;
  }
}
