package dev.bindery.encoders.audio;

import dev.bindery.encoders.AudioSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a signal into time windows for segment embeddings: windows of {@code windowSeconds} (2 s,
 * ImageBind's clip length) every {@code hopSeconds} (2 s: back to back). The last window may be
 * shorter; it is kept when it holds at least {@code minLastSeconds} (0.5 s) — shorter tails carry
 * too little sound to embed on their own — and the first window is always kept, so every non-empty
 * signal yields at least one segment.
 *
 * @param windowSeconds window length
 * @param hopSeconds distance between window starts, > 0 and <= windowSeconds
 * @param minLastSeconds shortest partial last window that is kept
 */
public record AudioSegmenter(double windowSeconds, double hopSeconds, double minLastSeconds) {
  public AudioSegmenter {
    if (!(windowSeconds > 0)
        || !(hopSeconds > 0)
        || hopSeconds > windowSeconds
        || !(minLastSeconds >= 0)
        || Double.isInfinite(windowSeconds)) {
      throw new IllegalArgumentException(
          "segmenter needs 0 < hop <= window and min last >= 0, got window "
              + windowSeconds
              + " s, hop "
              + hopSeconds
              + " s, min last "
              + minLastSeconds
              + " s");
    }
  }

  /** 2 s windows, back to back, partial tail kept from 0.5 s. */
  public static AudioSegmenter defaults() {
    return new AudioSegmenter(2, 2, 0.5);
  }

  /** One window: its time span and its samples. */
  public record Segment(double start, double end, AudioSignal signal) {}

  /** The windows of a signal, in time order. */
  public List<Segment> segments(AudioSignal signal) {
    float[] x = signal.samples();
    int rate = signal.sampleRate();
    int win = (int) Math.max(1, Math.round(windowSeconds * rate));
    int hop = (int) Math.max(1, Math.round(hopSeconds * rate));
    long minLast = Math.round(minLastSeconds * rate);
    List<Segment> out = new ArrayList<>();
    for (int start = 0; start < x.length; start += hop) {
      int end = Math.min(x.length, start + win);
      if (start > 0 && end - start < win && end - start < minLast) {
        break;
      }
      out.add(
          new Segment(
              start / (double) rate,
              end / (double) rate,
              new AudioSignal(Arrays.copyOfRange(x, start, end), rate)));
      if (end == x.length) {
        break;
      }
    }
    return out;
  }
}
