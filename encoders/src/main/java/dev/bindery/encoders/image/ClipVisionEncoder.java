package dev.bindery.encoders.image;

import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.awt.image.BufferedImage;
import java.util.Set;

/**
 * A CLIP-style vision tower (formats {@code clip-vision} and {@code imagebind-vision}): {@link
 * ClipImagePreprocessor} from the spec's {@code preprocess}, then an ONNX model with input {@code
 * pixel_values} {@code [B, 3, crop, crop]} and output (e.g. {@code image_embeds}) {@code [B, D]},
 * L2-normalised when the spec says so. ImageBind's vision tower takes {@code [B, 3, 224, 224]} and
 * gives {@code [B, 1024]}. Thread-safe; closing it closes the model.
 */
public final class ClipVisionEncoder
    extends PixelTowerEncoder<BufferedImage, ClipImagePreprocessor> {
  /**
   * Checks the model against the spec and takes ownership of it (the caller closes it if this
   * throws).
   *
   * @throws IllegalArgumentException if the spec's modality, pooling or preprocessing is wrong or
   *     the model lacks the input or output, naming what the model has
   */
  public ClipVisionEncoder(TowerSpec spec, OnnxModel model) {
    this(spec, model, DEFAULT_BATCH_SIZE);
  }

  /**
   * Like {@link #ClipVisionEncoder(TowerSpec, OnnxModel)} with at most {@code batchSize} images per
   * model call.
   */
  public ClipVisionEncoder(TowerSpec spec, OnnxModel model, int batchSize) {
    this(
        spec,
        model,
        ClipImagePreprocessor.fromJson(spec.preprocess(), 224, where(spec)),
        batchSize);
  }

  private ClipVisionEncoder(
      TowerSpec spec, OnnxModel model, ClipImagePreprocessor preprocessor, int batchSize) {
    super(
        spec,
        model,
        preprocessor,
        Set.of(Modality.IMAGE, Modality.VIDEO),
        itemShape(preprocessor, spec),
        batchSize);
  }

  private static long[] itemShape(ClipImagePreprocessor preprocessor, TowerSpec spec) {
    int[] hw =
        preprocessor
            .fixedOutputSize()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where(spec)
                            + ": a shortest-edge resize without a centre crop gives inputs of"
                            + " different sizes; set preprocess.crop or an exact size [h, w]"));
    return new long[] {3, hw[0], hw[1]};
  }
}
