package dev.bindery.encoders.video;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Which clips and frames ImageBind takes from a video, as its {@code load_and_transform_video_data}
 * does with pytorchvideo and decord:
 *
 * <ol>
 *   <li>Clips ({@code ConstantClipsPerVideoSampler(clip_duration, clips_per_video)} driven by
 *       {@code get_clip_timepoints}): with {@code maxStart = max(duration - clipDuration, 0)}, clip
 *       {@code k} starts at {@code k * maxStart / clipsPerVideo} (divided by N, not N - 1, so the
 *       last clip stops short of the end) and lasts {@code clipDuration}; sampling also stops early
 *       once {@code k * maxStart / N > maxStart}, which never happens for N >= 1 — a video shorter
 *       than one clip therefore yields N identical clips {@code [0, clipDuration]}. {@code
 *       duration} is decord's {@code frameCount / fps}.
 *   <li>Frames of a clip ({@code EncodedVideoDecord.get_clip}): numbers {@code ceil(fps * start)}
 *       up to but excluding {@code min(ceil(fps * end), frameCount)}.
 *   <li>{@code UniformTemporalSubsample(framesPerClip)}: of those T frames, positions {@code (long)
 *       linspace(0, T - 1, framesPerClip)} in float32, truncated.
 * </ol>
 *
 * pytorchvideo computes the times as exact fractions of the float64 inputs and rounds them to
 * float64 only when multiplying by fps; this does the same with {@link BigDecimal}, so clip borders
 * that fall exactly on a frame (0.6 s at 25 fps) pick the same frame.
 *
 * @param clipDuration seconds per clip (ImageBind: 2)
 * @param clipsPerVideo clips per video (ImageBind: 5)
 * @param framesPerClip frames per clip (ImageBind: 2, the depth of its Conv3d patch kernel)
 */
public record VideoClipSampler(double clipDuration, int clipsPerVideo, int framesPerClip) {
  /** ImageBind's settings: 5 clips of 2 s, 2 frames each. */
  public static final VideoClipSampler IMAGEBIND = new VideoClipSampler(2.0, 5, 2);

  public VideoClipSampler {
    if (!(clipDuration > 0) || Double.isInfinite(clipDuration)) {
      throw new IllegalArgumentException("clip duration must be > 0 s, got " + clipDuration);
    }
    if (clipsPerVideo < 1 || framesPerClip < 1) {
      throw new IllegalArgumentException(
          "clips per video and frames per clip must be >= 1, got "
              + clipsPerVideo
              + " and "
              + framesPerClip);
    }
  }

  /**
   * One clip: its time window and the frame numbers taken from it.
   *
   * @param start seconds
   * @param end seconds ({@code start + clipDuration}; may pass the end of the video)
   * @param frames frame numbers, {@code framesPerClip} of them, ascending
   */
  public record Clip(double start, double end, int[] frames) {
    @Override
    public String toString() {
      return "Clip[" + start + ", " + end + ", frames=" + java.util.Arrays.toString(frames) + "]";
    }
  }

  /**
   * The clips of a video.
   *
   * @param fps average frame rate
   * @param frameCount frames in the video
   * @throws IllegalArgumentException if a clip would hold no frame (naming the clip)
   */
  public List<Clip> clips(double fps, long frameCount) {
    if (!(fps > 0) || frameCount < 1) {
      throw new IllegalArgumentException(
          "need fps > 0 and at least one frame, got " + fps + " fps, " + frameCount + " frames");
    }
    double duration = frameCount / fps;
    BigDecimal maxStart = new BigDecimal(Math.max(duration - clipDuration, 0));
    BigDecimal n = BigDecimal.valueOf(clipsPerVideo);
    BigDecimal len = new BigDecimal(clipDuration);
    MathContext mc = MathContext.DECIMAL128;
    List<Clip> out = new ArrayList<>(clipsPerVideo);
    for (int k = 0; k < clipsPerVideo; k++) {
      // exact k * maxStart / n, rounded once to float64 as Fraction.__float__ does
      BigDecimal start = maxStart.multiply(BigDecimal.valueOf(k)).divide(n, mc);
      double s = start.doubleValue();
      double e = start.add(len).doubleValue();
      long from = (long) Math.ceil(fps * s);
      long to = Math.min((long) Math.ceil(fps * e), frameCount);
      int t = (int) Math.max(0, to - from);
      if (t == 0) {
        throw new IllegalArgumentException(
            "clip "
                + k
                + " ["
                + s
                + ", "
                + e
                + "] s of a "
                + frameCount
                + "-frame video at "
                + fps
                + " fps holds no frame");
      }
      int[] frames = new int[framesPerClip];
      float[] pos = linspace(0, t - 1, framesPerClip);
      for (int i = 0; i < framesPerClip; i++) {
        long p = (long) Math.min(Math.max(pos[i], 0f), (float) (t - 1));
        frames[i] = (int) (from + p);
      }
      out.add(new Clip(s, e, frames));
    }
    return out;
  }

  /**
   * torch.linspace in float32 on CPU: the first half counts up from start, the rest down from end.
   */
  static float[] linspace(float start, float end, int steps) {
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (steps - 1);
    int half = steps / 2;
    for (int i = 0; i < steps; i++) {
      out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
    }
    return out;
  }
}
