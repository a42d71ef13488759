package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FvecsFormatTest {

  @TempDir Path dir;

  @Test
  void readsWhatItWritesAndTheLayoutIsTexmex() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    float[][] vectors = new float[37][12];
    for (float[] v : vectors) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
    }
    Path f = dir.resolve("v.fvecs");
    FvecsFormat.writeFvecs(f, vectors);

    assertEquals(37L * (4 + 4 * 12), Files.size(f), "seed " + seed);
    ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(12, raw.getInt(0));
    assertEquals(vectors[0][0], raw.getFloat(4));
    assertEquals(12, raw.getInt(4 + 4 * 12));
    float[][] back = FvecsFormat.readFvecs(f);
    assertEquals(37, back.length);
    for (int i = 0; i < 37; i++) {
      assertArrayEquals(vectors[i], back[i], "row " + i + ", seed " + seed);
    }
    assertEquals(5, FvecsFormat.readFvecs(f, 5).length);
    assertArrayEquals(vectors[4], FvecsFormat.readFvecs(f, 5)[4]);
  }

  @Test
  void readsAHandWrittenFile() throws IOException {
    Path f = write("hand.fvecs", rec(2, 1.5f, -2f), rec(2, 0f, 3.25f));
    float[][] v = FvecsFormat.readFvecs(f);
    assertArrayEquals(new float[] {1.5f, -2f}, v[0]);
    assertArrayEquals(new float[] {0f, 3.25f}, v[1]);
  }

  @Test
  void ivecsRoundTrip() throws IOException {
    int[][] rows = {{3, 1, 4}, {1, 5, 9}};
    Path f = dir.resolve("gt.ivecs");
    FvecsFormat.writeIvecs(f, rows);
    int[][] back = FvecsFormat.readIvecs(f);
    assertArrayEquals(rows[0], back[0]);
    assertArrayEquals(rows[1], back[1]);
  }

  @Test
  void recordsLargerThanTheReadBufferWork() throws IOException {
    float[][] big = new float[2][300_000]; // 1.2 MB per record, above the 1 MiB buffer
    big[0][299_999] = 7f;
    big[1][0] = -1f;
    Path f = dir.resolve("big.fvecs");
    FvecsFormat.writeFvecs(f, big);
    float[][] back = FvecsFormat.readFvecs(f);
    assertEquals(7f, back[0][299_999]);
    assertEquals(-1f, back[1][0]);
  }

  @Test
  void inconsistentDimensionNamesFileRecordAndBothDimensions() throws IOException {
    Path f = write("mixed.fvecs", rec(4, 1, 2, 3, 4), rec(4, 1, 2, 3, 4), rec(3, 1, 2, 3));
    String m = fails(f);
    assertTrue(m.contains("mixed.fvecs"), m);
    assertTrue(m.contains("record 2"), m);
    assertTrue(m.contains("dimension 3 differs from 4"), m);
  }

  @Test
  void truncatedValuesAreReported() throws IOException {
    byte[] whole = rec(4, 1, 2, 3, 4);
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
    Path f = write("cut.fvecs", rec(4, 1, 2, 3, 4), cut);
    String m = fails(f);
    assertTrue(m.contains("cut.fvecs: record 1: truncated"), m);
    assertTrue(m.contains("needs 16 bytes"), m);
  }

  @Test
  void trailingBytesTooShortForADimensionAreReported() throws IOException {
    Path f = write("tail.fvecs", rec(2, 1, 2), new byte[] {2, 0});
    String m = fails(f);
    assertTrue(m.contains("record 1: truncated: 2 byte(s) left"), m);
  }

  @Test
  void nonPositiveDimensionIsReported() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN); // wrong byte order
    b.putInt(200).putFloat(1f); // read little-endian: 0xC8000000, negative
    Path f = write("be.fvecs", b.array());
    String m = fails(f);
    assertTrue(m.contains("be.fvecs: record 0: dimension"), m);
    assertTrue(m.contains("not positive"), m);
  }

  @Test
  void dimensionLargerThanTheFileIsReported() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
    b.putInt(4).putFloat(1f); // read little-endian: 0x04000000
    String m = fails(write("huge.fvecs", b.array()));
    assertTrue(m.contains("huge.fvecs: record 0: dimension 67108864 needs more bytes"), m);
  }

  @Test
  void emptyFileIsRejected() throws IOException {
    Path f = write("empty.fvecs");
    assertTrue(fails(f).contains("empty.fvecs: file is empty"));
  }

  @Test
  void raggedRowsAreNotWrittenAndTheOldFileSurvives() throws IOException {
    Path f = dir.resolve("keep.fvecs");
    FvecsFormat.writeFvecs(f, new float[][] {{1, 2}});
    byte[] before = Files.readAllBytes(f);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FvecsFormat.writeFvecs(f, new float[][] {{1, 2}, {3}}));
    assertTrue(e.getMessage().contains("row 1 has length 1, row 0 has 2"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file may be left behind");
    }
  }

  private String fails(Path f) {
    return assertThrows(IllegalArgumentException.class, () -> FvecsFormat.readFvecs(f))
        .getMessage();
  }

  private static byte[] rec(int dim, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(dim);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private Path write(String name, byte[]... parts) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p);
    }
    Path f = dir.resolve(name);
    Files.write(f, out.toByteArray());
    return f;
  }
}
