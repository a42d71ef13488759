package dev.bindery.encoders.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * One ImageIO decode with the checks both image decoders need: a known format, the pixel count read
 * from the header before any pixel is decoded (decompression-bomb guard), truncation turned into an
 * error (the JPEG reader only warns and returns grey), and the reader always disposed.
 */
final class GuardedImageRead {
  /** What a read produced. */
  record Result(BufferedImage image, String format) {}

  private GuardedImageRead() {}

  /**
   * @param formats lower-case ImageIO format names accepted (others count as unsupported)
   * @param unsupported the message tail for unsupported input, e.g. {@code not a supported image
   *     (PNG, ...)}
   */
  static Result read(
      byte[] bytes, String name, long maxPixels, Set<String> formats, String unsupported) {
    return read(bytes, name, maxPixels, formats, unsupported, false);
  }

  /**
   * @param rawCmyk ask the reader for its CMYK image type, when it offers one, instead of its
   *     colour-managed RGB conversion
   */
  static Result read(
      byte[] bytes,
      String name,
      long maxPixels,
      Set<String> formats,
      String unsupported,
      boolean rawCmyk) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException(name + ": empty file (0 bytes), " + unsupported);
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = reader(in, formats);
      if (reader == null) {
        throw new IllegalArgumentException(name + ": " + unsupported);
      }
      try {
        return decode(reader, in, name, maxPixels, rawCmyk);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      // Only close() can get here: reads from a byte array do not fail on their own.
      throw new UncheckedIOException(name + ": " + e.getMessage(), e);
    }
  }

  private static ImageReader reader(ImageInputStream in, Set<String> formats) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    while (readers.hasNext()) {
      ImageReader r = readers.next();
      if (formats.contains(format(r))) {
        return r;
      }
      r.dispose();
    }
    return null;
  }

  private static String format(ImageReader r) {
    try {
      return r.getFormatName().toLowerCase(Locale.ROOT);
    } catch (IOException e) {
      return "";
    }
  }

  private static Result decode(
      ImageReader reader, ImageInputStream in, String name, long maxPixels, boolean rawCmyk) {
    String format = format(reader);
    List<String> warnings = new ArrayList<>();
    IIOReadWarningListener listener = (source, warning) -> warnings.add(warning);
    reader.addIIOReadWarningListener(listener);
    int width;
    int height;
    BufferedImage image;
    try {
      reader.setInput(in, true, false);
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      throw corrupt(name, format, "cannot read the header: " + e.getMessage(), e);
    }
    long pixels = (long) width * height;
    if (width < 1 || height < 1 || pixels > maxPixels) {
      throw new IllegalArgumentException(
          name
              + ": "
              + format.toUpperCase(Locale.ROOT)
              + " image is "
              + width
              + "x"
              + height
              + " = "
              + pixels
              + " pixels, above the limit of "
              + maxPixels
              + " (decompression-bomb guard; raise the decoder's pixel limit to accept it)");
    }
    try {
      ImageReadParam param = reader.getDefaultReadParam();
      if (rawCmyk) {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        while (types.hasNext()) {
          ImageTypeSpecifier t = types.next();
          if (t.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
            param.setDestinationType(t);
            break;
          }
        }
      }
      image = reader.read(0, param);
    } catch (IOException | RuntimeException e) {
      throw corrupt(name, format, e.getMessage(), e);
    }
    for (String w : warnings) {
      String lower = w.toLowerCase(Locale.ROOT);
      if (lower.contains("premature end") || lower.contains("truncat")) {
        throw corrupt(name, format, w, null);
      }
    }
    return new Result(image, format);
  }

  private static IllegalArgumentException corrupt(
      String name, String format, String detail, Throwable cause) {
    return new IllegalArgumentException(
        name
            + ": truncated or corrupt "
            + format.toUpperCase(Locale.ROOT)
            + " image"
            + (detail == null || detail.isBlank() ? "" : " (" + detail + ")"),
        cause);
  }
}
