package dev.bindery.encoders.video;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One decoded video frame.
 *
 * @param timestampSeconds presentation time, seconds from the start of the video stream
 * @param image the pixels, {@link BufferedImage#TYPE_INT_RGB}, owned by this record
 */
public record TimedFrame(double timestampSeconds, BufferedImage image) {
  public TimedFrame {
    Objects.requireNonNull(image, "image");
    if (!(timestampSeconds >= 0) || Double.isInfinite(timestampSeconds)) {
      throw new IllegalArgumentException("bad frame timestamp " + timestampSeconds);
    }
  }

  @Override
  public String toString() {
    return "TimedFrame["
        + timestampSeconds
        + " s, "
        + image.getWidth()
        + "x"
        + image.getHeight()
        + "]";
  }
}
