package dev.bindery.encoders.image;

import dev.bindery.encoders.FloatTensor;
import java.util.Locale;
import java.util.Objects;

/**
 * The geometry of an image transform: a resize (torchvision's {@code Resize(size)} of the shortest
 * side by default) and an optional centre crop, with torchvision's rounding: the long side becomes
 * {@code int(size * long / short)}, the crop offset {@code int(round((dim - crop) / 2.0))} with
 * Python's half-to-even rounding, and a crop larger than the image pads with zeros.
 *
 * @param mode how {@code height}/{@code width} constrain the resize
 * @param height target height ({@code SHORTEST}/{@code LONGEST}: the edge length; equal to width)
 * @param width target width
 * @param cropHeight crop height
 * @param cropWidth crop width
 * @param centerCrop whether to crop (always true for {@code LONGEST}, which pads to the crop)
 * @param filter resampling kernel
 */
record ResizeCrop(
    ResizeCrop.Mode mode,
    int height,
    int width,
    int cropHeight,
    int cropWidth,
    boolean centerCrop,
    ResampleFilter filter) {

  /** How the resize target is read. */
  enum Mode {
    /** The shortest edge becomes the size; the other keeps the aspect ratio (torchvision). */
    SHORTEST,
    /** The longest edge becomes the size (open_clip's {@code ResizeKeepRatio}); then pad. */
    LONGEST,
    /** Exactly height x width, ignoring the aspect ratio (open_clip's "squash"). */
    EXACT;

    static Mode fromName(String name) {
      String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
      if (n.equals("SQUASH")) {
        return EXACT;
      }
      for (Mode m : values()) {
        if (m.name().equals(n)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "unknown resize mode '" + name + "'; expected one of [shortest, longest, squash]");
    }
  }

  ResizeCrop {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(filter, "filter");
    if (height < 1 || width < 1 || cropHeight < 1 || cropWidth < 1) {
      throw new IllegalArgumentException(
          "resize and crop sizes must be >= 1, got "
              + height
              + "x"
              + width
              + ", crop "
              + cropHeight
              + "x"
              + cropWidth);
    }
    if (mode != Mode.EXACT && height != width) {
      throw new IllegalArgumentException(
          mode + " resize takes one edge length, got " + height + "x" + width);
    }
    centerCrop = centerCrop || mode == Mode.LONGEST;
  }

  /** Shortest-edge resize to {@code size} and a square crop. */
  static ResizeCrop shortest(int size, int crop, ResampleFilter filter, boolean centerCrop) {
    return new ResizeCrop(Mode.SHORTEST, size, size, crop, crop, centerCrop, filter);
  }

  /** Packed RGB pixels with their size. */
  record RgbPlane(int width, int height, int[] pixels) {}

  /** One channel of floats with its size. */
  record FloatPlane(int width, int height, float[] values) {}

  /** {@code {height, width}} of every output, or null when it depends on the input. */
  int[] fixedOutputSize() {
    if (centerCrop) {
      return new int[] {cropHeight, cropWidth};
    }
    return mode == Mode.EXACT ? new int[] {height, width} : null;
  }

  /** {@code {newWidth, newHeight}} after the resize. */
  int[] resizedSize(int w, int h) {
    return switch (mode) {
      case EXACT -> new int[] {width, height};
      case SHORTEST ->
          w <= h
              ? new int[] {height, (int) ((double) ((long) height * h) / w)}
              : new int[] {(int) ((double) ((long) height * w) / h), height};
      case LONGEST -> {
        double ratio = Math.max((double) h / height, (double) w / width);
        yield new int[] {
          Math.max(1, (int) Math.rint(w / ratio)), Math.max(1, (int) Math.rint(h / ratio))
        };
      }
    };
  }

  /** Offset of a centre crop along one axis; negative when the crop is padded. */
  static int cropOffset(int length, int crop) {
    if (length >= crop) {
      return (int) Math.rint((length - crop) / 2.0);
    }
    return -((crop - length) / 2);
  }

  RgbPlane apply(int[] rgb, int w, int h) {
    int[] s = resizedSize(w, h);
    int[] resized = ConvolutionResampler.resizeRgb(rgb, w, h, s[0], s[1], filter);
    if (!centerCrop) {
      return new RgbPlane(s[0], s[1], resized);
    }
    int ox = cropOffset(s[0], cropWidth);
    int oy = cropOffset(s[1], cropHeight);
    int[] out = new int[cropWidth * cropHeight];
    for (int y = 0; y < cropHeight; y++) {
      int sy = y + oy;
      for (int x = 0; x < cropWidth; x++) {
        int sx = x + ox;
        boolean inside = sy >= 0 && sy < s[1] && sx >= 0 && sx < s[0];
        out[y * cropWidth + x] = inside ? resized[sy * s[0] + sx] : 0;
      }
    }
    return new RgbPlane(cropWidth, cropHeight, out);
  }

  FloatPlane apply(float[] values, int w, int h) {
    int[] s = resizedSize(w, h);
    float[] resized = ConvolutionResampler.resizeFloat(values, w, h, s[0], s[1], filter);
    if (!centerCrop) {
      return new FloatPlane(s[0], s[1], resized);
    }
    int ox = cropOffset(s[0], cropWidth);
    int oy = cropOffset(s[1], cropHeight);
    float[] out = new float[cropWidth * cropHeight];
    for (int y = 0; y < cropHeight; y++) {
      int sy = y + oy;
      for (int x = 0; x < cropWidth; x++) {
        int sx = x + ox;
        boolean inside = sy >= 0 && sy < s[1] && sx >= 0 && sx < s[0];
        out[y * cropWidth + x] = inside ? resized[sy * s[0] + sx] : 0f;
      }
    }
    return new FloatPlane(cropWidth, cropHeight, out);
  }

  /**
   * Resizes and crops a one-channel plane, then normalises it as {@code (x - mean) / std} into a
   * {@code [1, cropHeight, cropWidth]} tensor (ImageBind's depth and thermal inputs).
   */
  FloatTensor applyNormalised(float[] values, int w, int h, float mean, float std) {
    FloatPlane plane = apply(values, w, h);
    float[] out = plane.values();
    for (int i = 0; i < out.length; i++) {
      out[i] = (out[i] - mean) / std;
    }
    return FloatTensor.of(out, 1, plane.height(), plane.width());
  }

  @Override
  public String toString() {
    String resize =
        mode == Mode.EXACT
            ? height + "x" + width
            : mode.name().toLowerCase(Locale.ROOT) + " " + height;
    return "resize="
        + resize
        + ", crop="
        + (centerCrop ? cropHeight + "x" + cropWidth : "none")
        + ", resample="
        + filter.name().toLowerCase(Locale.ROOT);
  }
}
