package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The image guard counts decoded bytes, not only pixels: a 16-bit RGBA image holds 8 bytes a pixel,
 * so the same pixel count can be within the pixel limit and far over the byte limit.
 */
class RasterBytesLimitTest {
  @Test
  void sixteenBitRgbaCountsEightBytesAPixel() throws IOException {
    byte[] png = png16Rgba(512, 512); // 2 MiB decoded
    ImageDecoder oneMiB = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, 1 << 20);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> oneMiB.decode(png, "deep.png"));
    assertTrue(
        e.getMessage().startsWith("deep.png: PNG image is 512x512 at 8 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("2097152 bytes decoded"), e.getMessage());
    assertEquals(
        512,
        new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, 4 << 20).decode(png, "ok").getWidth());
  }

  @Test
  void eightBitRgbUnderTheSameLimitDecodes() throws IOException {
    BufferedImage img = new BufferedImage(512, 512, BufferedImage.TYPE_3BYTE_BGR);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    BufferedImage decoded =
        new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, 1 << 20).decode(out.toByteArray(), "rgb");
    assertEquals(512, decoded.getHeight());
  }

  @Test
  void floatTiffCountsFourBytesASample() throws IOException {
    // 256 x 256 x 3 float samples = 786,432 bytes decoded, from a file that compresses well.
    java.awt.image.ColorModel cm =
        new java.awt.image.ComponentColorModel(
            java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
            false,
            false,
            java.awt.Transparency.OPAQUE,
            java.awt.image.DataBuffer.TYPE_FLOAT);
    BufferedImage img =
        new BufferedImage(cm, cm.createCompatibleWritableRaster(256, 256), false, null);
    // The JDK's own TIFF writer writes float samples (TwelveMonkeys' does not).
    javax.imageio.ImageWriter writer = null;
    for (java.util.Iterator<javax.imageio.ImageWriter> it =
            ImageIO.getImageWritersByFormatName("tiff");
        it.hasNext(); ) {
      javax.imageio.ImageWriter w = it.next();
      if (w.getClass().getName().startsWith("com.sun.imageio")) {
        writer = w;
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(writer != null, "the JDK's TIFF writer");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (javax.imageio.stream.ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(img);
    } finally {
      writer.dispose();
    }
    byte[] tiff = out.toByteArray();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, 512 << 10).decode(tiff, "f.tif"));
    assertTrue(e.getMessage().contains("at 12 bytes per pixel"), e.getMessage());
  }

  /** A black 16-bit RGBA PNG written chunk by chunk. */
  static byte[] png16Rgba(int w, int h) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h);
    ihdr.put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(png, "IHDR", ihdr.array());
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
      byte[] row = new byte[1 + w * 8];
      for (int y = 0; y < h; y++) {
        z.write(row);
      }
    }
    chunk(png, "IDAT", idat.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
