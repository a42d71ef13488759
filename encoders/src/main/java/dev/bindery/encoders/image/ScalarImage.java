package dev.bindery.encoders.image;

import java.util.Objects;

/**
 * A one-channel map, such as a depth or thermal image, with its raw values: 16-bit samples stay
 * 0..65535, floats stay floats.
 *
 * @param width columns, >= 1
 * @param height rows, >= 1
 * @param values row-major values, {@code width * height} of them
 * @param fullScale the value that means full intensity for the source type: 255 for 8-bit, 65535
 *     for 16-bit, 1 for floating-point data; thermal preprocessing divides by it
 */
public record ScalarImage(int width, int height, float[] values, float fullScale) {
  public ScalarImage {
    Objects.requireNonNull(values, "values");
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("map size must be >= 1x1, got " + width + "x" + height);
    }
    if ((long) width * height != values.length) {
      throw new IllegalArgumentException(
          "a "
              + width
              + "x"
              + height
              + " map needs "
              + (long) width * height
              + " values, got "
              + values.length);
    }
    if (!(fullScale > 0) || !Float.isFinite(fullScale)) {
      throw new IllegalArgumentException("full scale must be finite and > 0, got " + fullScale);
    }
  }

  /** The value at column {@code x}, row {@code y}. */
  public float get(int x, int y) {
    return values[y * width + x];
  }

  @Override
  public String toString() {
    return "ScalarImage[" + width + "x" + height + ", fullScale=" + fullScale + "]";
  }
}
