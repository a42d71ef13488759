package dev.bindery.server.http;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/** Hostile inputs for the server tests, built byte by byte so nothing big is ever allocated. */
final class HostileFixtures {
  private HostileFixtures() {}

  /**
   * A valid 16-bit RGBA PNG of {@code w x h} black pixels: a few hundred kilobytes of compressed
   * zeros whose decoded raster is {@code w * h * 8} bytes. The rows are streamed into the deflater,
   * so building it costs CPU, not memory.
   */
  static byte[] png16Rgba(int w, int h) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(w).putInt(h).put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0);
    ihdr.put((byte) 0);
    chunk(png, "IHDR", ihdr.array());
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream z =
        new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
      byte[] row = new byte[1 + w * 8]; // filter type 0, then zeros
      for (int y = 0; y < h; y++) {
        z.write(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /**
   * An 8-bit mono PCM WAV at {@code rate} Hz with {@code samples} samples: at 1 Hz, 10,800 bytes
   * declare three hours of audio.
   */
  static byte[] wav(int rate, int samples) {
    ByteBuffer b = ByteBuffer.allocate(44 + samples).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples);
    b.put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate).putShort((short) 1);
    b.putShort((short) 8);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples);
    for (int i = 0; i < samples; i++) {
      b.put((byte) (128 + (i % 32)));
    }
    return b.array();
  }

  /** A small PNG of one colour, distinct per {@code seed}. */
  static byte[] png(int seed) {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(seed * 40 % 256, seed * 85 % 256, seed * 150 % 256));
    g.fillRect(0, 0, 32, 32);
    g.setColor(Color.WHITE);
    g.fillRect(seed % 28, seed % 20, 4, 4);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String dataUrl(String mime, byte[] bytes) {
    return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Sends one raw HTTP/1.1 request (the JDK client will not set {@code Host}) and returns the
   * response as text.
   */
  static String raw(int port, String request) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status code of a raw response. */
  static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }
}
