package dev.bindery.encoders.image;

import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.Set;

/**
 * ImageBind's thermal tower (format {@code imagebind-thermal}): {@link
 * ImageBindThermalPreprocessor} (scale to [0, 1], resize, crop, normalise), then an ONNX model with
 * input {@code pixel_values} {@code [B, 1, 224, 224]} (map the export's own name in the manifest's
 * {@code inputs}) and output {@code [B, D]} (1024 for ImageBind huge), L2-normalised when the spec
 * says so. Thread-safe; closing it closes the model.
 */
public final class ImageBindThermalEncoder
    extends PixelTowerEncoder<ScalarImage, ImageBindThermalPreprocessor> {
  /**
   * Checks the model against the spec and takes ownership of it (the caller closes it if this
   * throws).
   *
   * @throws IllegalArgumentException if the spec's modality, pooling or preprocessing is wrong or
   *     the model lacks the input or output, naming what the model has
   */
  public ImageBindThermalEncoder(TowerSpec spec, OnnxModel model) {
    this(spec, model, ImageBindThermalPreprocessor.fromJson(spec.preprocess(), where(spec)));
  }

  private ImageBindThermalEncoder(
      TowerSpec spec, OnnxModel model, ImageBindThermalPreprocessor preprocessor) {
    super(
        spec,
        model,
        preprocessor,
        Set.of(Modality.THERMAL),
        new long[] {1, preprocessor.crop(), preprocessor.crop()},
        DEFAULT_BATCH_SIZE);
  }
}
