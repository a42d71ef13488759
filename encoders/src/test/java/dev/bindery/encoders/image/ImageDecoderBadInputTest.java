package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way an image input can be bad gives an error that names the input and the reason. */
class ImageDecoderBadInputTest {
  private final ImageDecoder decoder = new ImageDecoder();
  @TempDir Path tmp;

  private static byte[] fixture(String name) throws IOException {
    return Files.readAllBytes(ParityFixtures.dir().resolve(name));
  }

  private String fail(byte[] bytes, String name) throws IOException {
    Path file = tmp.resolve(name);
    Files.write(file, bytes);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(file));
    assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
    return e.getMessage();
  }

  /** A PNG whose IHDR claims width x height, with a valid CRC and no pixel data. */
  static byte[] pngHeader(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }

  @Test
  void truncatedPng() throws IOException {
    byte[] png = fixture("clipart_02.png");
    String m = fail(Arrays.copyOf(png, png.length / 2), "half.png");
    assertTrue(m.contains("truncated or corrupt PNG image"), m);
  }

  @Test
  void truncatedJpeg() throws IOException {
    byte[] jpg = fixture("gen_photo.jpg");
    String m = fail(Arrays.copyOf(jpg, jpg.length / 2), "half.jpg");
    assertTrue(m.contains("truncated or corrupt JPEG image"), m);
  }

  @Test
  void zeroByteFile() throws IOException {
    String m = fail(new byte[0], "empty.png");
    assertTrue(m.contains("empty file (0 bytes)"), m);
  }

  @Test
  void decompressionBombHeaderIsRejectedBeforeDecoding() throws IOException {
    String m = fail(pngHeader(30000, 30000), "bomb.png");
    assertTrue(m.contains("30000x30000 = 900000000 pixels"), m);
    assertTrue(m.contains("above the limit of 100000000"), m);
  }

  @Test
  void pixelLimitIsConfigurable() throws IOException {
    byte[] png = fixture("clipart_00.png");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ImageDecoder(100).decode(png, "x.png"));
    assertTrue(e.getMessage().startsWith("x.png: PNG image is "), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ImageDecoder(0));
  }

  @Test
  void unknownFormat() throws IOException {
    String m = fail("just some text, not pixels\n".getBytes(StandardCharsets.UTF_8), "notes.txt");
    assertTrue(m.endsWith("not a supported image (PNG, JPEG, GIF, BMP, WebP, TIFF)"), m);
  }

  @Test
  void missingFile() {
    Path file = tmp.resolve("nope.png");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(file));
    assertEquals(file + ": no such file", e.getMessage());
  }

  @Test
  void scalarDecoderBadInputs() throws IOException {
    ScalarImageDecoder scalar = new ScalarImageDecoder();
    byte[] npy = fixture("depth_m.npy");
    IllegalArgumentException cut =
        assertThrows(
            IllegalArgumentException.class,
            () -> scalar.decode(Arrays.copyOf(npy, npy.length - 100), "d.npy"));
    assertTrue(cut.getMessage().startsWith("d.npy: truncated .npy data"), cut.getMessage());
    byte[] complex = npy.clone();
    String header = new String(complex, 0, 128, StandardCharsets.ISO_8859_1);
    int at = header.indexOf("<f4");
    complex[at + 1] = 'c';
    complex[at + 2] = '8';
    IllegalArgumentException dtype =
        assertThrows(IllegalArgumentException.class, () -> scalar.decode(complex, "c.npy"));
    assertTrue(dtype.getMessage().contains("unsupported .npy dtype '<c8'"), dtype.getMessage());
    IllegalArgumentException bomb =
        assertThrows(
            IllegalArgumentException.class, () -> scalar.decode(pngHeader(30000, 30000), "b.png"));
    assertTrue(bomb.getMessage().contains("30000x30000"), bomb.getMessage());
    IllegalArgumentException text =
        assertThrows(
            IllegalArgumentException.class,
            () -> scalar.decode("hello".getBytes(StandardCharsets.UTF_8), "t.txt"));
    assertTrue(
        text.getMessage().startsWith("t.txt: not a supported depth/thermal map"),
        text.getMessage());
    IllegalArgumentException limit =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ScalarImageDecoder(1000).decode(npy, "big.npy"));
    assertTrue(limit.getMessage().contains("above the limit of 1000"), limit.getMessage());
  }

  private static long usedHeapAfterGc(MemoryMXBean mem) throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  private static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** 2,000 failed decodes (all five kinds, all readers: PNG, JPEG native code) leak nothing. */
  @Test
  void failedDecodesLeaveMemoryFlat() throws Exception {
    byte[] png = fixture("clipart_02.png");
    byte[] jpg = fixture("gen_photo.jpg");
    List<byte[]> bad =
        List.of(
            Arrays.copyOf(png, png.length / 2),
            Arrays.copyOf(jpg, jpg.length / 2),
            new byte[0],
            pngHeader(30000, 30000),
            "plain text".getBytes(StandardCharsets.UTF_8));
    Runnable round =
        () -> {
          for (int i = 0; i < 100; i++) {
            byte[] b = bad.get(i % bad.size());
            assertThrows(IllegalArgumentException.class, () -> decoder.decode(b, "bad"));
          }
        };
    for (int i = 0; i < 3; i++) {
      round.run(); // warm-up: class loading, JIT, ImageIO registry
    }
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long heapBefore = usedHeapAfterGc(mem);
    long rssBefore = residentBytes();
    for (int i = 0; i < 20; i++) {
      round.run();
    }
    long heapAfter = usedHeapAfterGc(mem);
    long rssAfter = residentBytes();
    System.out.printf(
        "2000 failed decodes: heap after GC %.1f -> %.1f MB, resident %.1f -> %.1f MB%n",
        heapBefore / 1e6, heapAfter / 1e6, rssBefore / 1e6, rssAfter / 1e6);
    assertTrue(
        heapAfter - heapBefore < 8_000_000,
        "heap grew by " + (heapAfter - heapBefore) + " bytes over 2000 failed decodes");
    assertTrue(
        rssAfter - rssBefore < 64_000_000,
        "resident memory grew by " + (rssAfter - rssBefore) + " bytes over 2000 failed decodes");
  }
}
