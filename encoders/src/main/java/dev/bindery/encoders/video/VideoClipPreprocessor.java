package dev.bindery.encoders.video;

import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * ImageBind's video clip transform, pure and deterministic: the frames of one clip (T RGB images of
 * equal size) become a {@code [crops, 3, T, size, size]} tensor.
 *
 * <ol>
 *   <li>{@code clip / 255} in float32.
 *   <li>{@code ShortSideScale(size)} (pytorchvideo, pytorch backend): the short side becomes {@code
 *       size}, the long side {@code floor(long / short * size)}; resampled with {@code
 *       torch.nn.functional.interpolate(mode="bilinear", align_corners=False)} and no antialiasing
 *       — not PIL's bicubic that ImageBind and CLIP use for still images, which is why this does
 *       not reuse the image tower's preprocessor.
 *   <li>{@code NormalizeVideo(mean, std)}: {@code (x - mean) / std} per channel.
 *   <li>{@code SpatialCrop(size, num_crops)}: 3 crops (left/centre/right of a landscape frame,
 *       top/centre/bottom of a portrait one) as ImageBind does, or only the centre one; offsets
 *       {@code ceil((H - size) / 2)} and {@code ceil((W - size) / 2)} for the centre.
 * </ol>
 *
 * The encoder averages the embeddings of the crops, as ImageBind averages all views of a video.
 *
 * @param size short side after scaling and side of the square crops (ImageBind: 224)
 * @param crops 3 (ImageBind) or 1 (centre crop only)
 * @param mean per-channel mean (CLIP's)
 * @param std per-channel standard deviation (CLIP's)
 */
public record VideoClipPreprocessor(int size, int crops, float[] mean, float[] std)
    implements Preprocessor<List<BufferedImage>> {
  /** ImageBind's: 224, 3 crops, CLIP mean and std. */
  public static final VideoClipPreprocessor IMAGEBIND =
      new VideoClipPreprocessor(
          224,
          3,
          new float[] {0.48145466f, 0.4578275f, 0.40821073f},
          new float[] {0.26862954f, 0.26130258f, 0.27577711f});

  public VideoClipPreprocessor {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, got " + size);
    }
    if (crops != 1 && crops != 3) {
      throw new IllegalArgumentException("spatial crops must be 1 or 3, got " + crops);
    }
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(std, "std");
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException(
          "mean and std need 3 values, got "
              + Arrays.toString(mean)
              + " and "
              + Arrays.toString(std));
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std values must be > 0, got " + Arrays.toString(std));
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** A copy with another number of spatial crops. */
  public VideoClipPreprocessor withCrops(int n) {
    return new VideoClipPreprocessor(size, n, mean, std);
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /**
   * Transforms one clip.
   *
   * @param frames T >= 1 frames of equal size
   * @return {@code [crops, 3, T, size, size]}
   */
  @Override
  public FloatTensor apply(List<BufferedImage> frames) {
    if (frames == null || frames.isEmpty()) {
      throw new IllegalArgumentException("a clip needs at least one frame");
    }
    int w = frames.get(0).getWidth();
    int h = frames.get(0).getHeight();
    for (BufferedImage f : frames) {
      if (f.getWidth() != w || f.getHeight() != h) {
        throw new IllegalArgumentException(
            "clip frames differ in size: "
                + w
                + "x"
                + h
                + " and "
                + f.getWidth()
                + "x"
                + f.getHeight());
      }
    }
    int nh;
    int nw;
    if (w < h) {
      nw = size;
      nh = (int) Math.floor((double) h / w * size);
    } else {
      nh = size;
      nw = (int) Math.floor((double) w / h * size);
    }
    Axis ys = new Axis(h, nh);
    Axis xs = new Axis(w, nw);
    int t = frames.size();
    int[][] offsets = cropOffsets(nh, nw);
    int plane = size * size;
    float[] out = new float[crops * 3 * t * plane];
    float[] scaled = new float[nh * nw];
    int[] rgb = new int[w * h];
    float[] chan = new float[w * h];
    for (int ti = 0; ti < t; ti++) {
      frames.get(ti).getRGB(0, 0, w, h, rgb, 0, w);
      for (int c = 0; c < 3; c++) {
        int shift = 16 - 8 * c;
        for (int i = 0; i < rgb.length; i++) {
          chan[i] = ((rgb[i] >> shift) & 0xFF) / 255f;
        }
        resize(chan, w, ys, xs, scaled, nw);
        for (int k = 0; k < crops; k++) {
          int y0 = offsets[k][0];
          int x0 = offsets[k][1];
          int base = ((k * 3 + c) * t + ti) * plane;
          for (int y = 0; y < size; y++) {
            int src = (y0 + y) * nw + x0;
            int dst = base + y * size;
            for (int x = 0; x < size; x++) {
              out[dst + x] = (scaled[src + x] - mean[c]) / std[c];
            }
          }
        }
      }
    }
    return FloatTensor.of(out, crops, 3, t, size, size);
  }

  /** {y, x} offsets of each crop, in ImageBind's order (0, 1, 2 = start, centre, end). */
  int[][] cropOffsets(int nh, int nw) {
    int yc = (int) Math.ceil((nh - size) / 2.0);
    int xc = (int) Math.ceil((nw - size) / 2.0);
    int[] idx = crops == 3 ? new int[] {0, 1, 2} : new int[] {1};
    int[][] out = new int[idx.length][];
    for (int k = 0; k < idx.length; k++) {
      int y = yc;
      int x = xc;
      if (nh > nw) {
        y = idx[k] == 0 ? 0 : idx[k] == 2 ? nh - size : yc;
      } else {
        x = idx[k] == 0 ? 0 : idx[k] == 2 ? nw - size : xc;
      }
      out[k] = new int[] {y, x};
    }
    return out;
  }

  /** Source indices and weights of torch's bilinear interpolation along one axis. */
  private static final class Axis {
    final int[] i0;
    final int[] i1;
    final float[] l0;
    final float[] l1;

    Axis(int in, int out) {
      i0 = new int[out];
      i1 = new int[out];
      l0 = new float[out];
      l1 = new float[out];
      // area_pixel_compute_scale / _source_index with align_corners=False, in float32
      float scale = (float) in / out;
      for (int d = 0; d < out; d++) {
        float src = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
        int a = (int) src;
        int b = a + (a < in - 1 ? 1 : 0);
        float lambda = src - a;
        i0[d] = a;
        i1[d] = b;
        l1[d] = lambda;
        l0[d] = 1f - lambda;
      }
    }
  }

  private static void resize(float[] src, int w, Axis ys, Axis xs, float[] dst, int nw) {
    int nh = ys.i0.length;
    for (int y = 0; y < nh; y++) {
      int r0 = ys.i0[y] * w;
      int r1 = ys.i1[y] * w;
      float h0 = ys.l0[y];
      float h1 = ys.l1[y];
      int o = y * nw;
      for (int x = 0; x < nw; x++) {
        int a = xs.i0[x];
        int b = xs.i1[x];
        float w0 = xs.l0[x];
        float w1 = xs.l1[x];
        dst[o + x] =
            h0 * (w0 * src[r0 + a] + w1 * src[r0 + b]) + h1 * (w0 * src[r1 + a] + w1 * src[r1 + b]);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VideoClipPreprocessor p
        && p.size == size
        && p.crops == crops
        && Arrays.equals(p.mean, mean)
        && Arrays.equals(p.std, std);
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, crops, Arrays.hashCode(mean), Arrays.hashCode(std));
  }

  @Override
  public String toString() {
    return "VideoClipPreprocessor[size="
        + size
        + ", crops="
        + crops
        + ", mean="
        + Arrays.toString(mean)
        + ", std="
        + Arrays.toString(std)
        + "]";
  }
}
