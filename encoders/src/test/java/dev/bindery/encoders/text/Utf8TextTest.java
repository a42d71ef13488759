package dev.bindery.encoders.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8TextTest {
  @Test
  void validTextDecodesAsTheJdkDecodesIt() {
    String text = "caf\u00e9 \u732b \ud83d\udc08 a\u0000b";
    assertEquals(text, Utf8Text.decode(text.getBytes(StandardCharsets.UTF_8), "x"));
    assertEquals("", Utf8Text.decode(new byte[0], "empty"));
  }

  @Test
  void malformedBytesNameTheInputAndTheOffset() {
    byte[] latin1 = "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Utf8Text.decode(latin1, "notes.txt"));
    assertEquals(
        "notes.txt is not valid UTF-8 text: the bytes at offset 3 (0xe9...) are no UTF-8"
            + " character",
        e.getMessage());
  }

  @Test
  void aTruncatedSequenceAtTheEndAndAnEncodedSurrogateAreRefused() {
    byte[] truncated = {'o', 'k', (byte) 0xe7, (byte) 0x8c};
    assertEquals(
        "the 'id' part is not valid UTF-8 text: the bytes at offset 2 (0xe7...) are no UTF-8"
            + " character",
        assertThrows(
                IllegalArgumentException.class, () -> Utf8Text.decode(truncated, "the 'id' part"))
            .getMessage());
    // A UTF-16 surrogate encoded as three bytes (CESU-8) is not UTF-8.
    byte[] surrogate = {(byte) 0xed, (byte) 0xa0, (byte) 0x80};
    assertThrows(IllegalArgumentException.class, () -> Utf8Text.decode(surrogate, "s"));
  }
}
