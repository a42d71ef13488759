package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden files under {@code golden/} were written by numpy itself ({@code make_npy.py}); the
 * rest are written here byte by byte to reach each rejection.
 */
class NpyFormatTest {

  @TempDir Path dir;

  /** What make_npy.py stores: (i * 5 + j - 7) / 8, exact in float32. */
  private static float[][] expected() {
    float[][] v = new float[3][5];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 5; j++) {
        v[i][j] = (i * 5 + j - 7) / 8f;
      }
    }
    return v;
  }

  @ParameterizedTest
  @ValueSource(strings = {"f4_3x5.npy", "f8_3x5.npy", "f4_3x5_v2.npy", "f4_3x5_v3.npy"})
  void readsNumpyWrittenFiles(String name) throws IOException {
    float[][] v = NpyFormat.read(golden(name));
    float[][] want = expected();
    assertEquals(3, v.length);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(want[i], v[i], name + " row " + i);
    }
    assertEquals(2, NpyFormat.read(golden(name), 2).length);
  }

  @Test
  void numpyFortranOrderIsRejectedNamingFileAndShape() {
    String m = fails(golden("f4_3x5_fortran.npy"));
    assertTrue(m.contains("f4_3x5_fortran.npy"), m);
    assertTrue(m.contains("Fortran"), m);
    assertTrue(m.contains("(3, 5)"), m);
  }

  @Test
  void numpyInt32IsRejectedNamingTheDtype() {
    String m = fails(golden("i4_3x5.npy"));
    assertTrue(m.contains("i4_3x5.npy"), m);
    assertTrue(m.contains("dtype '<i4' is not supported"), m);
    assertTrue(m.contains("(3, 5)"), m);
  }

  @Test
  void handWrittenVersion1FileIsRead() throws IOException {
    Path f =
        npy(
            "ok.npy",
            1,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
            floats(1, 2, 3, 4));
    float[][] v = NpyFormat.read(f);
    assertArrayEquals(new float[] {1, 2}, v[0]);
    assertArrayEquals(new float[] {3, 4}, v[1]);
  }

  @Test
  void bigEndianIsRejected() throws IOException {
    String m =
        fails(
            npy(
                "be.npy",
                1,
                "{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }",
                floats(1, 2)));
    assertTrue(m.contains("be.npy: dtype '>f4' is not supported"), m);
  }

  @Test
  void oneAndThreeDimensionalArraysAreRejectedWithTheirShape() throws IOException {
    String one =
        fails(
            npy(
                "one.npy",
                1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                floats(1, 2, 3, 4)));
    assertTrue(one.contains("one.npy: array has shape (4,) (1-D)"), one);
    String three =
        fails(
            npy(
                "three.npy",
                1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }",
                floats(1, 2, 3, 4)));
    assertTrue(three.contains("three.npy: array has shape (1, 2, 2) (3-D)"), three);
  }

  @Test
  void structuredDtypeIsRejected() throws IOException {
    String m =
        fails(
            npy(
                "rec.npy",
                1,
                "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                floats(1, 2)));
    assertTrue(m.contains("rec.npy: structured dtype [('x'"), m);
  }

  @Test
  void truncatedAndOverlongDataAreRejected() throws IOException {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    String shortMsg = fails(npy("short.npy", 1, header, floats(1, 2, 3, 4, 5)));
    assertTrue(shortMsg.contains("short.npy: data section is 20 bytes"), shortMsg);
    assertTrue(shortMsg.contains("needs 24 (file truncated?)"), shortMsg);
    String longMsg = fails(npy("long.npy", 1, header, floats(1, 2, 3, 4, 5, 6, 7)));
    assertTrue(longMsg.contains("(trailing bytes)"), longMsg);
  }

  @Test
  void notNpyAndUnknownVersionsAreRejected() throws IOException {
    Path plain = dir.resolve("plain.npy");
    Files.writeString(plain, "this is not numpy at all");
    assertTrue(fails(plain).contains("plain.npy: not a NumPy .npy file"));

    String m =
        fails(
            npy(
                "v4.npy",
                4,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }",
                floats(1)));
    assertTrue(m.contains("v4.npy: unsupported .npy format version 4.0"), m);
  }

  @Test
  void missingKeysAreNamed() throws IOException {
    String m = fails(npy("noshape.npy", 1, "{'descr': '<f4', 'fortran_order': False, }", floats()));
    assertTrue(m.contains("noshape.npy: header has no 'shape'"), m);
  }

  @Test
  void emptyArrayIsRejected() throws IOException {
    String m =
        fails(
            npy(
                "empty.npy",
                1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }",
                floats()));
    assertTrue(m.contains("empty.npy: shape (0, 3) holds no usable vectors"), m);
  }

  private String fails(Path f) {
    return assertThrows(IllegalArgumentException.class, () -> NpyFormat.read(f)).getMessage();
  }

  private static Path golden(String name) {
    try {
      return Path.of(NpyFormatTest.class.getResource("/golden/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** An .npy file laid out as numpy does: magic, version, header length, padded header, data. */
  private Path npy(String name, int major, String header, byte[] data) throws IOException {
    int lengthBytes = major == 1 ? 2 : 4;
    StringBuilder h = new StringBuilder(header);
    while ((6 + 2 + lengthBytes + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    ByteBuffer len = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
    if (lengthBytes == 2) {
      len.putShort((short) hb.length);
    } else {
      len.putInt(hb.length);
    }
    out.write(len.array());
    out.write(hb);
    out.write(data);
    Path f = dir.resolve(name);
    Files.write(f, out.toByteArray());
    return f;
  }

  @Test
  void streamingRowWriterMatchesTheFlatWriterByteForByte() throws IOException {
    long seed = new java.util.Random().nextLong();
    java.util.Random rnd = new java.util.Random(seed);
    // Enough rows to cross the writer's 1 MiB buffer several times.
    int rows = 3000;
    int cols = 129;
    float[][] m = new float[rows][cols];
    float[] flat = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = (float) rnd.nextGaussian();
        flat[i * cols + j] = m[i][j];
      }
    }
    Path a = dir.resolve("rows.npy");
    Path b = dir.resolve("flat.npy");
    NpyFormat.writeFloat32(a, m);
    NpyFormat.writeFloat32(b, flat, rows, cols);
    assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a), "seed " + seed);
    float[][] back = NpyFormat.read(a);
    for (int i = 0; i < rows; i++) {
      assertArrayEquals(m[i], back[i], "row " + i + " seed " + seed);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NpyFormat.writeFloat32(dir.resolve("ragged.npy"), new float[][] {{1, 2}, {3}}));
    assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("ragged.npy")), "nothing written for a ragged matrix");
  }
}
