package dev.bindery.encoders.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Preprocessor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * CLIP's image transform as torchvision runs it on a PIL image: {@code Resize(size)} of the
 * shortest side with PIL's antialiased kernel, {@code CenterCrop(crop)}, {@code ToTensor()} (/255)
 * and {@code Normalize(mean, std)}, giving a CHW float tensor {@code [3, crop, crop]}. ImageBind's
 * vision tower uses the same transform at 224 with CLIP's mean and std.
 *
 * <p>Input is an RGB image as {@link ImageDecoder} produces it (alpha already composited on white).
 * Pure and thread-safe; the resampling is {@link ConvolutionResampler}'s bit-exact copy of
 * Pillow's.
 */
public final class ClipImagePreprocessor implements Preprocessor<BufferedImage> {
  /** OpenAI CLIP's per-channel mean (RGB), also ImageBind's. */
  public static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);

  /** OpenAI CLIP's per-channel standard deviation (RGB), also ImageBind's. */
  public static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);

  private static final Set<String> KEYS =
      Set.of(
          "size",
          "crop",
          "crop_size",
          "mean",
          "image_mean",
          "std",
          "image_std",
          "resample",
          "centerCrop",
          "do_center_crop",
          "rescale",
          "rescale_factor",
          "resizeMode");

  private final ResizeCrop geometry;
  private final float[] mean;
  private final float[] std;
  private final float rescale;

  /**
   * @param size the shortest side after resizing
   * @param crop the side of the square centre crop
   * @param mean per-channel mean, RGB
   * @param std per-channel standard deviation, RGB, each > 0
   * @param resample the resampling kernel (CLIP: bicubic)
   * @param centerCrop false skips the crop (output {@code [3, h, w]} of the resized image)
   */
  public ClipImagePreprocessor(
      int size,
      int crop,
      double[] mean,
      double[] std,
      ResampleFilter resample,
      boolean centerCrop) {
    this(ResizeCrop.shortest(size, crop, resample, centerCrop), mean, std, 1.0 / 255.0);
  }

  private ClipImagePreprocessor(ResizeCrop geometry, double[] mean, double[] std, double rescale) {
    this.geometry = geometry;
    this.mean = channels("mean", mean, false);
    this.std = channels("std", std, true);
    if (!(rescale > 0) || !Double.isFinite(rescale)) {
      throw new IllegalArgumentException("rescale must be finite and > 0, got " + rescale);
    }
    this.rescale = (float) rescale;
  }

  private static float[] channels(String what, double[] v, boolean positive) {
    Objects.requireNonNull(v, what);
    if (v.length != 3) {
      throw new IllegalArgumentException(
          what + " needs 3 values (R, G, B), got " + Arrays.toString(v));
    }
    float[] f = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!Double.isFinite(v[i]) || (positive && !(v[i] > 0))) {
        throw new IllegalArgumentException(
            what
                + " must be finite"
                + (positive ? " and > 0" : "")
                + ", got "
                + Arrays.toString(v));
      }
      // torchvision holds mean and std as float32 tensors.
      f[i] = (float) v[i];
    }
    return f;
  }

  /** CLIP at {@code size} (224 for ViT-B/32 and ImageBind): bicubic, centre crop, CLIP mean/std. */
  public static ClipImagePreprocessor clip(int size) {
    return new ClipImagePreprocessor(
        size, size, toArray(CLIP_MEAN), toArray(CLIP_STD), ResampleFilter.BICUBIC, true);
  }

  private static double[] toArray(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * Builds one from a tower's {@code preprocess} object (Hugging Face's snake_case spellings are
   * accepted too):
   *
   * <ul>
   *   <li>{@code size}: an int n or {@code {"shortest_edge": n}} resizes the shortest edge to n; a
   *       pair {@code [h, w]} or {@code {"height", "width"}} resizes to exactly h x w;
   *   <li>{@code resizeMode}: {@code shortest} (default), {@code longest} (open_clip: the longest
   *       edge becomes {@code size}, then the crop pads), {@code squash} (exactly size x size);
   *   <li>{@code crop}/{@code crop_size}: int or pair (default: the size); {@code
   *       centerCrop}/{@code do_center_crop} (default true);
   *   <li>{@code resample}: {@code bicubic} (default), {@code bilinear}, {@code nearest}, {@code
   *       box}, {@code hamming}, {@code lanczos}, or PIL's codes 0..5;
   *   <li>{@code mean}/{@code image_mean}, {@code std}/{@code image_std} (default CLIP's), {@code
   *       rescale}/{@code rescale_factor} (default 1/255).
   * </ul>
   *
   * @param defaultSize the size when the object has none
   * @param where names the tower in messages
   */
  public static ClipImagePreprocessor fromJson(JsonNode preprocess, int defaultSize, String where) {
    PreprocessParams p = new PreprocessParams(preprocess, where, KEYS);
    JsonNode sizeNode = p.raw(List.of("size"));
    ResizeCrop.Mode mode;
    try {
      mode = ResizeCrop.Mode.fromName(p.text(List.of("resizeMode"), "shortest"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": preprocess.resizeMode: " + e.getMessage(), e);
    }
    int[] size;
    if (sizeNode != null && sizeNode.isObject() && sizeNode.has("shortest_edge")) {
      size =
          new int[] {sizeNode.get("shortest_edge").asInt(), sizeNode.get("shortest_edge").asInt()};
    } else {
      size = p.heightWidth(List.of("size"), defaultSize);
      boolean pair = sizeNode != null && (sizeNode.isArray() || sizeNode.isObject());
      if (pair && mode == ResizeCrop.Mode.SHORTEST) {
        mode = ResizeCrop.Mode.EXACT;
      }
    }
    int[] crop = p.heightWidth(List.of("crop", "crop_size"), Math.min(size[0], size[1]));
    ResizeCrop geometry;
    try {
      geometry =
          new ResizeCrop(
              mode,
              size[0],
              size[1],
              crop[0],
              crop[1],
              p.bool(List.of("centerCrop", "do_center_crop"), true),
              p.filter(List.of("resample"), ResampleFilter.BICUBIC));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    return new ClipImagePreprocessor(
        geometry,
        p.doubles(List.of("mean", "image_mean"), 3, toArray(CLIP_MEAN)),
        p.doubles(List.of("std", "image_std"), 3, toArray(CLIP_STD)),
        p.doubleValue(List.of("rescale", "rescale_factor"), 1.0 / 255.0));
  }

  /**
   * The {@code {height, width}} of every output when it does not depend on the input (a crop or an
   * exact resize), else empty.
   */
  public Optional<int[]> fixedOutputSize() {
    return Optional.ofNullable(geometry.fixedOutputSize());
  }

  @Override
  public FloatTensor apply(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    int w = image.getWidth();
    int h = image.getHeight();
    int[] rgb = packedRgb(image);
    ResizeCrop.RgbPlane plane = geometry.apply(rgb, w, h);
    int n = plane.width() * plane.height();
    float[] out = new float[3 * n];
    int[] px = plane.pixels();
    // ToTensor divides by 255 (exactly, in float32); a package's other rescale multiplies.
    boolean divide = rescale == (float) (1.0 / 255.0);
    float k = divide ? 255f : rescale;
    for (int i = 0; i < n; i++) {
      int p = px[i];
      float r = (p >> 16) & 0xFF;
      float g = (p >> 8) & 0xFF;
      float b = p & 0xFF;
      out[i] = ((divide ? r / k : r * k) - mean[0]) / std[0];
      out[n + i] = ((divide ? g / k : g * k) - mean[1]) / std[1];
      out[2 * n + i] = ((divide ? b / k : b * k) - mean[2]) / std[2];
    }
    return FloatTensor.of(out, 3, plane.height(), plane.width());
  }

  private static int[] packedRgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB
        && image.getRaster().getDataBuffer() instanceof DataBufferInt db
        && db.getNumBanks() == 1
        && db.getOffset() == 0
        && image.getRaster().getParent() == null
        && db.getData().length == image.getWidth() * image.getHeight()) {
      // Masking happens in apply(); the unused top byte of TYPE_INT_RGB is ignored there.
      return db.getData();
    }
    // Other types go through getRGB (colour model conversion, alpha ignored): use ImageDecoder
    // for PIL-compatible alpha and gray handling.
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  @Override
  public String toString() {
    return "ClipImagePreprocessor["
        + geometry
        + ", mean="
        + Arrays.toString(mean)
        + ", std="
        + Arrays.toString(std)
        + (rescale == (float) (1.0 / 255.0) ? "" : ", rescale=" + rescale)
        + "]";
  }
}
