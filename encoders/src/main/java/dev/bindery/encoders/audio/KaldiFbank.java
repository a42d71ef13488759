package dev.bindery.encoders.audio;

import java.util.Locale;
import java.util.Objects;

/**
 * Kaldi-compatible log-mel filterbank features, computing what {@code
 * torchaudio.compliance.kaldi.fbank} computes with {@code dither=0}, {@code snip_edges=True},
 * {@code use_energy=False}, {@code use_log_fbank=True}, {@code use_power=True} and no VTLN.
 *
 * <p>Per frame of {@code frame_length} ms every {@code frame_shift} ms (only whole frames, as
 * {@code snip_edges} does: {@code 1 + (n - window) / shift} frames, none if the signal is shorter
 * than one window): remove the frame's mean (DC offset), pre-emphasize {@code x[i] - 0.97 x[i-1]}
 * with {@code x[-1] = x[0]}, multiply by the window (Hanning here is {@code 0.5 - 0.5 cos(2 pi i /
 * (N - 1))}), zero-pad to the next power of two (400 -> 512 at 16 kHz), take the power spectrum,
 * weight it with triangular mel filters (HTK mel scale {@code 1127 ln(1 + f / 700)}, bins equally
 * spaced in mel between {@code low_freq} and {@code high_freq}, the Nyquist bin unused) and take
 * {@code ln(max(energy, eps))} with eps = float32 machine epsilon (2^-23), torchaudio's floor.
 * Arithmetic is in double precision; torchaudio's is float32.
 *
 * <p>Immutable and thread-safe.
 */
public final class KaldiFbank {
  /** torchaudio's log floor: {@code torch.finfo(torch.float).eps}. */
  public static final double EPSILON = Math.ulp(1.0f);

  /** Window functions Kaldi knows. */
  public enum Window {
    HANNING,
    HAMMING,
    POVEY,
    RECTANGULAR,
    BLACKMAN;

