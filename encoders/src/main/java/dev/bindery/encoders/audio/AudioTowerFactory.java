package dev.bindery.encoders.audio;

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
 * Builds {@link ImageBindAudioEncoder}s for the {@code imagebind-audio} format. Preprocessing
 * parameters (all optional, ImageBind's values by default): {@code sampleRate} 16000, {@code
 * numMelBins} 128, {@code targetLength} 204, {@code frameLengthMs} 25, {@code frameShiftMs} 10,
 * {@code window} "hanning", {@code clipDuration} 2, {@code clipsPerInput} 3, {@code mean} -4.268,
 * {@code std} 9.138, {@code sequentialInPlaceMean} true, {@code segmentSeconds} 2, {@code
 * segmentHopSeconds} 2, {@code segmentMinLastSeconds} 0.5, {@code batchSize} 48. Unknown keys are
 * rejected.
 */
public final class AudioTowerFactory implements TowerFactory {

  private static final List<String> KEYS =
      List.of(
          "sampleRate",
          "numMelBins",
          "targetLength",
          "frameLengthMs",
          "frameShiftMs",
          "window",
          "clipDuration",
          "clipsPerInput",
          "mean",
          "std",
          "sequentialInPlaceMean",
          "segmentSeconds",
          "segmentHopSeconds",
          "segmentMinLastSeconds",
          "batchSize");

  @Override
  public Set<String> formats() {
    return TowerFormat.wireNames(TowerFormat.IMAGEBIND_AUDIO);
  }

  @Override
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    requireFormat(spec, Modality.AUDIO);
    spec.requirePreprocessKeys(KEYS);
    Settings s = settings(spec.preprocess());
    OnnxModel model = files.loadModel(spec.onnx());
    try {
      return new ImageBindAudioEncoder(spec, model, s.preprocessor, s.segmenter, s.batchSize);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  record Settings(
      ImageBindAudioPreprocessor preprocessor, AudioSegmenter segmenter, int batchSize) {}

  /** Reads the preprocessing parameters (keys already checked), rejecting bad values. */
  static Settings settings(JsonNode pre) {
    ImageBindAudioPreprocessor.Config d = ImageBindAudioPreprocessor.Config.imageBind();
    KaldiFbank.Options f = d.fbank();
    int rate = intValue(pre, "sampleRate", d.sampleRate());
    KaldiFbank.Options fbank =
        new KaldiFbank.Options(
            rate,
            intValue(pre, "numMelBins", f.numMelBins()),
            number(pre, "frameLengthMs", f.frameLengthMs()),
            number(pre, "frameShiftMs", f.frameShiftMs()),
            pre.has("window") ? KaldiFbank.Window.fromName(pre.get("window").asText()) : f.window(),
            f.preemphasisCoefficient(),
            f.removeDcOffset(),
            f.roundToPowerOfTwo(),
            f.lowFreq(),
            f.highFreq(),
            f.blackmanCoeff());
    ImageBindAudioPreprocessor.Config config =
        new ImageBindAudioPreprocessor.Config(
            rate,
            fbank,
            intValue(pre, "targetLength", d.targetLength()),
            new ConstantClipSampler(
                number(pre, "clipDuration", d.sampler().clipDuration()),
                intValue(pre, "clipsPerInput", d.sampler().clipsPerInput())),
            (float) number(pre, "mean", d.mean()),
            (float) number(pre, "std", d.std()),
            pre.has("sequentialInPlaceMean")
                ? bool(pre, "sequentialInPlaceMean")
                : d.sequentialInPlaceMean());
    AudioSegmenter seg = AudioSegmenter.defaults();
    AudioSegmenter segmenter =
        new AudioSegmenter(
            number(pre, "segmentSeconds", seg.windowSeconds()),
            number(pre, "segmentHopSeconds", seg.hopSeconds()),
            number(pre, "segmentMinLastSeconds", seg.minLastSeconds()));
    return new Settings(
        new ImageBindAudioPreprocessor(config), segmenter, intValue(pre, "batchSize", 48));
  }

  private static int intValue(JsonNode pre, String key, int fallback) {
    JsonNode v = pre.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "towers.audio.preprocess." + key + " must be an integer >= 1, got " + v);
    }
    return v.asInt();
  }

  private static double number(JsonNode pre, String key, double fallback) {
    JsonNode v = pre.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalArgumentException(
          "towers.audio.preprocess." + key + " must be a finite number, got " + v);
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode pre, String key) {
    JsonNode v = pre.get(key);
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(
          "towers.audio.preprocess." + key + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }
}
