package dev.bindery.encoders.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.audio.AudioSegmenter;
import dev.bindery.encoders.audio.ImageBindAudioEncoder;
import dev.bindery.encoders.audio.ImageBindAudioPreprocessor;
import dev.bindery.encoders.image.ClipVisionEncoder;
import dev.bindery.encoders.imu.ImageBindImuEncoder;
import dev.bindery.encoders.imu.ImuPreprocessor;
import dev.bindery.encoders.imu.ImuTrace;
import dev.bindery.encoders.pkg.ModelManifest;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.video.ImageBindVideoEncoder;
import dev.bindery.encoders.video.VideoClipPreprocessor;
import dev.bindery.encoders.video.VideoClipSampler;
import dev.bindery.encoders.video.VideoDecoder;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What {@link OnnxTower} owns, checked on every kind of tower it serves (text, pixel, audio, IMU,
 * video) with the random-weight ImageBind test package: a batch split into model calls of two
 * embeds each input as it embeds alone, an empty batch and a null input are refused by name, and a
 * closed tower says so instead of touching a freed session.
 */
class OnnxTowerTest {
  static final Path IMAGEBIND =
      Path.of("src", "test", "resources", "parity", "towers", "imagebind");
  static final long SEED = 18;

  final PackageFiles files = PackageFiles.directory(IMAGEBIND, 1);
  final ModelManifest manifest;

  OnnxTowerTest() throws Exception {
    manifest =
        ModelManifest.parse(
            Files.readAllBytes(IMAGEBIND.resolve("bindery-model.json")), IMAGEBIND.toString());
  }

  private TowerSpec spec(Modality m) {
    return manifest.towers().get(m);
  }

  private OnnxModel model(Modality m) {
    return files.loadModel(spec(m).onnx());
  }

  @Test
  void batchesSplitIntoCallsEmbedLikeOneByOne() {
    Random r = new Random(SEED);
    // Five inputs in calls of at most two: chunks of 2, 2 and 1.
    checkSplit(textTower(2), List.of("a cat", "two dogs on a sofa", "", "x", "a red train"));
    try (ClipVisionEncoder image =
        new ClipVisionEncoder(spec(Modality.IMAGE), model(Modality.IMAGE), 2)) {
      checkSplit(image, inputs(5, i -> image(r, 40 + i, 30)));
    }
    try (ImageBindAudioEncoder audio =
        new ImageBindAudioEncoder(
            spec(Modality.AUDIO),
            model(Modality.AUDIO),
            new ImageBindAudioPreprocessor(),
            AudioSegmenter.defaults(),
            2)) {
      checkSplit(audio, inputs(5, i -> noise(r, 16_000 + 4_000 * i)));
    }
    try (ImageBindImuEncoder imu =
        new ImageBindImuEncoder(
            spec(Modality.IMU), model(Modality.IMU), ImuPreprocessor.imageBind(), 2)) {
      checkSplit(imu, inputs(5, i -> trace(r, 2_000 + 100 * i)));
    }
  }

  @Test
  void emptyBatchesAndNullInputsAreRefusedByName() {
    for (Encoder<?> tower : towers()) {
      try (Encoder<?> t = tower) {
        String m =
            assertThrows(IllegalArgumentException.class, () -> t.encodeBatch(List.of()))
                .getMessage();
        assertTrue(m.startsWith("empty batch: the "), m);
        assertTrue(m.contains(t.modality().wireName()), m);
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        @SuppressWarnings("unchecked")
        Encoder<Object> any = (Encoder<Object>) t;
        m =
            assertThrows(IllegalArgumentException.class, () -> any.encodeBatch(withNull))
                .getMessage();
        assertTrue(m.endsWith(" 0 of 1 is null"), m);
      }
    }
  }

  @Test
  void useAfterCloseIsAClearError() throws Exception {
    Random r = new Random(SEED);
    List<Encoder<?>> all = towers();
    List<Object> inputs =
        List.of(
            "a cat",
            image(r, 32, 32),
            noise(r, 16_000),
            trace(r, 2_000),
            MediaSource.of(
                Files.readAllBytes(IMAGEBIND.resolveSibling("video").resolve("testsrc.mp4")),
                "testsrc.mp4",
                "video/mp4"));
    for (int i = 0; i < all.size(); i++) {
      @SuppressWarnings("unchecked")
      Encoder<Object> t = (Encoder<Object>) all.get(i);
      Object input = inputs.get(i);
      t.close();
      t.close(); // closing twice is fine
      String m = assertThrows(IllegalStateException.class, () -> t.encode(input)).getMessage();
      assertTrue(m.endsWith("is closed"), m);
      assertTrue(m.contains(t.modality().wireName()), m);
    }
  }

  /** One tower of each kind, in the order text, image, audio, IMU, video. */
  private List<Encoder<?>> towers() {
    List<Encoder<?>> out = new ArrayList<>();
    out.add(textTower(32));
    out.add(new ClipVisionEncoder(spec(Modality.IMAGE), model(Modality.IMAGE)));
    out.add(new ImageBindAudioEncoder(spec(Modality.AUDIO), model(Modality.AUDIO)));
    out.add(new ImageBindImuEncoder(spec(Modality.IMU), model(Modality.IMU)));
    TowerSpec v = spec(Modality.VIDEO);
    out.add(
        new ImageBindVideoEncoder(
            model(Modality.VIDEO),
            v.space(),
            v.dimension(),
            v.input("pixel_values"),
            v.output(),
            true,
            4,
            new VideoDecoder(),
            new VideoClipSampler(2, 2, 2),
            VideoClipPreprocessor.IMAGEBIND.withCrops(1)));
    return out;
  }

  /** The text tower as the package builds it, with {@code batchSize} texts per model call. */
  @SuppressWarnings("unchecked")
  private Encoder<String> textTower(int batchSize) {
    TowerSpec t = spec(Modality.TEXT);
    ObjectNode pre = (ObjectNode) t.preprocess().deepCopy();
    pre.put("batchSize", batchSize);
    TowerSpec small =
        new TowerSpec(
            t.modality(),
            t.format(),
            t.space(),
            t.dimension(),
            t.onnx(),
            t.tokenizer(),
            t.inputs(),
            t.output(),
            t.pooling(),
            t.normalize(),
            pre);
    return (Encoder<String>) TowerRegistry.builtIn().create(small, files);
  }

  private static <I> void checkSplit(Encoder<I> tower, List<I> inputs) {
    try (tower) {
      List<float[]> batch = tower.encodeBatch(inputs);
      assertEquals(inputs.size(), batch.size());
      for (int i = 0; i < inputs.size(); i++) {
        assertArrayEquals(
            tower.encode(inputs.get(i)),
            batch.get(i),
            1e-5f,
            tower + ": input " + i + " alone vs in a split batch (seed " + SEED + ")");
      }
    }
  }

  private static <I> List<I> inputs(int n, Function<Integer, I> make) {
    List<I> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(make.apply(i));
    }
    return out;
  }

  private static BufferedImage image(Random r, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    return img;
  }

  private static AudioSignal noise(Random r, int samples) {
    float[] s = new float[samples];
    for (int i = 0; i < samples; i++) {
      s[i] = (float) (0.3 * r.nextGaussian());
    }
    return new AudioSignal(s, 16_000);
  }

  private static ImuTrace trace(Random r, int samples) {
    float[][] c = new float[ImuTrace.CHANNELS][samples];
    for (float[] ch : c) {
      for (int i = 0; i < samples; i++) {
        ch[i] = (float) r.nextGaussian();
      }
    }
    return new ImuTrace(c, 200);
  }
}