    /** Parses a name as torchaudio spells it ({@code hanning}, {@code povey}...). */
    public static Window fromName(String name) {
      for (Window w : values()) {
        if (w.name().equalsIgnoreCase(name)) {
          return w;
        }
      }
      throw new IllegalArgumentException(
          "unknown window type '"
              + name
              + "'; expected one of "
              + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Filterbank settings; {@link #imageBind()} gives ImageBind's.
   *
   * @param sampleFrequency Hz
   * @param numMelBins mel bins
   * @param frameLengthMs window length in milliseconds
   * @param frameShiftMs hop in milliseconds
   * @param window window function
   * @param preemphasisCoefficient 0 disables
   * @param removeDcOffset subtract each frame's mean
   * @param roundToPowerOfTwo pad each frame to the next power of two for the FFT
   * @param lowFreq lowest mel filter edge in Hz
   * @param highFreq highest edge in Hz; <= 0 means Nyquist plus this value
   * @param blackmanCoeff the Blackman window's coefficient
   */
  public record Options(
      double sampleFrequency,
      int numMelBins,
      double frameLengthMs,
      double frameShiftMs,
      Window window,
      double preemphasisCoefficient,
      boolean removeDcOffset,
      boolean roundToPowerOfTwo,
      double lowFreq,
      double highFreq,
      double blackmanCoeff) {
    public Options {
      Objects.requireNonNull(window, "window");
      if (!(sampleFrequency > 0) || numMelBins < 3 || !(frameLengthMs > 0) || !(frameShiftMs > 0)) {
        throw new IllegalArgumentException(
            "bad fbank options: sample frequency "
                + sampleFrequency
                + ", mel bins "
                + numMelBins
                + " (>= 3), frame length "
                + frameLengthMs
                + " ms, shift "
                + frameShiftMs
                + " ms");
      }
    }

    /**
     * ImageBind's settings (its {@code waveform2melspec}): 16 kHz, 128 bins, 25 ms Hanning frames
     * every 10 ms, and Kaldi's defaults for the rest (pre-emphasis 0.97, DC removal, 512-point FFT,
     * 20 Hz to Nyquist).
     */
    public static Options imageBind() {
      return new Options(16000, 128, 25, 10, Window.HANNING, 0.97, true, true, 20, 0, 0.42);
    }

    /** The same settings with another mel bin count and sample rate. */
    public Options with(double sampleFrequency, int numMelBins) {
      return new Options(
          sampleFrequency,
          numMelBins,
          frameLengthMs,
          frameShiftMs,
          window,
          preemphasisCoefficient,
          removeDcOffset,
          roundToPowerOfTwo,
          lowFreq,
          highFreq,
          blackmanCoeff);
    }
  }

  private final Options options;
  private final int windowSize;
  private final int windowShift;
  private final int paddedSize;
  private final double[] window;
  private final Fft fft;

  /** Per mel bin: first FFT bin with non-zero weight, and the weights from there. */
  private final int[] binStart;

  private final double[][] binWeights;

  public KaldiFbank(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    // torchaudio truncates: int(sample_frequency * ms * 0.001)
    this.windowSize = (int) (options.sampleFrequency() * options.frameLengthMs() * 0.001);
    this.windowShift = (int) (options.sampleFrequency() * options.frameShiftMs() * 0.001);
    if (windowSize < 2 || windowShift < 1) {
      throw new IllegalArgumentException(
          "frame of " + windowSize + " samples every " + windowShift + " is too small: " + options);
    }
    this.paddedSize =
        options.roundToPowerOfTwo() ? Integer.highestOneBit(windowSize - 1) << 1 : windowSize;
    if (!options.roundToPowerOfTwo() && Integer.bitCount(windowSize) != 1) {
      throw new IllegalArgumentException(
          "this implementation needs a power-of-two FFT; window of "
              + windowSize
              + " samples with round_to_power_of_two=false");
    }
    this.window = window(options.window(), windowSize, options.blackmanCoeff());
    this.fft = new Fft(paddedSize);
    double nyquist = 0.5 * options.sampleFrequency();
    double high = options.highFreq() <= 0 ? options.highFreq() + nyquist : options.highFreq();
    double low = options.lowFreq();
    if (!(low >= 0 && low < high && high <= nyquist)) {
      throw new IllegalArgumentException(
          "mel range must satisfy 0 <= low < high <= Nyquist ("
              + nyquist
              + "), got low "
              + low
              + ", high "
              + high);
    }
    int numBins = options.numMelBins();
    int fftBins = paddedSize / 2;
    double binWidth = options.sampleFrequency() / paddedSize;
    double melLow = mel(low);
    double melHigh = mel(high);
    double delta = (melHigh - melLow) / (numBins + 1);
    binStart = new int[numBins];
    binWeights = new double[numBins][];
    for (int b = 0; b < numBins; b++) {
      double left = melLow + b * delta;
      double center = melLow + (b + 1) * delta;
      double right = melLow + (b + 2) * delta;
      double[] w = new double[fftBins];
      int first = -1;
      int last = -1;
      for (int k = 0; k < fftBins; k++) {
        double m = mel(binWidth * k);
        double up = (m - left) / (center - left);
        double down = (right - m) / (right - center);
        double v = Math.max(0, Math.min(up, down));
        w[k] = v;
        if (v > 0) {
          if (first < 0) {
            first = k;
          }
          last = k;
        }
      }
      if (first < 0) {
        binStart[b] = 0;
        binWeights[b] = new double[0];
      } else {
        binStart[b] = first;
        binWeights[b] = java.util.Arrays.copyOfRange(w, first, last + 1);
      }
    }
  }

  /** HTK mel scale. */
  static double mel(double hz) {
    return 1127.0 * Math.log(1.0 + hz / 700.0);
  }

  static double[] window(Window type, int n, double blackmanCoeff) {
    double[] w = new double[n];
    double a = 2 * Math.PI / (n - 1);
    for (int i = 0; i < n; i++) {
      w[i] =
          switch (type) {
            case HANNING -> 0.5 - 0.5 * Math.cos(a * i);
            case HAMMING -> 0.54 - 0.46 * Math.cos(a * i);
            case POVEY -> Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85);
            case RECTANGULAR -> 1.0;
            case BLACKMAN ->
                blackmanCoeff - 0.5 * Math.cos(a * i) + (0.5 - blackmanCoeff) * Math.cos(2 * a * i);
          };
    }
    return w;
  }

  public Options options() {
    return options;
  }

  /** Samples per frame (400 at 16 kHz, 25 ms). */
  public int windowSize() {
    return windowSize;
  }

  /** Samples between frame starts (160 at 16 kHz, 10 ms). */
  public int windowShift() {
    return windowShift;
  }

  /** FFT size (512 for a 400-sample frame). */
  public int paddedSize() {
    return paddedSize;
  }

  /** Frames {@link #compute} returns for {@code samples} input samples. */
  public int numFrames(int samples) {
    return samples < windowSize ? 0 : 1 + (samples - windowSize) / windowShift;
  }

  /** Features of the whole array, {@code [frames][numMelBins]}. */
  public float[][] compute(float[] samples) {
    return compute(samples, 0, samples.length);
  }

  /** Features of {@code samples[from, to)}, {@code [frames][numMelBins]}. */
  public float[][] compute(float[] samples, int from, int to) {
    java.util.Objects.checkFromToIndex(from, to, samples.length);
    int frames = numFrames(to - from);
    int bins = options.numMelBins();
    float[][] out = new float[frames][bins];
    double[] frame = new double[paddedSize];
    double[] im = new double[paddedSize];
    double[] power = new double[paddedSize / 2 + 1];
    double pre = options.preemphasisCoefficient();
    for (int f = 0; f < frames; f++) {
      int off = from + f * windowShift;
      java.util.Arrays.fill(frame, 0.0);
      double mean = 0;
      for (int i = 0; i < windowSize; i++) {
        frame[i] = samples[off + i];
        mean += frame[i];
      }
      if (options.removeDcOffset()) {
        mean /= windowSize;
        for (int i = 0; i < windowSize; i++) {
          frame[i] -= mean;
        }
      }
      if (pre != 0) {
        for (int i = windowSize - 1; i > 0; i--) {
          frame[i] -= pre * frame[i - 1];
        }
        frame[0] -= pre * frame[0];
      }
      for (int i = 0; i < windowSize; i++) {
        frame[i] *= window[i];
      }
      fft.powerSpectrum(frame, im, power);
      for (int b = 0; b < bins; b++) {
        double[] w = binWeights[b];
        int s = binStart[b];
        double e = 0;
        for (int k = 0; k < w.length; k++) {
          e += w[k] * power[s + k];
        }
        out[f][b] = (float) Math.log(Math.max(e, EPSILON));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "KaldiFbank" + options;
  }
}
