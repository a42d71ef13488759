package dev.bindery.encoders.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Preprocessor;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * ImageBind's depth input, which is disparity rather than depth (Omnivore's convention): each raw
 * value becomes metres ({@code raw / depthScale}), is clipped to {@code [minDepth, maxDepth]} and
 * turned into disparity {@code baseline * focalLength / metres}; disparity is clipped to {@code
 * maxDisparity} and divided by it (Omnivore's {@code DepthNorm}; 0 turns this off), resized so the
 * shortest side is {@code size} (PIL-style antialiased kernel in float, bilinear by default, as
 * torchvision's tensor {@code Resize}), centre-cropped to {@code crop} and normalised with {@code
 * mean} and {@code std}, giving {@code [1, crop, crop]}. Pure and thread-safe.
 *
 * <p>A raw value of 0 (or below, or NaN) is a missing reading in Kinect-style maps; it becomes
 * disparity 0 ("infinitely far") instead of being clipped to {@code minDepth}, which would make it
 * the nearest possible point.
 *
 * <p>Not verifiable offline: ImageBind's repository ships no depth loader. The defaults come from
 * the depth-to-disparity code an Omnivore author posted (facebookresearch/omnivore issue 12: Kinect
 * baseline 0.075 m, depth clipped to [0.01, 50] m) with NYU-v2's Kinect focal length 518.857901 px
 * and millimetre PNGs ({@code depthScale} 1000); {@code maxDisparity} 75 follows a public
 * reproduction. {@code mean} and {@code std} have no published value and must be given.
 */
public final class ImageBindDepthPreprocessor implements Preprocessor<ScalarImage> {
  private static final Set<String> KEYS =
      Set.of(
          "size",
          "crop",
          "crop_size",
          "mean",
          "std",
          "resample",
          "depthScale",
          "baseline",
          "focalLength",
          "minDepth",
          "maxDepth",
          "maxDisparity");

  /** The disparity parameters. */
  public record Disparity(
      double depthScale,
      double baseline,
      double focalLength,
      double minDepth,
      double maxDepth,
      double maxDisparity) {
    public Disparity {
      if (!(depthScale > 0)
          || !(baseline > 0)
          || !(focalLength > 0)
          || !(minDepth > 0)
          || !(maxDepth > minDepth)
          || !(maxDisparity >= 0)
          || !Double.isFinite(depthScale + baseline + focalLength + maxDepth + maxDisparity)) {
        throw new IllegalArgumentException(
            "depth parameters must be finite with depthScale, baseline, focalLength, minDepth > 0,"
                + " maxDepth > minDepth, maxDisparity >= 0; got "
                + this);
      }
    }

    /** Omnivore/NYU defaults: mm input, Kinect baseline and focal length, [0.01, 50] m, /75. */
    public static Disparity defaults() {
      return new Disparity(1000.0, 0.075, 518.857901, 0.01, 50.0, 75.0);
    }

    /** One raw depth value to (scaled) disparity. */
    float of(float raw) {
      if (!(raw > 0)) {
        return 0f;
      }
      double metres = Math.min(Math.max(raw / depthScale, minDepth), maxDepth);
      double d = baseline * focalLength / metres;
      return (float) (maxDisparity > 0 ? Math.min(d, maxDisparity) / maxDisparity : d);
    }
  }

  private final Disparity disparity;
  private final ResizeCrop geometry;
  private final float mean;
  private final float std;

  /**
   * @param disparity depth-to-disparity parameters
   * @param size shortest side after resizing
   * @param crop centre crop side (the model's input height and width)
   * @param resample the kernel
   * @param mean subtracted from the (scaled) disparity
   * @param std divides after the mean, > 0
   */
  public ImageBindDepthPreprocessor(
      Disparity disparity, int size, int crop, ResampleFilter resample, double mean, double std) {
    this.disparity = Objects.requireNonNull(disparity, "disparity");
    this.geometry = ResizeCrop.shortest(size, crop, resample, true);
    if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException(
          "depth mean must be finite and std finite and > 0, got mean=" + mean + ", std=" + std);
    }
    this.mean = (float) mean;
    this.std = (float) std;
  }

  /**
   * From a tower's {@code preprocess} object: {@code mean} and {@code std} (required), {@code
   * size}, {@code crop}, {@code resample}, {@code depthScale}, {@code baseline}, {@code
   * focalLength}, {@code minDepth}, {@code maxDepth}, {@code maxDisparity}.
   */
  public static ImageBindDepthPreprocessor fromJson(JsonNode preprocess, String where) {
    PreprocessParams p = new PreprocessParams(preprocess, where, KEYS);
    Disparity d = Disparity.defaults();
    int size = p.intValue(List.of("size"), 224);
    String why = "ImageBind publishes no depth normalisation; give the values your weights expect";
    return new ImageBindDepthPreprocessor(
        new Disparity(
            p.doubleValue(List.of("depthScale"), d.depthScale()),
            p.doubleValue(List.of("baseline"), d.baseline()),
            p.doubleValue(List.of("focalLength"), d.focalLength()),
            p.doubleValue(List.of("minDepth"), d.minDepth()),
            p.doubleValue(List.of("maxDepth"), d.maxDepth()),
            p.doubleValue(List.of("maxDisparity"), d.maxDisparity())),
        size,
        p.intValue(List.of("crop", "crop_size"), size),
        p.filter(List.of("resample"), ResampleFilter.BILINEAR),
        p.requiredDouble(List.of("mean"), why),
        p.requiredDouble(List.of("std"), why));
  }

  /** The crop side. */
  public int crop() {
    return geometry.cropHeight();
  }

  /** The disparity parameters. */
  public Disparity disparity() {
    return disparity;
  }

  @Override
  public FloatTensor apply(ScalarImage depth) {
    Objects.requireNonNull(depth, "depth");
    float[] raw = depth.values();
    float[] disp = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      disp[i] = disparity.of(raw[i]);
    }
    return geometry.applyNormalised(disp, depth.width(), depth.height(), mean, std);
  }

  @Override
  public String toString() {
    return "ImageBindDepthPreprocessor["
        + disparity
        + ", "
        + geometry
        + ", mean="
        + mean
        + ", std="
        + std
        + "]";
  }
}
