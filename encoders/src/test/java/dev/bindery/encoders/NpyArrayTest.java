package dev.bindery.encoders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NpyArrayTest {
  @Test
  void readsEveryDtypeInBothByteOrders() {
    ByteBuffer f4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    f4.putFloat(1.5f).putFloat(-2f);
    assertRead(npy(1, "<f4", false, "(2,)", f4.array()), "f4", new long[] {2}, 1.5f, -2f);
    ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
    f8.putDouble(0.25).putDouble(3);
    assertRead(npy(1, ">f8", false, "(2,)", f8.array()), "f8", new long[] {2}, 0.25f, 3f);
    assertRead(
        npy(1, "|u1", false, "(2,)", new byte[] {(byte) 255, 7}), "u1", new long[] {2}, 255f, 7f);
    ByteBuffer u2 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    u2.putShort((short) 65535).putShort((short) 2);
    assertRead(npy(1, "<u2", false, "(2,)", u2.array()), "u2", new long[] {2}, 65535f, 2f);
    ByteBuffer i2 = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN);
    i2.putShort((short) -3).putShort((short) 4);
    assertRead(npy(1, ">i2", false, "(2,)", i2.array()), "i2", new long[] {2}, -3f, 4f);
    ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    i4.putInt(-100000).putInt(5);
    assertRead(npy(1, "<i4", false, "(2,)", i4.array()), "i4", new long[] {2}, -100000f, 5f);
  }

  @Test
  void fortranOrderComesBackInCOrder() {
    // [[0, 1, 2], [3, 4, 5]] stored column by column.
    byte[] data = floats(0, 3, 1, 4, 2, 5);
    assertRead(npy(1, "<f4", true, "(2, 3)", data), "f4", new long[] {2, 3}, 0, 1, 2, 3, 4, 5);
    // Shape (2, 2, 2): the Fortran offset of [i, j, k] is i + 2j + 4k.
    byte[] cube = floats(0, 4, 2, 6, 1, 5, 3, 7);
    assertRead(
        npy(1, "<f4", true, "(2, 2, 2)", cube), "f4", new long[] {2, 2, 2}, 0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void versionTwoHeaderAndPython2LongDimensions() {
    assertRead(npy(2, "<f4", false, "(1L, 2L)", floats(1, 2)), "f4", new long[] {1, 2}, 1, 2);
    assertRead(npy(3, "<f4", false, "()", floats(9)), "f4", new long[] {}, 9);
  }

  @Test
  void badInputsNameTheSourceAndTheReason() {
    assertMessage(
        () -> NpyArray.parse("not numpy".getBytes(StandardCharsets.UTF_8), "x.npy"),
        "x.npy: not a NumPy .npy file",
        "magic");
    byte[] good = npy(1, "<f4", false, "(2, 3)", floats(0, 1, 2, 3, 4, 5));
    assertMessage(
        () -> NpyArray.parse(Arrays.copyOf(good, good.length - 4), "cut.npy"),
        "cut.npy: truncated .npy data",
        "needs 24 bytes, the file has 20");
    assertMessage(
        () -> NpyArray.parse(Arrays.copyOf(good, 20), "head.npy"),
        "head.npy: truncated .npy header");
    assertMessage(
        () -> NpyArray.parse(npy(1, "<c8", false, "(1,)", new byte[8]), "c.npy"),
        "c.npy: unsupported .npy dtype '<c8'");
    assertMessage(
        () -> NpyArray.parse(npy(1, "<f4", false, "(2, x)", floats(1, 2)), "s.npy"),
        "s.npy: bad .npy shape (2, x)");
    byte[] v9 = good.clone();
    v9[6] = 9;
    assertMessage(() -> NpyArray.parse(v9, "v.npy"), "v.npy: unsupported .npy format version 9");
    assertMessage(
        () -> NpyArray.parse(good, "big.npy", 5),
        "big.npy: .npy array of shape [2, 3] has 6 values, above the limit of 5");
    assertEquals(6, NpyArray.parse(good, "ok.npy", 6).data().length);
  }

  private static void assertRead(byte[] file, String dtype, long[] shape, float... want) {
    NpyArray a = NpyArray.parse(file, "t.npy");
    assertEquals(dtype, a.dtype());
    assertArrayEquals(shape, a.shape());
    assertArrayEquals(want, a.data());
  }

  private static void assertMessage(
      org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  /** An .npy file of format {@code version} with the given header fields and raw data. */
  static byte[] npy(int version, String descr, boolean fortran, String shape, byte[] data) {
    String header =
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': "
            + shape
            + ", }";
    int prefix = version == 1 ? 10 : 12;
    int pad = (64 - (prefix + header.length() + 1) % 64) % 64;
    byte[] h = (header + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer len = ByteBuffer.allocate(prefix - 8).order(ByteOrder.LITTLE_ENDIAN);
    if (version == 1) {
      len.putShort((short) h.length);
    } else {
      len.putInt(h.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    out.writeBytes(len.array());
    out.writeBytes(h);
    out.writeBytes(data);
    return out.toByteArray();
  }
}
