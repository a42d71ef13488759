package dev.bindery.encoders.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Preprocessor;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * ImageBind's thermal input: a one-channel image scaled to [0, 1] by its full scale (/255 for
 * 8-bit, /65535 for 16-bit), resized so the shortest side is {@code size} (PIL-style antialiased
 * kernel, computed in float), centre-cropped to {@code crop} and normalised, giving {@code [1,
 * crop, crop]}. Pure and thread-safe.
 *
 * <p>Not verifiable offline: ImageBind's repository ships no thermal loader. The defaults follow
 * the community loader proposed in facebookresearch/ImageBind PR #73 (bicubic resize to 224, centre
 * crop, mean 0.48145466, std 0.26862954, i.e. CLIP's red channel); a package for real weights
 * should state its own values.
 */
public final class ImageBindThermalPreprocessor implements Preprocessor<ScalarImage> {
  /** Default mean (CLIP's first channel, as in ImageBind PR #73). */
  public static final double DEFAULT_MEAN = 0.48145466;

  /** Default standard deviation (CLIP's first channel, as in ImageBind PR #73). */
  public static final double DEFAULT_STD = 0.26862954;

  private static final Set<String> KEYS =
      Set.of("size", "crop", "crop_size", "mean", "image_mean", "std", "image_std", "resample");

  private final ResizeCrop geometry;
  private final float mean;
  private final float std;

  /**
   * @param size shortest side after resizing
   * @param crop side of the centre crop (the model's input height and width)
   * @param resample the kernel
   * @param mean subtracted after scaling to [0, 1]
   * @param std divides after the mean, > 0
   */
  public ImageBindThermalPreprocessor(
      int size, int crop, ResampleFilter resample, double mean, double std) {
    this.geometry = ResizeCrop.shortest(size, crop, resample, true);
    if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException(
          "thermal mean must be finite and std finite and > 0, got mean=" + mean + ", std=" + std);
    }
    this.mean = (float) mean;
    this.std = (float) std;
  }

  /** 224, bicubic, the PR #73 mean and std. */
  public static ImageBindThermalPreprocessor defaults() {
    return new ImageBindThermalPreprocessor(
        224, 224, ResampleFilter.BICUBIC, DEFAULT_MEAN, DEFAULT_STD);
  }

  /**
   * From a tower's {@code preprocess} object ({@code size}, {@code crop}, {@code resample}, {@code
   * mean}, {@code std}).
   */
  public static ImageBindThermalPreprocessor fromJson(JsonNode preprocess, String where) {
    PreprocessParams p = new PreprocessParams(preprocess, where, KEYS);
    int size = p.intValue(List.of("size"), 224);
    return new ImageBindThermalPreprocessor(
        size,
        p.intValue(List.of("crop", "crop_size"), size),
        p.filter(List.of("resample"), ResampleFilter.BICUBIC),
        p.doubleValue(List.of("mean", "image_mean"), DEFAULT_MEAN),
        p.doubleValue(List.of("std", "image_std"), DEFAULT_STD));
  }

  /** The crop side. */
  public int crop() {
    return geometry.cropHeight();
  }

  @Override
  public FloatTensor apply(ScalarImage image) {
    Objects.requireNonNull(image, "image");
    float[] v = image.values();
    float[] scaled = new float[v.length];
    float full = image.fullScale();
    for (int i = 0; i < v.length; i++) {
      scaled[i] = v[i] / full;
    }
    return geometry.applyNormalised(scaled, image.width(), image.height(), mean, std);
  }

  @Override
  public String toString() {
    return "ImageBindThermalPreprocessor[" + geometry + ", mean=" + mean + ", std=" + std + "]";
  }
}
