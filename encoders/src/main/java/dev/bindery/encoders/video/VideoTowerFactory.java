package dev.bindery.encoders.video;

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
 * Builds {@code imagebind-video} towers ({@link ImageBindVideoEncoder}): ImageBind's vision tower
 * exported with a video input {@code [B, 3, T, size, size]} (input role {@code pixel_values}, model
 * input name {@code vision} by default) and an output {@code [B, D]}.
 *
 * <p>Preprocessing keys, all optional, ImageBind's values by default: {@code size} (224), {@code
 * crop} (must equal size), {@code clipDuration} (2.0), {@code clipsPerVideo} (5), {@code
 * framesPerClip} (2), {@code spatialCrops} (3, or 1 for the centre only), {@code mean}, {@code std}
 * (CLIP's), {@code maxDurationSeconds} (14400), {@code maxPixels} (100000000), {@code batchSize}
 * (views per model call, 16).
 */
public final class VideoTowerFactory implements TowerFactory {
  private static final List<String> KEYS =
      List.of(
          "size",
          "crop",
          "clipDuration",
          "clipsPerVideo",
          "framesPerClip",
          "spatialCrops",
          "mean",
          "std",
          "maxDurationSeconds",
          "maxPixels",
          "batchSize");

  @Override
  public Set<String> formats() {
    return TowerFormat.wireNames(TowerFormat.IMAGEBIND_VIDEO);
  }

  @Override
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    requireFormat(spec, Modality.VIDEO);
    JsonNode pre = spec.preprocess();
    spec.requirePreprocessKeys(KEYS);
    VideoClipPreprocessor d = VideoClipPreprocessor.IMAGEBIND;
    int size = integer(pre, "size", d.size());
    int crop = integer(pre, "crop", size);
    if (crop != size) {
      throw new IllegalArgumentException(
          "towers.video.preprocess: ImageBind crops the scaled short side whole, so crop must equal"
              + " size; got size "
              + size
              + ", crop "
              + crop);
    }
    VideoClipPreprocessor preprocessor =
        new VideoClipPreprocessor(
            size,
            integer(pre, "spatialCrops", d.crops()),
            triple(pre, "mean", d.mean()),
            triple(pre, "std", d.std()));
    VideoClipSampler s = VideoClipSampler.IMAGEBIND;
    VideoClipSampler sampler =
        new VideoClipSampler(
            number(pre, "clipDuration", s.clipDuration()),
            integer(pre, "clipsPerVideo", s.clipsPerVideo()),
            integer(pre, "framesPerClip", s.framesPerClip()));
    VideoLimits l = VideoLimits.DEFAULTS;
    VideoLimits limits =
        new VideoLimits(
            number(pre, "maxDurationSeconds", l.maxDurationSeconds()),
            (long) number(pre, "maxPixels", l.maxPixelsPerFrame()));
    int batch = integer(pre, "batchSize", 16);
    String input =
        spec.inputs().getOrDefault("pixel_values", spec.inputs().getOrDefault("vision", "vision"));
    OnnxModel model = files.loadModel(spec.onnx());
    try {
      return new ImageBindVideoEncoder(
          model,
          spec.space(),
          spec.dimension(),
          input,
          spec.output(),
          spec.normalize(),
          batch,
          new VideoDecoder(limits),
          sampler,
          preprocessor);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static int integer(JsonNode pre, String key, int fallback) {
    JsonNode v = pre.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
      throw new IllegalArgumentException(
          "towers.video.preprocess." + key + " must be an integer >= 1, got " + v);
    }
    return v.asInt();
  }

  private static double number(JsonNode pre, String key, double fallback) {
    JsonNode v = pre.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
      throw new IllegalArgumentException(
          "towers.video.preprocess." + key + " must be a number > 0, got " + v);
    }
    return v.asDouble();
  }

  private static float[] triple(JsonNode pre, String key, float[] fallback) {
    JsonNode v = pre.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isArray() || v.size() != 3) {
      throw new IllegalArgumentException(
          "towers.video.preprocess." + key + " must be 3 numbers, got " + v);
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!v.get(i).isNumber()) {
        throw new IllegalArgumentException(
            "towers.video.preprocess." + key + " must be 3 numbers, got " + v);
      }
      out[i] = (float) v.get(i).asDouble();
    }
    return out;
  }
}
