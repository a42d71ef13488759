package dev.bindery.fusion.query;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import java.util.Map;

/**
 * Turns the value of a modality term ({@code text:"..."}, {@code image:PATH}, ...) into a vector:
 * the query side of a collection's model package.
 */
public interface TermEmbedder {
  /** The modalities this embedder reads, each with the space its vectors live in. */
  Map<Modality, String> spaces();

  /** A short description for error messages, such as the model package's name. */
  String describe();

  /**
   * Embeds one value: text for {@link Modality#TEXT}, a file path for the others.
   *
   * @throws IllegalArgumentException if the modality is not in {@link #spaces()} or the input is
   *     unreadable
   */
  float[] embed(Modality modality, String value);

  /**
   * Embeds media given by content (an {@link QueryExpr.Media} term): a file or bytes in memory.
   * Embedders without towers refuse it.
   *
   * @throws IllegalArgumentException if the modality is not in {@link #spaces()} or the media do
   *     not decode
   */
  default float[] embed(Modality modality, MediaSource media) {
    throw new IllegalArgumentException(
        "cannot embed " + modality + " " + media.describe() + ": there is " + describe());
  }

  /** An embedder with no towers, for collections of raw vectors. */
  static TermEmbedder none() {
    return new TermEmbedder() {
      @Override
      public Map<Modality, String> spaces() {
        return Map.of();
      }

      @Override
      public String describe() {
        return "no model package (raw vectors)";
      }

      @Override
      public float[] embed(Modality modality, String value) {
        throw new IllegalArgumentException(
            "cannot embed " + modality + " '" + value + "': there is " + describe());
      }
    };
  }
}
