package dev.bindery.encoders.image;

import dev.bindery.encoders.NpyArray;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Decodes depth and thermal maps into a {@link ScalarImage} with their raw values: 16-bit grey PNG
 * and TIFF keep 0..65535 (not scaled to 8 bits), float TIFF keeps floats, 8-bit grey images keep
 * 0..255, and {@code .npy} arrays ({@code f4}, {@code f8}, {@code u1}, {@code u2}, {@code i2},
 * {@code i4}; shape {@code (H, W)}, {@code (1, H, W)} or {@code (H, W, 1)}) keep their values.
 * Colour images (a thermal camera's false-colour JPEG, say) become PIL's "L" luma, {@code (R *
 * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16}. The pixel limit and error messages are those of
 * {@link ImageDecoder}. Thread-safe.
 */
public final class ScalarImageDecoder {
  private static final Set<String> FORMATS = Set.of("png", "tiff", "jpeg", "gif", "bmp", "webp");
  private static final String UNSUPPORTED =
      "not a supported depth/thermal map (16-bit or 8-bit PNG or TIFF, NPY, or an 8-bit JPEG, GIF,"
          + " BMP, WebP)";

  private final long maxPixels;

  /** A decoder with {@link ImageDecoder#DEFAULT_MAX_PIXELS}. */
  public ScalarImageDecoder() {
    this(ImageDecoder.DEFAULT_MAX_PIXELS);
  }

  /**
   * @param maxPixels the largest width * height accepted
   */
  public ScalarImageDecoder(long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("pixel limit must be >= 1, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
    javax.imageio.ImageIO.scanForPlugins();
  }

  /**
   * Decodes a file.
   *
   * @throws IllegalArgumentException naming the file when it is missing, empty, of an unsupported
   *     format or dtype, truncated, or above the pixel limit
   */
  public ScalarImage decode(Path file) {
    return decode(ImageDecoder.readFile(file), file.toString());
  }

  /** Decodes bytes; {@code name} identifies them in messages. */
  public ScalarImage decode(byte[] bytes, String name) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(name, "name");
    if (NpyArray.isNpy(bytes)) {
      return fromNpy(NpyArray.parse(bytes, name, maxPixels), name);
    }
    GuardedImageRead.Result r =
        GuardedImageRead.read(
            bytes, name, maxPixels, ImageDecoder.DEFAULT_MAX_RASTER_BYTES, FORMATS, UNSUPPORTED);
    return fromImage(r.image());
  }

  private static ScalarImage fromNpy(NpyArray a, String name) {
    long[] s = a.shape();
    int h;
    int w;
    if (s.length == 2) {
      h = (int) s[0];
      w = (int) s[1];
    } else if (s.length == 3 && s[0] == 1) {
      h = (int) s[1];
      w = (int) s[2];
    } else if (s.length == 3 && s[2] == 1) {
      h = (int) s[0];
      w = (int) s[1];
    } else {
      throw new IllegalArgumentException(
          name
              + ": a depth/thermal .npy must have shape (H, W), (1, H, W) or (H, W, 1), got "
              + Arrays.toString(s));
    }
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException(name + ": empty .npy map of shape " + Arrays.toString(s));
    }
    float full =
        switch (a.dtype()) {
          case "u1" -> 255f;
          case "u2" -> 65535f;
          default -> 1f;
        };
    return new ScalarImage(w, h, a.data(), full);
  }

  private static ScalarImage fromImage(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    Raster raster = img.getRaster();
    int type = raster.getDataBuffer().getDataType();
    float[] v = new float[w * h];
    boolean colour =
        img.getColorModel() instanceof IndexColorModel
            || img.getColorModel().getNumColorComponents() > 1;
    if (colour) {
      BufferedImage rgb = ImageDecoder.toRgb(img);
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        rgb.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int p = row[x];
          v[y * w + x] =
              (((p >> 16) & 0xFF) * 19595 + ((p >> 8) & 0xFF) * 38470 + (p & 0xFF) * 7471 + 0x8000)
                  >> 16;
        }
      }
      return new ScalarImage(w, h, v, 255f);
    }
    // Band 0 is the grey value; a second band, if any, is alpha and ignored.
    raster.getSamples(0, 0, w, h, 0, v);
    int bits = raster.getSampleModel().getSampleSize(0);
    float full =
        type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE
            ? 1f
            : (float) ((1L << bits) - 1);
    return new ScalarImage(w, h, v, full);
  }

  @Override
  public String toString() {
    return "ScalarImageDecoder[maxPixels=" + maxPixels + "]";
  }
}
