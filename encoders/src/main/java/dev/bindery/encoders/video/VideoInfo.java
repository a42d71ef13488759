package dev.bindery.encoders.video;

import java.util.Locale;
import java.util.Objects;

/**
 * What a video file declares, read without decoding frames.
 *
 * @param source the file, for messages
 * @param format the container (FFmpeg's demuxer name, e.g. {@code mov,mp4,m4a,3gp,3g2,mj2})
 * @param videoCodec the video codec (e.g. {@code h264}, {@code vp8})
 * @param durationSeconds duration of the container, seconds
 * @param fps average frame rate of the video stream
 * @param frameCount frames in the video stream: the stream's own count when the container stores
 *     one (MP4 does), else {@code round(duration * fps)} (Matroska/WebM store none)
 * @param width frame width in pixels
 * @param height frame height in pixels
 * @param hasAudio whether the file has an audio stream
 */
public record VideoInfo(
    String source,
    String format,
    String videoCodec,
    double durationSeconds,
    double fps,
    long frameCount,
    int width,
    int height,
    boolean hasAudio) {
  public VideoInfo {
    Objects.requireNonNull(source, "source");
    if (!(fps > 0) || width < 1 || height < 1 || frameCount < 1) {
      throw new IllegalArgumentException(
          "video "
              + source
              + ": bad stream parameters fps="
              + fps
              + ", "
              + width
              + "x"
              + height
              + ", frames="
              + frameCount);
    }
  }

  /**
   * The duration ImageBind's sampler sees: {@code frameCount / fps}, as decord's reader reports it
   * ({@code len(reader) / avg_fps}), not the container's duration.
   */
  public double frameDurationSeconds() {
    return frameCount / fps;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "VideoInfo[%s: %s/%s %dx%d, %.3f fps, %d frames, %.3f s, audio=%s]",
        source,
        format,
        videoCodec,
        width,
        height,
        fps,
        frameCount,
        durationSeconds,
        hasAudio);
  }
}
