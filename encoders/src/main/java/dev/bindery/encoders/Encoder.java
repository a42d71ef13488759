package dev.bindery.encoders;

import java.util.List;

/**
 * One tower: embeds decoded inputs of one modality into one embedding space. Implementations are
 * thread-safe and own native resources (ONNX sessions, tokenizers) that {@link #close()} frees.
 *
 * @param <I> decoded input type: {@code String} for text, {@link java.awt.image.BufferedImage} for
 *     images, {@link AudioSignal} for audio, and so on
 */
public interface Encoder<I> extends AutoCloseable {
  /** The modality this tower reads. */
  Modality modality();

  /** The embedding space id; two towers share a space only if their package says so. */
  String space();

  /** Embedding dimension. */
  int dimension();

  /** Embeds a batch; each vector is L2-normalized unless the package says otherwise. */
  List<float[]> encodeBatch(List<I> inputs);

  /** Embeds one input. */
  default float[] encode(I input) {
    return encodeBatch(List.of(input)).get(0);
  }

  @Override
  void close();
}
