package dev.bindery.encoders.image;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerFactory;
import dev.bindery.encoders.pkg.TowerFormat;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.Set;

/**
 * Builds the image-like towers: {@code clip-vision} and {@code imagebind-vision} ({@link
 * ClipVisionEncoder}), {@code imagebind-depth} ({@link ImageBindDepthEncoder}) and {@code
 * imagebind-thermal} ({@link ImageBindThermalEncoder}). Registered through {@code
 * META-INF/services/dev.bindery.encoders.pkg.TowerFactory}.
 */
public final class ImageTowerFactory implements TowerFactory {
  private static final Set<String> FORMATS =
      TowerFormat.wireNames(
          TowerFormat.CLIP_VISION,
          TowerFormat.IMAGEBIND_VISION,
          TowerFormat.IMAGEBIND_DEPTH,
          TowerFormat.IMAGEBIND_THERMAL);

  /** For {@link java.util.ServiceLoader}. */
  public ImageTowerFactory() {}

  @Override
  public Set<String> formats() {
    return FORMATS;
  }

  @Override
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    if (!FORMATS.contains(spec.format())) {
      throw new IllegalArgumentException(
          "ImageTowerFactory builds " + FORMATS + ", not '" + spec.format() + "'");
    }
    OnnxModel model = files.loadModel(spec.onnx());
    try {
      return switch (TowerFormat.fromName(spec.format())) {
        case IMAGEBIND_DEPTH -> new ImageBindDepthEncoder(spec, model);
        case IMAGEBIND_THERMAL -> new ImageBindThermalEncoder(spec, model);
        default -> new ClipVisionEncoder(spec, model);
      };
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
