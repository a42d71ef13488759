package dev.bindery.encoders.image;

import dev.bindery.encoders.MediaSource;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Decodes PNG, JPEG, GIF, BMP, WebP and TIFF into {@link BufferedImage#TYPE_INT_RGB} sRGB pixels,
 * the way PIL's {@code convert("RGB")} sees them, so that preprocessing can match torchvision:
 *
 * <ul>
 *   <li>alpha (PNG/GIF/WebP/TIFF transparency, palette {@code tRNS}) is composited on white: {@code
 *       c' = round((c * a + 255 * (255 - a)) / 255)} with non-premultiplied {@code c, a};
 *   <li>grey images keep their values ({@code v -> (v, v, v)}); Java's own conversion would apply a
 *       linear-to-sRGB curve that PIL does not;
 *   <li>16-bit samples keep their high byte ({@code v >> 8}), as PIL does when it opens 16-bit
 *       PNGs;
 *   <li>JPEG: CMYK and YCCK with an embedded ICC profile are colour-managed by the TwelveMonkeys
 *       reader; without one they are converted as PIL does ({@code r = 255 - k - c * (255 - k) /
 *       255}); the EXIF Orientation tag (1..8) is applied;
 *   <li>GIF: the first frame only.
 * </ul>
 *
 * The width and height are read from the header before any pixel is decoded, and an image above the
 * pixel limit is rejected (decompression-bomb guard). Every failure is an {@link
 * IllegalArgumentException} whose message starts with the input's name and says why. Readers are
 * disposed on every path. Thread-safe.
 */
public final class ImageDecoder {
  /** The default pixel limit: 100 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  /**
   * The default limit on the decoded raster, 256 MiB: an 8-bit RGBA image of 64 megapixels, or a
   * 16-bit RGBA one of 16. Counting pixels alone let small 16-bit and float files decode to over a
   * gigabyte.
   */
  public static final long DEFAULT_MAX_RASTER_BYTES = 256L << 20;

  private static final Set<String> FORMATS = Set.of("png", "jpeg", "gif", "bmp", "webp", "tiff");
  private static final String UNSUPPORTED =
      "not a supported image (PNG, JPEG, GIF, BMP, WebP, TIFF)";

  private final long maxPixels;
  private final long maxRasterBytes;

  /** A decoder with the default 100-megapixel and 256 MiB raster limits. */
  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  /**
   * @param maxPixels the largest width * height accepted
   */
  public ImageDecoder(long maxPixels) {
    this(maxPixels, DEFAULT_MAX_RASTER_BYTES);
  }

  /**
   * @param maxPixels the largest width * height accepted
   * @param maxRasterBytes the largest decoded raster accepted, pixels x bands x bytes per sample
   */
  public ImageDecoder(long maxPixels, long maxRasterBytes) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("pixel limit must be >= 1, got " + maxPixels);
    }
    if (maxRasterBytes < 1) {
      throw new IllegalArgumentException("raster limit must be >= 1 byte, got " + maxRasterBytes);
    }
    this.maxPixels = maxPixels;
    this.maxRasterBytes = maxRasterBytes;
    // Registers the TwelveMonkeys readers (WebP, CMYK JPEG, TIFF) for context class loaders that
    // did not see them when ImageIO first initialised.
    ImageIO.scanForPlugins();
  }

  /** The pixel limit. */
  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Decodes a file.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable, empty, not a
   *     supported format, truncated or corrupt, or above the pixel limit
   */
  public BufferedImage decode(Path file) {
    return decode(readFile(file), file.toString());
  }

  /**
   * Decodes a file or bytes in memory, named in messages by {@link MediaSource#describe()}.
   *
   * @throws IllegalArgumentException as {@link #decode(Path)}
   */
  public BufferedImage decode(MediaSource media) {
    return switch (media) {
      case MediaSource.File f -> decode(f.path());
      case MediaSource.Bytes b -> decode(b.bytes(), b.name());
    };
  }

  /** A file's bytes, for both decoders; a missing or unreadable file is the caller's mistake. */
  static byte[] readFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e, e);
    }
  }

  /**
   * Decodes bytes; {@code name} identifies them in messages (a file name or URL).
   *
   * @throws IllegalArgumentException as {@link #decode(Path)}
   */
  public BufferedImage decode(byte[] bytes, String name) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(name, "name");
    JpegSegments.JpegFacts jpeg = JpegSegments.facts(bytes);
    // A CMYK JPEG without a profile has no defined colours; convert it as PIL does rather than
    // through a generic press profile (which shifts every colour against the reference).
    boolean naiveCmyk = jpeg.components() == 4 && !jpeg.iccProfile();
    GuardedImageRead.Result r =
        GuardedImageRead.read(
            bytes, name, maxPixels, maxRasterBytes, FORMATS, UNSUPPORTED, naiveCmyk);
    BufferedImage rgb = toRgb(r.image(), jpeg.adobe());
    int orientation = r.format().equals("jpeg") ? jpeg.orientation() : 1;
    if (orientation == 1) {
      return rgb;
    }
    int[] src = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    int[] dst = new int[src.length];
    int[] size = JpegSegments.apply(orientation, src, rgb.getWidth(), rgb.getHeight(), dst);
    BufferedImage out = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
    System.arraycopy(
        dst, 0, ((DataBufferInt) out.getRaster().getDataBuffer()).getData(), 0, dst.length);
    return out;
  }

  /** Converts any decoded image to opaque TYPE_INT_RGB with the rules in the class comment. */
  static BufferedImage toRgb(BufferedImage src) {
    return toRgb(src, false);
  }

  /**
   * @param invertedCmyk CMYK samples are stored inverted (Adobe JPEGs), as PIL's "CMYK;I"
   */
  static BufferedImage toRgb(BufferedImage src, boolean invertedCmyk) {
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    ColorModel cm = src.getColorModel();
    Raster raster = src.getRaster();
    if (cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK
        && raster.getNumBands() == 4
        && raster.getSampleModel().getSampleSize(0) == 8) {
      // PIL's cmyk2rgb: c' = 255 - k - c * (255 - k) / 255 (rounded), no colour management.
      int[] row = new int[w * 4];
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        if (invertedCmyk) {
          for (int i = 0; i < row.length; i++) {
            row[i] = 255 - row[i];
          }
        }
        for (int x = 0; x < w; x++) {
          int nk = 255 - row[4 * x + 3];
          int r = nk - mulDiv255(row[4 * x], nk);
          int g = nk - mulDiv255(row[4 * x + 1], nk);
          int b = nk - mulDiv255(row[4 * x + 2], nk);
          dst[y * w + x] = clamp8(r) << 16 | clamp8(g) << 8 | clamp8(b);
        }
      }
      return out;
    }
    if (samplesAreDisplayValues(cm, raster)) {
      boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
      int bands = raster.getNumBands();
      int[] bits = raster.getSampleModel().getSampleSize();
      int[] row = new int[w * bands];
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        for (int x = 0; x < w; x++) {
          int o = x * bands;
          int r = to8(row[o], bits[0]);
          int g = gray ? r : to8(row[o + 1], bits[1]);
          int b = gray ? r : to8(row[o + 2], bits[2]);
          int a = cm.hasAlpha() ? to8(row[o + bands - 1], bits[bands - 1]) : 255;
          dst[y * w + x] = composite(r, g, b, a);
        }
      }
      return out;
    }
    // Palettes (their entries are sRGB), CMYK already converted by the reader, other colour
    // spaces: the colour model converts to non-premultiplied sRGB.
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      src.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        dst[y * w + x] = composite((p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF, p >>> 24);
      }
    }
    return out;
  }

  /** Gray or sRGB integer samples of 1..16 bits, not premultiplied: read them as they are. */
  private static boolean samplesAreDisplayValues(ColorModel cm, Raster raster) {
    if (cm instanceof IndexColorModel || cm.isAlphaPremultiplied()) {
      return false;
    }
    ColorSpace cs = cm.getColorSpace();
    boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1;
    if (!gray && !cs.isCS_sRGB()) {
      return false;
    }
    if (cm.getNumComponents() != raster.getNumBands()) {
      return false;
    }
    int type = raster.getSampleModel().getDataType();
    if (type == java.awt.image.DataBuffer.TYPE_FLOAT
        || type == java.awt.image.DataBuffer.TYPE_DOUBLE) {
      return false;
    }
    for (int s : raster.getSampleModel().getSampleSize()) {
      if (s < 1 || s > 16) {
        return false;
      }
    }
    return true;
  }

  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  }

  private static int clamp8(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static int to8(int v, int bits) {
    if (bits == 8) {
      return v;
    }
    if (bits == 16) {
      return v >>> 8;
    }
    if (bits > 8) {
      return v >>> (bits - 8);
    }
    return v * 255 / ((1 << bits) - 1);
  }

  private static int composite(int r, int g, int b, int a) {
    if (a == 255) {
      return r << 16 | g << 8 | b;
    }
    // Over white, rounded half up; (c * a + 255 * (255 - a)) / 255 is never exactly .5.
    int bg = 255 * (255 - a) + 127;
    return ((r * a + bg) / 255) << 16 | ((g * a + bg) / 255) << 8 | (b * a + bg) / 255;
  }

  @Override
  public String toString() {
    return "ImageDecoder[maxPixels=" + maxPixels + "]";
  }
}
