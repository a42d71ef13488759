package dev.bindery.encoders;

import java.util.List;

/**
 * A tower whose preprocessing can run apart from its model call, so that a caller can preprocess
 * inputs on worker threads and run the model on batches of ready rows (the ingest pipeline), and a
 * benchmark can time the model alone on rows prepared beforehand.
 *
 * <p>For every input {@code x}, {@code encodeRows(List.of(preprocess(x)))} gives the vector {@code
 * encode(x)} gives (up to the arithmetic of the batch size the model runs at). Thread-safe.
 *
 * @param <I> the decoded input
 */
public interface RowTower<I> extends Encoder<I> {

  /**
   * Preprocesses one decoded input into the model's row (without the batch axis). Pure; safe on any
   * thread.
   *
   * @throws IllegalArgumentException if the input cannot be preprocessed
   */
  FloatTensor preprocess(I input);

  /**
   * Runs preprocessed rows through the model (at most the tower's batch size per call) and reduces
   * them: one vector per row, in order, normalized as the tower says.
   *
   * @throws IllegalArgumentException for an empty list, a null row, or a row whose shape is not the
   *     model's
   * @throws IllegalStateException after {@link #close()}
   */
  List<float[]> encodeRows(List<FloatTensor> rows);
}
