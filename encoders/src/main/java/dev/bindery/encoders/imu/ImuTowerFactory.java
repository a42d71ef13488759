package dev.bindery.encoders.imu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerFactory;
import dev.bindery.encoders.pkg.TowerFormat;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.List;
import java.util.Set;

/**
 * Builds {@link ImageBindImuEncoder}s for the {@code imagebind-imu} format. Preprocessing
 * parameters (optional): {@code windowSamples} 2000, {@code minLastSamples} 500, {@code batchSize}
 * 32; unknown keys are rejected.
 */
public final class ImuTowerFactory implements TowerFactory {
  private static final List<String> KEYS = List.of("windowSamples", "minLastSamples", "batchSize");

  @Override
  public Set<String> formats() {
    return TowerFormat.wireNames(TowerFormat.IMAGEBIND_IMU);
  }

  @Override
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    requireFormat(spec, Modality.IMU);
    JsonNode pre = spec.preprocess();
    spec.requirePreprocessKeys(KEYS);
    ImuPreprocessor d = ImuPreprocessor.imageBind();
    ImuPreprocessor p =
        new ImuPreprocessor(
            intValue(pre, "windowSamples", d.windowSamples(), 1),
            intValue(pre, "minLastSamples", d.minLastSamples(), 0));
    int batch = intValue(pre, "batchSize", 32, 1);
    OnnxModel model = files.loadModel(spec.onnx());
    try {
      return new ImageBindImuEncoder(spec, model, p, batch);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static int intValue(JsonNode pre, String key, int fallback, int min) {
    JsonNode v = pre.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "towers.imu.preprocess." + key + " must be an integer >= " + min + ", got " + v);
    }
    return v.asInt();
  }
}
