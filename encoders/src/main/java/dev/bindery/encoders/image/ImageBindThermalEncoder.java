package dev.bindery.encoders.image;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.List;
import java.util.Set;

/**
 * ImageBind's thermal tower (format {@code imagebind-thermal}): {@link
 * ImageBindThermalPreprocessor} (scale to [0, 1], resize, crop, normalise), then an ONNX model with
 * input {@code pixel_values} {@code [B, 1, 224, 224]} (map the export's own name in the manifest's
 * {@code inputs}) and output {@code [B, D]} (1024 for ImageBind huge), L2-normalised when the spec
 * says so. Thread-safe; closing it closes the model.
 */
public final class ImageBindThermalEncoder implements Encoder<ScalarImage> {
  private final ImageBindThermalPreprocessor preprocessor;
  private final PixelTower tower;

  /**
   * Checks the model against the spec and takes ownership of it (the caller closes it if this
   * throws).
   *
   * @throws IllegalArgumentException if the spec's modality, pooling or preprocessing is wrong or
   *     the model lacks the input or output, naming what the model has
   */
  public ImageBindThermalEncoder(TowerSpec spec, OnnxModel model) {
    String where = spec.format() + " tower (" + spec.modality() + ")";
    this.preprocessor = ImageBindThermalPreprocessor.fromJson(spec.preprocess(), where);
    int c = preprocessor.crop();
    this.tower = new PixelTower(spec, model, Set.of(Modality.THERMAL), new long[] {1, c, c});
  }

  /** The preprocessing this tower applies. */
  public ImageBindThermalPreprocessor preprocessor() {
    return preprocessor;
  }

  @Override
  public Modality modality() {
    return tower.spec().modality();
  }

  @Override
  public String space() {
    return tower.spec().space();
  }

  @Override
  public int dimension() {
    return tower.spec().dimension();
  }

  @Override
  public List<float[]> encodeBatch(List<ScalarImage> inputs) {
    return tower.run(inputs.stream().map(preprocessor::apply).toList());
  }

  @Override
  public void close() {
    tower.close();
  }

  @Override
  public String toString() {
    return "ImageBindThermalEncoder[" + tower + ", " + preprocessor + "]";
  }
}
