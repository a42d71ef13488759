package dev.bindery.encoders.audio;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Preprocessor;
import java.util.Objects;

/**
 * ImageBind's audio preprocessing ({@code load_and_transform_audio_data} after loading): resample
 * to 16 kHz, take 3 clips of 2 s ({@link ConstantClipSampler}), turn each into a [1, 128, 204]
 * log-mel image ({@code waveform2melspec}: subtract the clip's mean, {@link KaldiFbank}, transpose
 * to [bins, frames], zero-pad or crop the frames to 204) and normalize it as {@code
 * transforms.Normalize(mean=-4.268, std=9.138)} does, {@code (x - mean) / std}, padding included.
 * Output: [clips, 1, bins, frames] = [3, 1, 128, 204].
 *
 * <p>Two behaviours of the reference are kept on purpose, so that vectors match real ImageBind
 * weights: ImageBind subtracts each clip's mean <em>in place</em> on a view of the whole waveform,
 * so when clips overlap (audio shorter than 6 s) a later clip sees samples already shifted by an
 * earlier clip's mean ({@code sequentialInPlaceMean}, on by default); and padding happens after the
 * fbank, in the log domain (padded frames are 0 before normalization). A clip shorter than one 25
 * ms frame gives no frames and is all padding (the reference divides by zero there). ImageBind
 * feeds multi-channel audio to the fbank as it is (torchaudio's kaldi then reads channel 0);
 * Bindery's decoder averages channels first.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageBindAudioPreprocessor implements Preprocessor<AudioSignal> {
  /**
   * Settings; {@link #imageBind()} gives ImageBind's defaults.
   *
   * @param sampleRate rate the fbank runs at (input at other rates is resampled)
   * @param fbank filterbank settings ({@code sampleFrequency} must equal {@code sampleRate})
   * @param targetLength frames per clip after padding or cropping
   * @param sampler clip placement
   * @param mean normalization mean
   * @param std normalization standard deviation
   * @param sequentialInPlaceMean replicate the reference's in-place mean subtraction across
   *     overlapping clips
   */
  public record Config(
      int sampleRate,
      KaldiFbank.Options fbank,
      int targetLength,
      ConstantClipSampler sampler,
      float mean,
      float std,
      boolean sequentialInPlaceMean) {
    public Config {
      Objects.requireNonNull(fbank, "fbank");
      Objects.requireNonNull(sampler, "sampler");
      if (sampleRate < 1 || fbank.sampleFrequency() != sampleRate) {
        throw new IllegalArgumentException(
            "sample rate "
                + sampleRate
                + " must be >= 1 and equal the fbank's "
                + fbank.sampleFrequency());
      }
      if (targetLength < 1 || !(std > 0) || !Float.isFinite(mean)) {
        throw new IllegalArgumentException(
            "target length must be >= 1 and std > 0, got "
                + targetLength
                + ", mean "
                + mean
                + ", std "
                + std);
      }
    }

    /** ImageBind's values: 16 kHz, 128 bins, 204 frames, 3 clips of 2 s, mean -4.268, std 9.138. */
    public static Config imageBind() {
      return new Config(
          16000,
          KaldiFbank.Options.imageBind(),
          204,
          new ConstantClipSampler(2, 3),
          -4.268f,
          9.138f,
          true);
    }
  }

  private final Config config;
  private final KaldiFbank fbank;

  public ImageBindAudioPreprocessor() {
    this(Config.imageBind());
  }

  public ImageBindAudioPreprocessor(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    this.fbank = new KaldiFbank(config.fbank());
  }

  public Config config() {
    return config;
  }

  /** Shape of one clip: [1, bins, targetLength]. */
  public long[] clipShape() {
    return new long[] {1, config.fbank().numMelBins(), config.targetLength()};
  }

  /**
   * The clips of one signal, [clips, 1, bins, targetLength].
   *
   * @throws IllegalArgumentException if the signal has no samples
   */
  @Override
  public FloatTensor apply(AudioSignal input) {
    float[] w = atRate(input).clone();
    int[][] clips = config.sampler().clips(w.length, config.sampleRate());
    int per = config.fbank().numMelBins() * config.targetLength();
    float[] out = new float[clips.length * per];
    for (int c = 0; c < clips.length; c++) {
      float[] target = config.sequentialInPlaceMean() ? w : w.clone();
      melImage(target, clips[c][0], clips[c][1], out, c * per);
    }
    return FloatTensor.of(out, clips.length, 1, config.fbank().numMelBins(), config.targetLength());
  }

  /**
   * One clip of exactly the given samples (no clip sampling): [1, bins, targetLength], what the
   * segmenting encoder feeds per time window.
   */
  public FloatTensor clip(AudioSignal window) {
    float[] w = atRate(window).clone();
    int per = config.fbank().numMelBins() * config.targetLength();
    float[] out = new float[per];
    melImage(w, 0, w.length, out, 0);
    return FloatTensor.of(out, clipShape());
  }

  private float[] atRate(AudioSignal input) {
    Objects.requireNonNull(input, "input");
    if (input.samples().length == 0) {
      throw new IllegalArgumentException("audio has no samples: " + input);
    }
    if (input.sampleRate() == config.sampleRate()) {
      return input.samples();
    }
    return new SincResampler(input.sampleRate(), config.sampleRate()).resample(input.samples());
  }

  /**
   * waveform2melspec on {@code w[from, to)}: subtracts the range's mean in place, computes the
   * fbank, writes it transposed, padded and normalized at {@code out[at..]}.
   */
  private void melImage(float[] w, int from, int to, float[] out, int at) {
    if (to > from) {
      double sum = 0;
      for (int i = from; i < to; i++) {
        sum += w[i];
      }
      float mean = (float) (sum / (to - from));
      for (int i = from; i < to; i++) {
        w[i] -= mean;
      }
    }
    float[][] feats = fbank.compute(w, from, to);
    int bins = config.fbank().numMelBins();
    int t = config.targetLength();
    int frames = Math.min(feats.length, t);
    float m = config.mean();
    float s = config.std();
    for (int b = 0; b < bins; b++) {
      int row = at + b * t;
      for (int f = 0; f < t; f++) {
        float v = f < frames ? feats[f][b] : 0f;
        out[row + f] = (v - m) / s;
      }
    }
  }

  @Override
  public String toString() {
    return "ImageBindAudioPreprocessor" + config;
  }
}
