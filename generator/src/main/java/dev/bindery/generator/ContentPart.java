package dev.bindery.generator;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;

/** One part of a message: text, or an encoded image. */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image {

  /**
   * A piece of text.
   *
   * @param text the text; may be empty, never null
   */
  record Text(String text) implements ContentPart {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * An encoded image, sent to the endpoint as is (a data URL for OpenAI-compatible endpoints,
   * base64 for Ollama).
   *
   * @param bytes the encoded image; not empty
   * @param mediaType {@code image/png} or {@code image/jpeg}
   */
  record Image(byte[] bytes, String mediaType) implements ContentPart {
    /** The media types every vision endpoint accepts. */
    public static final Set<String> MEDIA_TYPES = Set.of("image/png", "image/jpeg");

    public Image {
      Objects.requireNonNull(bytes, "image bytes");
      Objects.requireNonNull(mediaType, "mediaType");
      if (bytes.length == 0) {
        throw new IllegalArgumentException("image part has no bytes");
      }
      if (!MEDIA_TYPES.contains(mediaType)) {
        throw new IllegalArgumentException(
            "image media type must be one of " + MEDIA_TYPES + ", got '" + mediaType + "'");
      }
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The bytes in standard base64. */
    public String base64() {
      return Base64.getEncoder().encodeToString(bytes);
    }

    /** {@code data:<mediaType>;base64,<bytes>}. */
    public String dataUrl() {
      return "data:" + mediaType + ";base64," + base64();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Image i && mediaType.equals(i.mediaType) && Arrays.equals(bytes, i.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * mediaType.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Image[" + mediaType + ", " + bytes.length + " bytes]";
    }
  }
}
