package dev.bindery.encoders.image;

import java.util.Arrays;
import java.util.Locale;

/**
 * The interpolation kernels of Pillow's convolution resampler (its {@code Resample.c}), which
 * torchvision calls for PIL images and which torch's antialiased {@code interpolate} reproduces.
 */
public enum ResampleFilter {
  /**
   * Nearest neighbour (PIL {@code NEAREST}, code 0): no convolution, source pixel {@code (int)((i +
   * 0.5) * scale)}.
   */
  NEAREST(0.0, 0) {
    @Override
    double weight(double x) {
      return x == 0.0 ? 1.0 : 0.0;
    }
  },
  /** Box kernel, support 0.5 (PIL {@code BOX}, code 4). */
  BOX(0.5, 4) {
    @Override
    double weight(double x) {
      return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
    }
  },
  /** Triangle kernel, support 1 (PIL {@code BILINEAR}, code 2). */
  BILINEAR(1.0, 2) {
    @Override
    double weight(double x) {
      double ax = Math.abs(x);
      return ax < 1.0 ? 1.0 - ax : 0.0;
    }
  },
  /** Hamming-windowed sinc, support 1 (PIL {@code HAMMING}, code 5). */
  HAMMING(1.0, 5) {
    @Override
    double weight(double x) {
      double ax = Math.abs(x);
      if (ax == 0.0) {
        return 1.0;
      }
      if (ax >= 1.0) {
        return 0.0;
      }
      ax *= Math.PI;
      return Math.sin(ax) / ax * (0.54 + 0.46 * Math.cos(ax));
    }
  },
  /** Keys cubic kernel with a = -0.5, support 2 (PIL {@code BICUBIC}, code 3). */
  BICUBIC(2.0, 3) {
    @Override
    double weight(double x) {
      // a = -0.5 as in PIL; torch's non-antialiased bicubic uses -0.75, which is a different image.
      final double a = -0.5;
      double ax = Math.abs(x);
      if (ax < 1.0) {
        return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1.0;
      }
      if (ax < 2.0) {
        return (((ax - 5.0) * ax + 8.0) * ax - 4.0) * a;
      }
      return 0.0;
    }
  },
  /** Lanczos with three lobes, support 3 (PIL {@code LANCZOS}, code 1). */
  LANCZOS(3.0, 1) {
    @Override
    double weight(double x) {
      return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
    }
  };

  private static double sinc(double x) {
    if (x == 0.0) {
      return 1.0;
    }
    x *= Math.PI;
    return Math.sin(x) / x;
  }

  private final double support;
  private final int pilCode;

  ResampleFilter(double support, int pilCode) {
    this.support = support;
    this.pilCode = pilCode;
  }

  /** The kernel's value at distance {@code x} (in source pixels at scale 1). */
  abstract double weight(double x);

  /** Kernel radius at scale 1; downscaling by s widens it to {@code support * s} (antialiasing). */
  public double support() {
    return support;
  }

  /**
   * Parses a name such as {@code bicubic} (case-insensitive), or PIL's integer code (0 nearest, 1
   * lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming) as Hugging Face's {@code
   * preprocessor_config.json} writes it.
   */
  public static ResampleFilter fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (ResampleFilter f : values()) {
      if (f.name().toLowerCase(Locale.ROOT).equals(n) || String.valueOf(f.pilCode).equals(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown resample filter '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList()
            + " (or PIL codes 0..5)");
  }
}
