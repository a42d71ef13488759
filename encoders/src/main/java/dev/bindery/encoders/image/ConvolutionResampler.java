package dev.bindery.encoders.image;

import java.util.Objects;

/**
 * Separable convolution resampling with Pillow's semantics: each output pixel's kernel is centred
 * at {@code (i + 0.5) * in / out}, widened by the downscale factor (antialiasing), clipped to the
 * image and renormalised to sum 1. The 8-bit path reproduces Pillow bit for bit: coefficients in
 * 22-bit fixed point, horizontal pass first, and the intermediate image rounded and clipped to 8
 * bits between the passes. The float path does the same convolution without rounding (what torch's
 * {@code interpolate(..., antialias=True)} computes). Stateless; methods never modify their inputs.
 */
public final class ConvolutionResampler {
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private ConvolutionResampler() {}

  /** One axis worth of kernels: output i reads {@code count[i]} inputs from {@code first[i]}. */
  record Kernels(int[] first, int[] count, double[] weights, int stride) {}

  /** Pillow's {@code precompute_coeffs} for a full-image box. */
  static Kernels kernels(int inSize, int outSize, ResampleFilter filter) {
    double scale = (double) inSize / outSize;
    if (filter == ResampleFilter.NEAREST) {
      return nearest(inSize, outSize, scale);
    }
    double filterScale = Math.max(scale, 1.0);
    double support = filter.support() * filterScale;
    int stride = (int) Math.ceil(support) * 2 + 1;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    double[] weights = new double[outSize * stride];
    double inverse = 1.0 / filterScale;
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      // (int) truncates toward zero, as C's cast does in Pillow.
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize);
      int n = xmax - xmin;
      double sum = 0.0;
      for (int x = 0; x < n; x++) {
        double w = filter.weight((x + xmin - center + 0.5) * inverse);
        weights[xx * stride + x] = w;
        sum += w;
      }
      if (sum != 0.0) {
        for (int x = 0; x < n; x++) {
          weights[xx * stride + x] /= sum;
        }
      }
      first[xx] = xmin;
      count[xx] = n;
    }
    return new Kernels(first, count, weights, stride);
  }

  /** Pillow's {@code ImagingScaleAffine}: a running source coordinate, truncated. */
  private static Kernels nearest(int inSize, int outSize, double scale) {
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    double[] weights = new double[outSize];
    double xo = scale * 0.5;
    for (int xx = 0; xx < outSize; xx++) {
      first[xx] = Math.min((int) xo, inSize - 1);
      count[xx] = 1;
      weights[xx] = 1.0;
      xo += scale;
    }
    return new Kernels(first, count, weights, 1);
  }

  private static int[] fixedPoint(double[] weights) {
    int[] k = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      double w = weights[i] * (1 << PRECISION_BITS);
      k[i] = (int) (w < 0 ? w - 0.5 : w + 0.5);
    }
    return k;
  }

  private static int clip8(int acc) {
    int v = acc >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * Resizes packed {@code 0xRRGGBB} pixels exactly as Pillow resizes an RGB image.
   *
   * @param rgb row-major pixels, {@code width * height} of them
   * @return row-major pixels of the new size (a copy when the size is unchanged)
   */
  public static int[] resizeRgb(
      int[] rgb, int width, int height, int newWidth, int newHeight, ResampleFilter filter) {
    checkSizes(rgb.length, width, height, newWidth, newHeight);
    Objects.requireNonNull(filter, "filter");
    int[] src = rgb;
    int rowOffset = 0;
    Kernels vert = kernels(height, newHeight, filter);
    boolean needVertical = newHeight != height;
    if (newWidth != width) {
      // Only the rows the vertical pass reads are resampled horizontally, as in Pillow.
      int firstRow = needVertical ? vert.first()[0] : 0;
      int lastRow =
          needVertical ? vert.first()[newHeight - 1] + vert.count()[newHeight - 1] : height;
      Kernels horiz = kernels(width, newWidth, filter);
      int[] k = fixedPoint(horiz.weights());
      int rows = lastRow - firstRow;
      int[] tmp = new int[rows * newWidth];
      for (int y = 0; y < rows; y++) {
        int in = (y + firstRow) * width;
        for (int xx = 0; xx < newWidth; xx++) {
          int xmin = horiz.first()[xx];
          int n = horiz.count()[xx];
          int kb = xx * horiz.stride();
          int r = 1 << (PRECISION_BITS - 1);
          int g = r;
          int b = r;
          for (int x = 0; x < n; x++) {
            int p = src[in + xmin + x];
            int w = k[kb + x];
            r += ((p >> 16) & 0xFF) * w;
            g += ((p >> 8) & 0xFF) * w;
            b += (p & 0xFF) * w;
          }
          tmp[y * newWidth + xx] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
        }
      }
      src = tmp;
      rowOffset = firstRow;
    }
    if (!needVertical) {
      return src == rgb ? rgb.clone() : src;
    }
    int[] k = fixedPoint(vert.weights());
    int[] out = new int[newWidth * newHeight];
    for (int yy = 0; yy < newHeight; yy++) {
      int ymin = vert.first()[yy] - rowOffset;
      int n = vert.count()[yy];
      int kb = yy * vert.stride();
      for (int x = 0; x < newWidth; x++) {
        int r = 1 << (PRECISION_BITS - 1);
        int g = r;
        int b = r;
        for (int y = 0; y < n; y++) {
          int p = src[(ymin + y) * newWidth + x];
          int w = k[kb + y];
          r += ((p >> 16) & 0xFF) * w;
          g += ((p >> 8) & 0xFF) * w;
          b += (p & 0xFF) * w;
        }
        out[yy * newWidth + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
      }
    }
    return out;
  }

  /**
   * Resizes one channel of floats with the same kernels, without rounding or clipping.
   *
   * @return row-major values of the new size (a copy when the size is unchanged)
   */
  public static float[] resizeFloat(
      float[] values, int width, int height, int newWidth, int newHeight, ResampleFilter filter) {
    checkSizes(values.length, width, height, newWidth, newHeight);
    Objects.requireNonNull(filter, "filter");
    float[] src = values;
    if (newWidth != width) {
      Kernels horiz = kernels(width, newWidth, filter);
      float[] tmp = new float[height * newWidth];
      for (int y = 0; y < height; y++) {
        int in = y * width;
        for (int xx = 0; xx < newWidth; xx++) {
          int xmin = horiz.first()[xx];
          int kb = xx * horiz.stride();
          double acc = 0.0;
          for (int x = 0, n = horiz.count()[xx]; x < n; x++) {
            acc += src[in + xmin + x] * horiz.weights()[kb + x];
          }
          tmp[y * newWidth + xx] = (float) acc;
        }
      }
      src = tmp;
    }
    if (newHeight == height) {
      return src == values ? values.clone() : src;
    }
    Kernels vert = kernels(height, newHeight, filter);
    float[] out = new float[newWidth * newHeight];
    for (int yy = 0; yy < newHeight; yy++) {
      int ymin = vert.first()[yy];
      int kb = yy * vert.stride();
      for (int x = 0; x < newWidth; x++) {
        double acc = 0.0;
        for (int y = 0, n = vert.count()[yy]; y < n; y++) {
          acc += src[(ymin + y) * newWidth + x] * vert.weights()[kb + y];
        }
        out[yy * newWidth + x] = (float) acc;
      }
    }
    return out;
  }

  private static void checkSizes(int length, int width, int height, int newWidth, int newHeight) {
    if (width < 1 || height < 1 || newWidth < 1 || newHeight < 1) {
      throw new IllegalArgumentException(
          "sizes must be >= 1: " + width + "x" + height + " -> " + newWidth + "x" + newHeight);
    }
    if ((long) width * height != length) {
      throw new IllegalArgumentException(
          "a "
              + width
              + "x"
              + height
              + " image needs "
              + (long) width * height
              + " values, got "
              + length);
    }
  }
}
