package dev.bindery.encoders.image;

import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.Preprocessor;
import dev.bindery.encoders.RowTower;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.onnx.OnnxTower;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.text.Pooling;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An image-like tower (vision, depth, thermal): checks the ONNX signature against the spec once,
 * then preprocesses each input to {@code [C, H, W]} and runs the rows through {@link OnnxTower}
 * (batches of at most {@value #DEFAULT_BATCH_SIZE} unless given, the {@code [B, D]} output,
 * normalization). Subclasses only choose the preprocessing and the modalities. Thread-safe; owns
 * the model.
 *
 * @param <I> the decoded input
 * @param <P> the preprocessing
 */
abstract class PixelTowerEncoder<I, P extends Preprocessor<I>> extends OnnxTower<I>
    implements RowTower<I> {
  /**
   * The logical input role every image-like tower feeds; map it in the manifest's {@code inputs}.
   */
  static final String ROLE = "pixel_values";

  /** Images per model call when the caller does not say: 32 of 3 x 224 x 224 is 19 MB of input. */
  static final int DEFAULT_BATCH_SIZE = 32;

  private final TowerSpec spec;
  private final P preprocessor;
  private final RowSignature signature;

  /**
   * Checks the model against the spec and takes ownership of it (the caller closes it if this
   * throws).
   *
   * @param modalities the modalities this format may serve
   * @param itemShape the preprocessed item shape {@code [C, H, W]}
   * @param batchSize most images per model call
   * @throws IllegalArgumentException if the spec's modality or pooling is wrong or the model lacks
   *     the input or output, naming what the model has
   */
  PixelTowerEncoder(
      TowerSpec spec,
      OnnxModel model,
      P preprocessor,
      Set<Modality> modalities,
      long[] itemShape,
      int batchSize) {
    super(
        new Settings(
            spec.format(),
            spec.modality(),
            spec.space(),
            spec.dimension(),
            spec.normalize(),
            batchSize),
        model);
    this.spec = spec;
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
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
    if (spec.pooling() != Pooling.NONE) {
      throw new IllegalArgumentException(
          where
              + ": pooling must be 'none' (the model outputs one embedding per input), got '"
              + spec.pooling().wireName()
              + "'");
    }
    this.signature = requireRowSignature(spec.input(ROLE), spec.output(), itemShape);
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
  protected List<float[]> encodeChunk(List<I> inputs) {
    return reduce(runRows(signature, inputs.stream().map(preprocessor::apply).toList()));
  }

  @Override
  public FloatTensor preprocess(I input) {
    Objects.requireNonNull(input, "input");
    return preprocessor.apply(input);
  }

  /** The rows path of {@link #encodeChunk}: the same model call and normalization. */
  @Override
  public List<float[]> encodeRows(List<FloatTensor> rows) {
    Objects.requireNonNull(rows, "rows");
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("empty batch: the " + where() + " needs at least one row");
    }
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i) == null) {
        throw new IllegalArgumentException("row " + i + " of " + rows.size() + " is null");
      }
    }
    return guarded(() -> reduce(runRows(signature, rows)));
  }

  private List<float[]> reduce(List<float[]> vectors) {
    vectors.forEach(this::normalized);
    return vectors;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + spec.format()
        + "["
        + model().source()
        + ", "
        + signature.input()
        + " "
        + Arrays.toString(signature.rowShape())
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
