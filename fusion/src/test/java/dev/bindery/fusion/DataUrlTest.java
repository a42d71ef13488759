package dev.bindery.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.indexer.BadArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The one data-URL parser of the ingestor and the server: what it accepts and how it refuses. */
class DataUrlTest {
  private static final byte[] PNG_HEAD = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0};
  private static final String PNG_URL =
      "data:image/png;base64," + Base64.getEncoder().encodeToString(PNG_HEAD);

  @Test
  void parsesTheTypeTheBytesAndTheExtension() {
    DataUrl url = DataUrl.parse(PNG_URL, "image term");
    assertEquals("image/png", url.mime());
    assertEquals("png", url.extension());
    assertArrayEquals(PNG_HEAD, url.bytes());
    MediaSource media = url.media("upload");
    assertEquals("upload.png", media.name());
    assertEquals("image/png", media.declaredMimeType());
  }

  @Test
  void upperCaseAndParametersDoNotChangeTheType() {
    String b64 = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
    DataUrl url = DataUrl.parse("DATA:Text/Plain;charset=utf-8;BASE64," + b64, "text");
    assertEquals("text/plain", url.mime());
    assertEquals("hello", new String(url.bytes(), StandardCharsets.UTF_8));
  }

  @Test
  void refusesPathsRemoteUrlsAndMalformedUrlsNamingTheInput() {
    assertMessage("items[2].image: remote URLs are not fetched", "https://example.com/a.png");
    assertMessage("items[2].image must be a data: URL", "/etc/passwd");
    assertMessage("items[2].image: data URL has no ','", "data:image/png;base64");
    assertMessage("items[2].image: data URL must be base64", "data:image/png,abc");
    assertMessage(
        "media type 'text/html' is not one Bindery decodes", "data:text/html;base64,AA==");
    assertMessage("data URL is not valid base64", "data:image/png;base64,AB=C");
    assertMessage("data URL holds no bytes", "data:image/png;base64,");
  }

  @Test
  void checksTheModalityAndTheSizeBeforeDecoding() {
    BadArgumentException audio =
        assertThrows(
            BadArgumentException.class,
            () -> DataUrl.parse(PNG_URL, "audio", Modality.AUDIO, 1 << 20));
    assertTrue(
        audio.getMessage().startsWith("audio: data URL type 'image/png' is not a supported audio"),
        audio.getMessage());
    // over the limit: refused from the URL's length, so bad base64 is never looked at
    String big = "data:image/png;base64," + "@".repeat(4000);
    BadArgumentException tooBig =
        assertThrows(
            BadArgumentException.class, () -> DataUrl.parse(big, "image", Modality.IMAGE, 1000));
    assertTrue(
        tooBig.getMessage().contains("holds about 3000 bytes, above the limit 1000"),
        tooBig.getMessage());
    assertEquals(
        "image/png", DataUrl.parse(PNG_URL, "image", Modality.IMAGE, PNG_HEAD.length).mime());
  }

  private static void assertMessage(String expected, String value) {
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> DataUrl.parse(value, "items[2].image"));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
