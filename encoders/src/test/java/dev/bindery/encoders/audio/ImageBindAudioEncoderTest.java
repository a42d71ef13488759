package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.NpyArray;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.text.Pooling;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The imagebind-audio tower on the tiny random-weight model with ImageBind's signature. */
class ImageBindAudioEncoderTest {
  private static final String MODEL = "imagebind_audio_tiny.onnx";

  static TowerSpec spec(ObjectNode preprocess) {
    return new TowerSpec(
        Modality.AUDIO,
        "imagebind-audio",
        "imagebind",
        1024,
        MODEL,
        null,
        Map.of(),
        "audio_embeds",
        Pooling.NONE,
        true,
        preprocess);
  }

  private static ImageBindAudioEncoder encoder() {
    return new ImageBindAudioEncoder(
        spec(null), OnnxModel.load(AudioFixtures.resource(MODEL), MODEL, 1));
  }

  @Test
  void modelRowsMatchTorchOnTheReferenceInput() {
    try (OnnxModel m = OnnxModel.load(AudioFixtures.resource(MODEL), MODEL, 1)) {
      NpyArray x = AudioFixtures.npy("speech_long.imagebind.npy");
      FloatTensor y =
          m.run(Map.of("audio", FloatTensor.of(x.data(), 3, 1, 128, 204)), List.of("audio_embeds"))
              .get("audio_embeds");
      double max =
          AudioFixtures.maxAbsDiff(
              AudioFixtures.npy("imagebind_audio_tiny.rows.npy").data(), y.data());
      assertTrue(max <= 1e-4, "ONNX vs torch rows: max abs diff " + max);
    }
  }

  @Test
  void embeddingOfTheJavaPipelineMatchesTheGolden() {
    try (ImageBindAudioEncoder enc = encoder()) {
      float[] got = enc.encode(new AudioDecoder().decode(AudioFixtures.media("speech_long.wav")));
      float[] want = AudioFixtures.npy("imagebind_audio_tiny.emb.npy").data();
      double cos = dot(got, want);
      System.out.printf("imagebind-audio tiny embedding: cosine %.7f to the golden%n", cos);
      assertTrue(cos >= 0.999, "cosine " + cos);
      assertEquals(1.0, dot(got, got), 1e-5);
    }
  }

  @Test
  void batchEqualsOneByOne() {
    try (ImageBindAudioEncoder enc = encoder()) {
      AudioSignal a = new AudioDecoder().decode(AudioFixtures.media("speech_short.wav"));
      AudioSignal b = new AudioDecoder().decode(AudioFixtures.media("speech_mid.wav"));
      List<float[]> both = enc.encodeBatch(List.of(a, b));
      assertEquals(2, both.size());
      assertTrue(AudioFixtures.maxAbsDiff(enc.encode(a), both.get(0)) < 1e-6);
      assertTrue(AudioFixtures.maxAbsDiff(enc.encode(b), both.get(1)) < 1e-6);
    }
  }

  @Test
  void segmentsCarryTheirTimes() {
    try (ImageBindAudioEncoder enc = encoder()) {
      AudioSignal s = new AudioDecoder().decode(AudioFixtures.media("speech_long.wav"));
      List<TimedEmbedding> segs = enc.encodeSegments(s);
      // 3.3 s: [0, 2) and a 1.3 s tail.
      assertEquals(2, segs.size());
      assertEquals(0.0, segs.get(0).start());
      assertEquals(2.0, segs.get(0).end());
      assertEquals(s.durationSeconds(), segs.get(1).end(), 1e-9);
      for (TimedEmbedding t : segs) {
        assertEquals(1024, t.vector().length);
        assertEquals(1.0, dot(t.vector(), t.vector()), 1e-5);
      }
    }
  }

  @Test
  void registeredThroughServiceLoaderAndBuiltFromAManifestSpec() {
    TowerRegistry registry = TowerRegistry.defaults();
    assertTrue(registry.formats().contains("imagebind-audio"), registry.toString());
    PackageFiles files = PackageFiles.classpath("parity/audio", getClass().getClassLoader(), 1);
    ObjectNode pre =
        new ObjectMapper()
            .createObjectNode()
            .put("segmentSeconds", 1.0)
            .put("segmentHopSeconds", 1.0);
    try (Encoder<?> e = registry.create(spec(pre), files)) {
      ImageBindAudioEncoder enc = assertInstanceOf(ImageBindAudioEncoder.class, e);
      assertEquals(1.0, enc.segmenter().windowSeconds());
      assertEquals("imagebind", enc.space());
    }
  }

  @Test
  void wrongModelOrSettingsAreRejectedWithWhatWasFound() {
    PackageFiles files = PackageFiles.classpath("parity/audio", getClass().getClassLoader(), 1);
    TowerSpec wrongInput =
        new TowerSpec(
            Modality.AUDIO,
            "imagebind-audio",
            "ib",
            1024,
            MODEL,
            null,
            Map.of("audio", "mel"),
            "audio_embeds",
            Pooling.NONE,
            true,
            null);
    AudioFixtures.assertMessage(
        () -> new AudioTowerFactory().create(wrongInput, files),
        "'mel'",
        "Model contains",
        "audio");
    TowerSpec wrongDim =
        new TowerSpec(
            Modality.AUDIO,
            "imagebind-audio",
            "ib",
            512,
            MODEL,
            null,
            Map.of(),
            "audio_embeds",
            Pooling.NONE,
            true,
            null);
    AudioFixtures.assertMessage(
        () -> new AudioTowerFactory().create(wrongDim, files), "expected [-1, 512]");
    ObjectNode bad = new ObjectMapper().createObjectNode().put("melBins", 64);
    AudioFixtures.assertMessage(
        () -> new AudioTowerFactory().create(spec(bad), files),
        "towers.audio.preprocess.melBins",
        "numMelBins");
    TowerSpec imageModel =
        new TowerSpec(
            Modality.AUDIO,
            "imagebind-audio",
            "ib",
            1024,
            "imagebind_imu_tiny.onnx",
            null,
            Map.of(),
            "audio_embeds",
            Pooling.NONE,
            true,
            null);
    AudioFixtures.assertMessage(
        () -> new AudioTowerFactory().create(imageModel, files), "Model contains");
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
