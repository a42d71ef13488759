package dev.bindery.encoders.audio;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Where ImageBind takes its clips: pytorchvideo's {@code ConstantClipsPerVideoSampler} as
 * ImageBind's {@code get_clip_timepoints} drives it. With {@code duration = samples / rate}
 * (float64) and {@code maxStart = max(duration - clipDuration, 0)} (float64), clip {@code i} of
 * {@code N} starts at {@code i * maxStart / N} seconds (divided by N, not N - 1: the last clip does
 * not reach the end of the audio) and ends {@code clipDuration} later; the sample range is {@code
 * [int(start * rate), int(end * rate))}, cut to the signal. pytorchvideo computes the times as
 * exact fractions of the float64 values, so this does the same with {@link BigDecimal} to land on
 * the same sample indices.
 *
 * @param clipDuration seconds per clip
 * @param clipsPerInput clips per input
 */
public record ConstantClipSampler(double clipDuration, int clipsPerInput) {
  public ConstantClipSampler {
    if (!(clipDuration > 0) || Double.isInfinite(clipDuration) || clipsPerInput < 1) {
      throw new IllegalArgumentException(
          "clip duration must be > 0 and clips >= 1, got "
              + clipDuration
              + " s x "
              + clipsPerInput);
    }
  }

  /**
   * Sample ranges of the clips of a signal.
   *
   * @return {@code clipsPerInput} pairs {@code {from, to}} with {@code 0 <= from <= to <= samples}
   */
  public int[][] clips(int samples, int sampleRate) {
    double duration = samples / (double) sampleRate;
    double maxStart = Math.max(duration - clipDuration, 0);
    BigDecimal ms = new BigDecimal(maxStart);
    BigDecimal n = BigDecimal.valueOf(clipsPerInput);
    BigDecimal clipSamples = new BigDecimal(clipDuration).multiply(BigDecimal.valueOf(sampleRate));
    int[][] out = new int[clipsPerInput][2];
    for (int i = 0; i < clipsPerInput; i++) {
      BigDecimal startTimesRate = ms.multiply(BigDecimal.valueOf((long) i * sampleRate));
      long from = startTimesRate.divide(n, 0, RoundingMode.FLOOR).longValueExact();
      long to =
          startTimesRate
              .add(clipSamples.multiply(n))
              .divide(n, 0, RoundingMode.FLOOR)
              .longValueExact();
      out[i][0] = (int) Math.min(from, samples);
      out[i][1] = (int) Math.min(to, samples);
    }
    return out;
  }
}
