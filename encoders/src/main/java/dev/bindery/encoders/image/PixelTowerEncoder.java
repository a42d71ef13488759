package dev.bindery.encoders.image;

import ai.onnxruntime.OnnxJavaType;
import dev.bindery.encoders.EmbeddingMath;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.Preprocessor;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An image-like tower (vision, depth, thermal): checks the ONNX signature against the spec once,
 * then preprocesses each input to {@code [C, H, W]}, stacks them into {@code [B, C, H, W]}, runs
 * the model, checks its {@code [B, D]} output and L2-normalises each row when the spec asks.
 * Subclasses only choose the preprocessing and the modalities. Thread-safe; owns the model.
 *
 * @param <I> the decoded input
 * @param <P> the preprocessing
 */
abstract class PixelTowerEncoder<I, P extends Preprocessor<I>> implements Encoder<I> {
  /**
   * The logical input role every image-like tower feeds; map it in the manifest's {@code inputs}.
   */
  static final String ROLE = "pixel_values";

  private final TowerSpec spec;
  private final OnnxModel model;
  private final P preprocessor;
  private final String input;
  private final long[] itemShape;
  private final boolean oneAtATime;

  /**
   * Checks the model against the spec and takes ownership of it (the caller closes it if this
   * throws).
   *
   * @param modalities the modalities this format may serve
   * @param itemShape the preprocessed item shape {@code [C, H, W]}
   * @throws IllegalArgumentException if the spec's modality or pooling is wrong or the model lacks
   *     the input or output, naming what the model has
   */
  PixelTowerEncoder(
      TowerSpec spec, OnnxModel model, P preprocessor, Set<Modality> modalities, long[] itemShape) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.model = Objects.requireNonNull(model, "model");
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    this.itemShape = itemShape.clone();
    String where = where(spec);
    if (!modalities.contains(spec.modality())) {
      throw new IllegalArgumentException(
          where
              + ": format "
              + spec.format()
              + " reads "
              + modalities
              + ", not "
              + spec.modality());
    }
    if (!spec.pooling().equals("none")) {
      throw new IllegalArgumentException(
          where
              + ": pooling must be 'none' (the model outputs one embedding per input), got '"
              + spec.pooling()
              + "'");
    }
    this.input = spec.input(ROLE);
    if (!model.inputNames().equals(Set.of(input))) {
      model.requireInput(input, OnnxJavaType.FLOAT);
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + ": "
              + where
              + " feeds only '"
              + input
              + "', but the model has inputs "
              + model.describeInputs());
    }
    long[] full = new long[itemShape.length + 1];
    full[0] = -1;
    System.arraycopy(itemShape, 0, full, 1, itemShape.length);
    model.requireInput(input, OnnxJavaType.FLOAT, full);
    model.requireOutput(spec.output(), OnnxJavaType.FLOAT, -1, spec.dimension());
    // immich exports its towers with a static batch of 1: such a model runs one item per call.
    long batch = model.inputShape(input)[0];
    if (batch > 1) {
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + ": "
              + where
              + " needs a dynamic batch axis or a batch of 1, the model's input '"
              + input
              + "' has a fixed batch of "
              + batch);
    }
    this.oneAtATime = batch == 1;
  }

  /** How messages name the tower, e.g. {@code clip-vision tower (image)}. */
  static String where(TowerSpec spec) {
    return spec.format() + " tower (" + spec.modality() + ")";
  }

  /** The preprocessing this tower applies. */
  public P preprocessor() {
    return preprocessor;
  }

  @Override
  public Modality modality() {
    return spec.modality();
  }

  @Override
  public String space() {
    return spec.space();
  }

  @Override
  public int dimension() {
    return spec.dimension();
  }

  @Override
  public List<float[]> encodeBatch(List<I> inputs) {
    if (inputs.isEmpty()) {
      return List.of();
    }
    List<FloatTensor> items = inputs.stream().map(preprocessor::apply).toList();
    for (FloatTensor t : items) {
      if (!Arrays.equals(t.shape(), itemShape)) {
        throw new IllegalArgumentException(
            spec.format()
                + " tower: preprocessed input has shape "
                + Arrays.toString(t.shape())
                + ", the model takes "
                + Arrays.toString(itemShape));
      }
    }
    List<float[]> vectors =
        model.embedRows(
            input, spec.output(), spec.dimension(), items, oneAtATime ? 1 : items.size());
    if (spec.normalize()) {
      vectors.forEach(EmbeddingMath::l2Normalize);
    }
    return vectors;
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + spec.format()
        + "["
        + model.source()
        + ", "
        + input
        + " "
        + Arrays.toString(itemShape)
        + " -> "
        + spec.output()
        + " ["
        + spec.dimension()
        + "], space="
        + spec.space()
        + "], "
        + preprocessor
        + "]";
  }
}
