package dev.bindery.encoders.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Text content decoded strictly as UTF-8: a malformed byte sequence is an error that names the
 * input and the byte offset, never a replacement character that would be indexed and searched as if
 * it were the text. Text files, text media and uploaded text parts all decode through here.
 */
public final class Utf8Text {
  private Utf8Text() {}

  /**
   * The text {@code bytes} hold.
   *
   * @param what the input for the error message, such as a file name or "the 'id' part"
   * @throws IllegalArgumentException naming {@code what} and the offset of the first byte that
   *     starts no valid UTF-8 character (a caller's mistake: the server answers 400)
   */
  public static String decode(byte[] bytes, String what) {
    // A fresh decoder reports malformed and unmappable input rather than replacing it.
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // UTF-8 never decodes to more UTF-16 chars than it has bytes.
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s is not valid UTF-8 text: the bytes at offset %d (0x%02x...) are no UTF-8"
                  + " character",
              what,
              in.position(),
              bytes[in.position()] & 0xff));
    }
    return out.flip().toString();
  }
}
