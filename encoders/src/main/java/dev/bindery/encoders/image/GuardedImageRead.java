package dev.bindery.encoders.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
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
 * One ImageIO decode with the checks both image decoders need: a known format, the pixel count and
 * the decoded raster's bytes (pixels x bands x bytes per sample) read from the header before any
 * pixel is decoded (decompression-bomb guard), truncation turned into an error (the JPEG reader
 * only warns and returns grey), and the reader always disposed.
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
      byte[] bytes,
      String name,
      long maxPixels,
      long maxRasterBytes,
      Set<String> formats,
      String unsupported) {
    return read(bytes, name, maxPixels, maxRasterBytes, formats, unsupported, false);
  }

  /**
   * @param rawCmyk ask the reader for its CMYK image type, when it offers one, instead of its
   *     colour-managed RGB conversion
   */
  static Result read(
      byte[] bytes,
      String name,
      long maxPixels,
      long maxRasterBytes,
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
        return decode(reader, in, name, maxPixels, maxRasterBytes, rawCmyk);
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
      ImageReader reader,
      ImageInputStream in,
      String name,
      long maxPixels,
      long maxRasterBytes,
      boolean rawCmyk) {
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
    // The pixel count alone lets a 778 KB 16-bit RGBA PNG or a float TIFF through to a raster of
    // over a gigabyte: what the reader allocates is pixels x bands x bytes per sample.
    long bytesPerPixel = bytesPerPixel(reader);
    if (pixels > maxRasterBytes / bytesPerPixel) {
      throw new IllegalArgumentException(
          name
              + ": "
              + format.toUpperCase(Locale.ROOT)
              + " image is "
              + width
              + "x"
              + height
              + " at "
              + bytesPerPixel
              + " bytes per pixel = "
              + pixels * bytesPerPixel
              + " bytes decoded, above the limit of "
              + maxRasterBytes
              + " bytes (decompression-bomb guard)");
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

  /**
   * Bytes per pixel of the raster the reader will allocate, from its raw image type (or the first
   * type it offers); 4 when it cannot say, as for a plain RGBA image.
   */
  static long bytesPerPixel(ImageReader reader) {
    ImageTypeSpecifier type = null;
    try {
      type = reader.getRawImageType(0);
      if (type == null) {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        type = types.hasNext() ? types.next() : null;
      }
    } catch (IOException | RuntimeException e) {
      type = null;
    }
    if (type == null) {
      return 4;
    }
    SampleModel sm = type.getSampleModel(1, 1);
    int bits = DataBuffer.getDataTypeSize(sm.getDataType());
    if (sm instanceof SinglePixelPackedSampleModel || sm instanceof MultiPixelPackedSampleModel) {
      return Math.max(1, bits / 8); // all bands packed into one element per pixel
    }
    return Math.max(1, (long) sm.getNumBands() * bits / 8);
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
