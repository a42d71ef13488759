package dev.bindery.generator.rag;

import java.util.Arrays;
import java.util.Locale;

/** How images are encoded for a model: PNG (lossless, best for clip art) or JPEG (smaller). */
public enum ImageEncoding {
  PNG("png", "image/png"),
  JPEG("jpeg", "image/jpeg");

  private final String imageIoName;
  private final String mediaType;

  ImageEncoding(String imageIoName, String mediaType) {
    this.imageIoName = imageIoName;
    this.mediaType = mediaType;
  }

  /** The ImageIO format name. */
  public String imageIoName() {
    return imageIoName;
  }

  /** The media type of the encoded bytes. */
  public String mediaType() {
    return mediaType;
  }

  /** Parses {@code png} or {@code jpeg}/{@code jpg}, rejecting anything else. */
  public static ImageEncoding fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("jpg")) {
      return JPEG;
    }
    for (ImageEncoding e : values()) {
      if (e.imageIoName.equals(n)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown image encoding '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(ImageEncoding::imageIoName).toList());
  }
}
