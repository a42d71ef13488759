package dev.bindery.encoders;

import java.util.Objects;

/**
 * What a piece of media is, as {@link MediaTypes#detect} decided.
 *
 * @param modality the tower it goes through
 * @param mimeType its MIME type ({@code image/png}), or {@code text/plain} for text
 * @param extension the canonical file extension for it, without a dot ({@code png})
 */
public record MediaType(Modality modality, String mimeType, String extension) {
  public MediaType {
    Objects.requireNonNull(modality, "modality");
    Objects.requireNonNull(mimeType, "mimeType");
    Objects.requireNonNull(extension, "extension");
  }
}
