package dev.bindery.client;

import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * One input of {@link BinderyClient#embed}: a text, or an image or audio clip sent as a {@code
 * data:} URL (the server fetches no URLs and reads no paths).
 */
public sealed interface EmbeddingInput {
  /** A text, embedded with the text tower. */
  record Text(String text) implements EmbeddingInput {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** Encoded media bytes with their MIME type ({@code image/png}, {@code audio/wav}, ...). */
  record Media(String mimeType, byte[] bytes) implements EmbeddingInput {
    public Media {
      Objects.requireNonNull(mimeType, "mimeType");
      Objects.requireNonNull(bytes, "bytes");
      String lower = mimeType.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("image/") && !lower.startsWith("audio/")) {
        throw new IllegalArgumentException(
            "embedding input media type must be image/... or audio/..., got '" + mimeType + "'");
      }
      if (bytes.length == 0) {
        throw new IllegalArgumentException("embedding input " + mimeType + " has no bytes");
      }
    }

    /** True for {@code image/...}. */
    public boolean image() {
      return mimeType.toLowerCase(Locale.ROOT).startsWith("image/");
    }

    /** The bytes as a {@code data:<type>;base64,...} URL. */
    public String dataUrl() {
      return "data:" + mimeType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public String toString() {
      return "Media[" + mimeType + ", " + bytes.length + " bytes]";
    }
  }

  static EmbeddingInput text(String text) {
    return new Text(text);
  }

  static EmbeddingInput media(String mimeType, byte[] bytes) {
    return new Media(mimeType, bytes);
  }
}
