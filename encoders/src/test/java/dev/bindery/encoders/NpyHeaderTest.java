package dev.bindery.encoders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link NpyHeader}, the one .npy header parser: what {@link NpyArray} and eval's streaming vector
 * reader both stand on. Files come from {@link NpyArrayTest#npy}, which pads like numpy does.
 */
class NpyHeaderTest {

  @Test
  void readsTheFieldsAndStopsAtTheFirstDataByte() throws Exception {
    byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
    for (int version = 1; version <= 3; version++) {
      byte[] file = NpyArrayTest.npy(version, "<f8", true, "(1, 1)", data);
      ByteArrayInputStream in = new ByteArrayInputStream(file);
      NpyHeader h = NpyHeader.read(in, "h.npy");
      assertEquals(version, h.major());
      assertEquals("<f8", h.descr());
      assertTrue(h.fortranOrder());
      assertArrayEquals(new long[] {1, 1}, h.shape());
      assertEquals(file.length - data.length, h.dataOffset(), "version " + version);
      // numpy pads the preamble and header to a multiple of 64 bytes.
      assertEquals(0, h.dataOffset() % 64, "version " + version);
      assertEquals(data.length, in.available(), "the stream is left at the data");
      assertEquals(h, NpyHeader.parse(file, "h.npy"));
      assertEquals("(1, 1)", h.shapeText());
    }
    assertEquals(
        "(4,)",
        NpyHeader.parse(NpyArrayTest.npy(1, "<f4", false, "(4,)", new byte[16]), "x").shapeText());
  }

  @Test
  void doubleQuotedKeysAreReadToo() {
    String header = "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,), }\n";
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    byte[] file = new byte[10 + h.length];
    System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, 0, file, 0, 8);
    file[8] = (byte) h.length;
    System.arraycopy(h, 0, file, 10, h.length);
    NpyHeader parsed = NpyHeader.parse(file, "q.npy");
    assertEquals("<f4", parsed.descr());
    assertFalse(parsed.fortranOrder());
    assertArrayEquals(new long[] {2}, parsed.shape());
  }

  @Test
  void badHeadersNameTheInputAndTheReason() {
    assertMessage(
        "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }",
        "r.npy: structured dtype [('x'");
    assertMessage("{'descr': '<f4', 'shape': (1,), }", "r.npy: header has no 'fortran_order'");
    assertMessage("{'fortran_order': False, 'shape': (1,), }", "r.npy: header has no 'descr'");
    assertMessage("'descr': '<f4'", "r.npy: header is not a Python dict literal");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NpyHeader.parse(new byte[] {(byte) 0x93, 'N', 'U', 'M'}, "short.npy"));
    assertTrue(e.getMessage().startsWith("short.npy: not a NumPy .npy file"), e.getMessage());
  }

  private static void assertMessage(String header, String want) {
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    byte[] file = new byte[10 + h.length];
    System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, 0, file, 0, 8);
    file[8] = (byte) h.length;
    System.arraycopy(h, 0, file, 10, h.length);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NpyHeader.parse(file, "r.npy"));
    assertTrue(e.getMessage().startsWith(want), e.getMessage());
  }
}
