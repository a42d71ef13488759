package dev.bindery.encoders.image;

import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.Set;

/**
 * ImageBind's depth tower (format {@code imagebind-depth}): {@link ImageBindDepthPreprocessor}
 * (depth to disparity, resize, crop, normalise), then an ONNX model with input {@code pixel_values}
 * {@code [B, 1, 224, 224]} (map the export's own name in the manifest's {@code inputs}) and output
 * {@code [B, D]} (1024 for ImageBind huge), L2-normalised when the spec says so. Thread-safe;
 * closing it closes the model.
 */
public final class ImageBindDepthEncoder
    extends PixelTowerEncoder<ScalarImage, ImageBindDepthPreprocessor> {
  /**
   * Checks the model against the spec and takes ownership of it (the caller closes it if this
   * throws).
   *
   * @throws IllegalArgumentException if the spec's modality, pooling or preprocessing is wrong or
   *     the model lacks the input or output, naming what the model has
   */
  public ImageBindDepthEncoder(TowerSpec spec, OnnxModel model) {
    this(spec, model, ImageBindDepthPreprocessor.fromJson(spec.preprocess(), where(spec)));
  }

  private ImageBindDepthEncoder(
      TowerSpec spec, OnnxModel model, ImageBindDepthPreprocessor preprocessor) {
    super(
        spec,
        model,
        preprocessor,
        Set.of(Modality.DEPTH),
        new long[] {1, preprocessor.crop(), preprocessor.crop()},
        DEFAULT_BATCH_SIZE);
  }
}
