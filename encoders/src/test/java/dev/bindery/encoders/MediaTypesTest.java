package dev.bindery.encoders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden cases of {@link MediaTypes#detect}: by extension, by magic number alone, by declared MIME
 * type, a name that contradicts the content, and content nobody can tell.
 */
class MediaTypesTest {
  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13};
  static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16};
  static final byte[] WAV = ascii("RIFF\u0024\0\0\0WAVEfmt ");
  static final byte[] FLAC = ascii("fLaC\0\0\0\"");
  static final byte[] MP3_ID3 = {'I', 'D', '3', 4, 0, 0, 0, 0, 0x10, 0x7F};
  static final byte[] MP4 = ascii("\0\0\0\u0020ftypisom\0\0\u0002\0isomiso2");
  static final byte[] M4A = ascii("\0\0\0\u0020ftypM4A \0\0\0\0M4A isom");
  static final byte[] WEBM = {
    0x1A,
    0x45,
    (byte) 0xDF,
    (byte) 0xA3,
    (byte) 0x9F,
    0x42,
    (byte) 0x82,
    (byte) 0x84,
    'w',
    'e',
    'b',
    'm'
  };

  @Test
  void knownExtensionsDecide() {
    assertType(Modality.IMAGE, "image/jpeg", "jpeg", MediaSource.of(JPEG, "cat.JPEG", null));
    assertType(Modality.AUDIO, "audio/wav", "wav", MediaSource.of(WAV, "a/b/speech.wav", null));
    assertType(Modality.VIDEO, "video/webm", "webm", MediaSource.of(WEBM, "clip.webm", null));
    assertType(
        Modality.TEXT,
        "text/plain",
        "txt",
        MediaSource.of("hello".getBytes(StandardCharsets.UTF_8), "note.txt", null));
    // Content no magic number matches does not contradict a name: the decoder judges it.
    assertType(Modality.IMAGE, "image/png", "png", MediaSource.of(new byte[0], "empty.png", null));
    // A JPEG named .png is still an image (ImageIO reads what the bytes are).
    assertType(Modality.IMAGE, "image/png", "png", MediaSource.of(JPEG, "cat.png", null));
    // An MP4 container named .m4a is audio: the container holds either.
    assertType(Modality.AUDIO, "audio/mp4", "m4a", MediaSource.of(MP4, "song.m4a", null));
  }

  @Test
  void magicNumbersDecideWithoutAnExtension() {
    assertType(Modality.IMAGE, "image/png", "png", MediaSource.of(PNG, "upload", null));
    assertType(Modality.IMAGE, "image/jpeg", "jpg", MediaSource.of(JPEG, "photo.bin", null));
    assertType(Modality.AUDIO, "audio/wav", "wav", MediaSource.of(WAV, "upload", null));
    assertType(Modality.AUDIO, "audio/flac", "flac", MediaSource.of(FLAC, "upload", null));
    assertType(Modality.AUDIO, "audio/mpeg", "mp3", MediaSource.of(MP3_ID3, "upload", null));
    assertType(Modality.VIDEO, "video/mp4", "mp4", MediaSource.of(MP4, "upload", null));
    assertType(Modality.AUDIO, "audio/mp4", "m4a", MediaSource.of(M4A, "upload", null));
    assertType(Modality.VIDEO, "video/webm", "webm", MediaSource.of(WEBM, "upload", null));
    // application/octet-stream says nothing: the content decides.
    assertType(
        Modality.IMAGE,
        "image/png",
        "png",
        MediaSource.of(PNG, "upload", "application/octet-stream"));
  }

  @Test
  void aDeclaredMimeTypeWinsOverTheName() {
    assertType(
        Modality.AUDIO, "audio/wav", "wav", MediaSource.of(WAV, "upload.png", "audio/x-wav"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MediaSource.of(PNG, "upload", "application/pdf").type());
    assertTrue(
        e.getMessage().contains("'upload' is declared as 'application/pdf'"), e.getMessage());
    assertTrue(e.getMessage().contains("image/png"), "lists the known types: " + e.getMessage());
  }

  @Test
  void aWrongExtensionIsAClearError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MediaSource.of(WAV, "cat.png", null).type());
    assertEquals(
        "'cat.png' is image by its extension 'png', but its content is WAV (audio); fix the file"
            + " extension",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> MediaSource.of(PNG, "notes.txt", null).type());
    assertTrue(
        e.getMessage().contains("is text by its extension 'txt', but its content is PNG (image)"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MediaSource.of(PNG, "upload", "video/mp4").type());
    assertTrue(
        e.getMessage().contains("'upload' is video by its declared type 'video/mp4'"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("fix the MIME type"), e.getMessage());
  }

  @Test
  void anUnknownTypeIsAClearError() {
    byte[] text = "BMW cars and ID3 tags are not media".getBytes(StandardCharsets.US_ASCII);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MediaSource.of(text, "notes.xyz", null).type());
    assertTrue(
        e.getMessage().startsWith("cannot tell what 'notes.xyz' is from its extension 'xyz'"),
        e.getMessage());
    assertTrue(e.getMessage().contains("images [bmp, gif, jpeg, jpg"), e.getMessage());
    assertTrue(e.getMessage().contains("text [md, text, txt]"), e.getMessage());
    // Text has no magic number, so an extension-less text is unknown too.
    assertThrows(IllegalArgumentException.class, () -> MediaSource.of(text, "README", null).type());
  }

  @Test
  void filesAreSniffedFromDisk(@TempDir Path dir) throws Exception {
    Path png = Files.write(dir.resolve("picture"), PNG);
    assertType(Modality.IMAGE, "image/png", "png", MediaSource.of(png));
    Path wrong = Files.write(dir.resolve("sound.mp4"), PNG);
    assertThrows(IllegalArgumentException.class, () -> MediaSource.of(wrong).type());
    // A missing file with a known extension is left to the decoder, which names it.
    assertEquals(Modality.AUDIO, MediaSource.of(dir.resolve("missing.wav")).modality());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MediaSource.of(dir.resolve("missing")).type());
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    // With neither a known extension nor readable content, the extension list leads.
    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class, () -> MediaSource.of(dir.resolve("notes.xyz")).type());
    assertTrue(
        both.getMessage().startsWith("cannot tell what '" + dir.resolve("notes.xyz") + "'"),
        both.getMessage());
    assertTrue(both.getMessage().contains("no such file"), both.getMessage());
    assertTrue(both.getMessage().contains("images [bmp, gif, jpeg, jpg"), both.getMessage());
  }

  @Test
  void bytesHaveValueEqualityAndAShortToString() {
    MediaSource a = MediaSource.of(PNG.clone(), "a.png", "image/png");
    MediaSource b = MediaSource.of(PNG.clone(), "a.png", "image/png");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("Bytes[a.png, image/png, 12 bytes]", a.toString());
    assertThrows(IllegalArgumentException.class, () -> MediaSource.of(PNG, " ", null));
  }

  private static void assertType(Modality m, String mime, String ext, MediaSource media) {
    MediaType t = media.type();
    assertEquals(new MediaType(m, mime, ext), t, media + " " + Arrays.toString(media.head(12)));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
