package dev.bindery.encoders.onnx;

import ai.onnxruntime.OnnxJavaType;
import dev.bindery.encoders.EmbeddingMath;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The one way a tower runs an ONNX model. This base owns what every tower needs the same:
 *
 * <ul>
 *   <li>batches: {@link #encodeBatch} refuses an empty list and null inputs (naming the index),
 *       splits the inputs into chunks of at most {@link Settings#batchSize()}, and checks that
 *       every vector has the tower's dimension;
 *   <li>rows: {@link #runRows} stacks preprocessed rows and runs them in calls of at most the batch
 *       size (one at a time for a model exported with a static batch of 1);
 *   <li>the model signature: {@link #requireRowSignature} checks the one float input and the {@code
 *       [B, D]} output once, at construction, and says what the model has when they differ;
 *   <li>L2 normalization when the package asks for it ({@link #normalized});
 *   <li>the closed guard: encoding holds a read lock and {@link #close()} the write lock, so a
 *       session is never freed mid-run, and use after close is an {@link IllegalStateException}.
 * </ul>
 *
 * Each tower keeps only its preprocessing (input to rows) and its output reduction (rows to one
 * vector: pooling, a mean over clips or crops) in {@link #encodeChunk}. Thread-safe when the
 * subclass's steps are; owns and closes its model.
 *
 * @param <I> the decoded input
 */
public abstract class OnnxTower<I> implements Encoder<I> {
  /**
   * What a tower is, as its package declares it.
   *
   * @param format the manifest format, for messages ({@code clip-vision})
   * @param modality the modality it reads
   * @param space the embedding space id
   * @param dimension the embedding dimension
   * @param normalize L2-normalize the vectors
   * @param batchSize most inputs per {@link #encodeChunk} and most rows per model call
   */
  public record Settings(
      String format,
      Modality modality,
      String space,
      int dimension,
      boolean normalize,
      int batchSize) {
    public Settings {
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(modality, "modality");
      Objects.requireNonNull(space, "space");
      if (dimension < 1) {
        throw new IllegalArgumentException(
            format + " tower: dimension must be >= 1, got " + dimension);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException(
            format + " tower: batch size must be >= 1, got " + batchSize);
      }
    }
  }

  /**
   * The single float input a row tower feeds and the output it reads, checked against the model.
   *
   * @param input the model's input name
   * @param output the model's output name ({@code [B, dimension]})
   * @param rowShape one row without the batch axis
   * @param rowsPerCall most rows per model call (1 for a model with a static batch of 1)
   */
  public record RowSignature(String input, String output, long[] rowShape, int rowsPerCall) {
    public RowSignature {
      rowShape = rowShape.clone();
    }

    @Override
    public long[] rowShape() {
      return rowShape.clone();
    }
  }

  private final Settings settings;
  private final OnnxModel model;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  /** Takes ownership of the model; a subclass constructor that throws must close it. */
  protected OnnxTower(Settings settings, OnnxModel model) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.model = Objects.requireNonNull(model, "model");
  }

  /** The tower as declared. */
  public final Settings settings() {
    return settings;
  }

  /** The model (for subclasses with several inputs, such as text towers). */
  protected final OnnxModel model() {
    return model;
  }

  @Override
  public final Modality modality() {
    return settings.modality();
  }

  @Override
  public final String space() {
    return settings.space();
  }

  @Override
  public final int dimension() {
    return settings.dimension();
  }

  /** How messages name this tower: {@code clip-vision tower (image)}. */
  protected final String where() {
    return settings.format() + " tower (" + settings.modality() + ")";
  }

  /** What one input is called in messages ("text", "image"...); "input" by default. */
  protected String inputNoun() {
    return "input";
  }

  /**
   * Embeds inputs, at most {@link Settings#batchSize()} per {@link #encodeChunk}.
   *
   * @throws IllegalArgumentException for an empty list or a null input (naming its index)
   * @throws IllegalStateException after {@link #close()}, or if the model's vectors do not have the
   *     tower's dimension
   */
  @Override
  public final List<float[]> encodeBatch(List<I> inputs) {
    Objects.requireNonNull(inputs, "inputs");
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException(
          "empty batch: the " + where() + " needs at least one " + inputNoun());
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i) == null) {
        throw new IllegalArgumentException(
            inputNoun() + " " + i + " of " + inputs.size() + " is null");
      }
    }
    return guarded(
        () -> {
          List<float[]> out = new ArrayList<>(inputs.size());
          int step = settings.batchSize();
          for (int from = 0; from < inputs.size(); from += step) {
            List<I> chunk = inputs.subList(from, Math.min(inputs.size(), from + step));
            List<float[]> vectors = encodeChunk(chunk);
            if (vectors.size() != chunk.size()) {
              throw new IllegalStateException(
                  where() + " returned " + vectors.size() + " vectors for " + chunk.size());
            }
            for (float[] v : vectors) {
              if (v.length != settings.dimension()) {
                throw new IllegalStateException(
                    "model "
                        + model.source()
                        + " produced "
                        + v.length
                        + "-d vectors, the package declares "
                        + settings.dimension());
              }
            }
            out.addAll(vectors);
          }
          return out;
        });
  }

  /**
   * Preprocesses, runs and reduces one chunk of inputs (never empty, no nulls, at most the batch
   * size), under the closed guard; one vector per input, in order, normalized as the tower says.
   */
  protected abstract List<float[]> encodeChunk(List<I> chunk);

  /**
   * Checks that the model has exactly one input, {@code input}, of float {@code [B, rowShape...]}
   * and a float output {@code [B, dimension]}, and whether its batch axis is dynamic.
   *
   * @throws IllegalArgumentException naming what the model has when it differs
   */
  protected final RowSignature requireRowSignature(String input, String output, long... rowShape) {
    if (!model.inputNames().equals(java.util.Set.of(input))) {
      model.requireInput(input, OnnxJavaType.FLOAT); // "does not contain required input" if absent
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + ": "
              + where()
              + " feeds only '"
              + input
              + "', but the model has inputs "
              + model.describeInputs());
    }
    long[] full = new long[rowShape.length + 1];
    full[0] = -1;
    System.arraycopy(rowShape, 0, full, 1, rowShape.length);
    model.requireInput(input, OnnxJavaType.FLOAT, full);
    model.requireOutput(output, OnnxJavaType.FLOAT, -1, settings.dimension());
    // immich exports its towers with a static batch of 1: such a model runs one row per call.
    long batch = model.inputShape(input)[0];
    if (batch > 1) {
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + ": "
              + where()
              + " needs a dynamic batch axis or a batch of 1, the model's input '"
              + input
              + "' has a fixed batch of "
              + batch);
    }
    return new RowSignature(input, output, rowShape, batch == 1 ? 1 : settings.batchSize());
  }

  /**
   * Runs preprocessed rows (each of the signature's row shape) through the model in calls of at
   * most {@link RowSignature#rowsPerCall()}; one raw (not normalized) vector per row, in order.
   *
   * @throws IllegalArgumentException if a row does not have the model's row shape
   */
  protected final List<float[]> runRows(RowSignature signature, List<FloatTensor> rows) {
    long[] want = signature.rowShape;
    for (FloatTensor t : rows) {
      if (!Arrays.equals(t.shape(), want)) {
        throw new IllegalArgumentException(
            settings.format()
                + " tower: preprocessed input has shape "
                + Arrays.toString(t.shape())
                + ", the model takes "
                + Arrays.toString(want));
      }
    }
    return model.embedRows(
        signature.input(), signature.output(), settings.dimension(), rows, signature.rowsPerCall());
  }

  /** L2-normalizes {@code v} in place when the tower normalizes, and returns it. */
  protected final float[] normalized(float[] v) {
    return settings.normalize() ? l2Normalize(v) : v;
  }

  /**
   * The normalization arithmetic: {@link EmbeddingMath#l2Normalize}. Text towers divide the way
   * sentence-transformers does instead, which can differ in the last bit.
   */
  protected float[] l2Normalize(float[] v) {
    return EmbeddingMath.l2Normalize(v);
  }

  /**
   * Runs {@code work} under the read lock, refusing after {@link #close()}: for subclass entry
   * points besides {@link #encodeBatch} (segments, preprocessing helpers).
   */
  protected final <T> T guarded(Supplier<T> work) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException(
            "the " + where() + " of model " + model.source() + " is closed");
      }
      return work.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Frees what the subclass owns besides the model (a tokenizer); runs once, before the model. */
  protected void closeResources() {}

  /** Waits for running calls, then frees the model; later calls do nothing. */
  @Override
  public final void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        closeResources();
      } finally {
        model.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
