package dev.bindery.encoders.video;

/**
 * Guards for untrusted video files: a container that declares an absurd duration, or frames so
 * large that one decoded picture would exhaust memory, is refused before frames are decoded.
 *
 * @param maxDurationSeconds longest accepted duration (container or stream), seconds
 * @param maxPixelsPerFrame largest accepted {@code width * height} of one frame
 */
public record VideoLimits(double maxDurationSeconds, long maxPixelsPerFrame) {
  /** Four hours and 100 megapixels. */
  public static final VideoLimits DEFAULTS = new VideoLimits(4 * 3600.0, 100_000_000L);

  public VideoLimits {
    if (!(maxDurationSeconds > 0) || Double.isInfinite(maxDurationSeconds)) {
      throw new IllegalArgumentException(
          "max video duration must be a finite number of seconds > 0, got " + maxDurationSeconds);
    }
    if (maxPixelsPerFrame < 1) {
      throw new IllegalArgumentException(
          "max pixels per frame must be >= 1, got " + maxPixelsPerFrame);
    }
  }
}
