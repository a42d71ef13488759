package dev.bindery.encoders.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.LongTensor;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.SegmentingEncoder;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.ModelManifest;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.video.VideoFixtures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny signature-identical ImageBind and Hugging Face CLIP packages made by tiny_towers.py,
 * loaded through {@link ModelPackage} as a user's real package would be: every tower loads, its
 * model reproduces the torch golden on the same input, the encoders whose preprocessing is
 * unambiguous on a chosen input (text through the tokenizer, a uniform image, a video) reproduce
 * the golden end to end, and a manifest that does not fit the model is refused with what the model
 * has.
 */
class TinyPackagesE2ETest {
  private static final double MIN_COSINE = 0.999;
  private static final List<String> IMAGEBIND_TOWERS =
      List.of("image", "video", "text", "audio", "depth", "thermal", "imu");

  @TempDir Path tmp;

  private static Path imageBind() {
    return VideoFixtures.towers().resolve("imagebind");
  }

  private static Path hfClip() {
    return VideoFixtures.towers().resolve("hf-clip");
  }

  /** The golden vector of an entry: a row of the package's embeddings.npy. */
  private static float[] row(Path dir, JsonNode golden, JsonNode entry) {
    int[][] shape = new int[1][];
    float[] all = VideoFixtures.npy(dir.resolve(golden.get("embeddings").asText()), shape);
    int dim = shape[0][1];
    int r = entry.get("embedding").asInt();
    return java.util.Arrays.copyOfRange(all, r * dim, (r + 1) * dim);
  }

  private static void assertClose(float[] want, float[] got, String what) {
    double cos = VideoFixtures.cosine(want, got);
    System.out.printf("e2e %s: cosine %.6f%n", what, cos);
    assertTrue(cos >= MIN_COSINE, what + ": cosine " + cos);
  }

  @Test
  void imageBindManifestNamesAllSixModalitiesAndVideo() {
    ModelManifest m = ModelPackage.readManifest(PackageFiles.directory(imageBind(), 1));
    Set<Modality> want = new TreeSet<>();
    IMAGEBIND_TOWERS.forEach(t -> want.add(Modality.fromName(t)));
    assertEquals(want, new TreeSet<>(m.modalities()));
    assertEquals(1024, m.dimension());
  }

  @Test
  void everyImageBindModelReproducesTheTorchGolden() {
    PackageFiles files = PackageFiles.directory(imageBind(), 1);
    ModelManifest m = ModelPackage.readManifest(files);
    JsonNode golden = VideoFixtures.json(imageBind().resolve("golden.json"));
    for (String key : IMAGEBIND_TOWERS) {
      JsonNode g = golden.get(key);
      TowerSpec spec = m.towers().get(Modality.fromName(key));
      assertEquals(g.get("onnx").asText(), spec.onnx());
      long[] shape = new long[g.get("shape").size()];
      int n = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = g.get("shape").get(i).asLong();
        n *= (int) shape[i];
      }
      Object input;
      if (g.get("dtype").asText().equals("int64")) {
        long[] ids = VideoFixtures.patternIds(n, g.get("salt").asInt(), g.get("vocab").asLong());
        ids[0] = 49406;
        ids[40] = 49407;
        for (int i = 41; i < n; i++) {
          ids[i] = 0;
        }
        input = new LongTensor(shape, ids);
      } else {
        input = new FloatTensor(shape, VideoFixtures.pattern(n, g.get("salt").asInt()));
      }
      try (OnnxModel model = files.loadModel(spec.onnx())) {
        FloatTensor out =
            model
                .run(Map.of(g.get("input").asText(), input), List.of(spec.output()))
                .get(spec.output());
        assertClose(row(imageBind(), golden, g), out.data(), "imagebind " + key + " model");
      }
    }
  }

  @Test
  void imageBindVisionAndVideoExportsAgreeOnStills() {
    // ImageBind's PadIm2Video repeats an image into a 2-frame clip; the two exports share weights
    PackageFiles files = PackageFiles.directory(imageBind(), 1);
    float[] image = VideoFixtures.pattern(3 * 224 * 224, 1);
    float[] still = new float[2 * image.length];
    int plane = 224 * 224;
    for (int c = 0; c < 3; c++) {
      for (int t = 0; t < 2; t++) {
        System.arraycopy(image, c * plane, still, (c * 2 + t) * plane, plane);
      }
    }
    try (OnnxModel vision = files.loadModel("vision.onnx");
        OnnxModel video = files.loadModel("video.onnx")) {
      float[] a =
          vision
              .run(Map.of("vision", FloatTensor.of(image, 1, 3, 224, 224)), List.of("embeddings"))
              .get("embeddings")
              .data();
      float[] b =
          video
              .run(
                  Map.of("vision", FloatTensor.of(still, 1, 3, 2, 224, 224)), List.of("embeddings"))
              .get("embeddings")
              .data();
      assertClose(a, b, "imagebind vision.onnx vs video.onnx on a still");
    }
  }

  /** Towers whose format no registered factory builds yet, so the test can say what it skipped. */
  private static Set<String> unknownFormats(ModelManifest m) {
    Set<String> known = TowerRegistry.defaults().formats();
    Set<String> missing = new TreeSet<>();
    m.towers()
        .values()
        .forEach(
            t -> {
              if (!known.contains(t.format())) {
                missing.add(t.format());
              }
            });
    return missing;
  }

  @Test
  @SuppressWarnings("unchecked")
  void imageBindPackageOpensAndItsEncodersMatchTheGoldens() {
    ModelManifest m = ModelPackage.readManifest(PackageFiles.directory(imageBind(), 1));
    Set<String> missing = unknownFormats(m);
    assertTrue(missing.isEmpty(), "no factory registered for " + missing);
    JsonNode golden = VideoFixtures.json(imageBind().resolve("golden.json"));
    try (ModelPackage pkg = ModelPackage.open(imageBind())) {
      for (String key : IMAGEBIND_TOWERS) {
        Encoder<?> e = pkg.encoder(Modality.fromName(key));
        assertEquals(Modality.fromName(key), e.modality());
        assertEquals(1024, e.dimension());
        assertEquals("imagebind-huge", e.space());
      }
      for (JsonNode t : golden.get("texts")) {
        assertClose(
            row(imageBind(), golden, t),
            pkg.textEncoder().encode(t.get("text").asText()),
            "imagebind text '" + t.get("text").asText() + "'");
      }
      JsonNode u = golden.get("uniformImage");
      assertClose(
          row(imageBind(), golden, u),
          pkg.imageEncoder().encode(uniformImage(u)),
          "imagebind uniform image");
      SegmentingEncoder<MediaSource> video = pkg.videoEncoder();
      assertInstanceOf(SegmentingEncoder.class, pkg.encoder(Modality.VIDEO));
      JsonNode vg = VideoFixtures.videoGolden().get("files").get("testsrc.mp4");
      Path file = VideoFixtures.video("testsrc.mp4");
      MediaSource mp4 = MediaSource.of(file);
      assertClose(
          VideoFixtures.npy(file.resolveSibling(vg.get("itemEmbedding").asText()), null),
          video.encode(mp4),
          "imagebind video testsrc.mp4");
      List<TimedEmbedding> segs = video.encodeSegments(mp4);
      assertEquals(5, segs.size());
      assertEquals(2.4, segs.get(4).start(), 1e-12);
    }
  }

  private static BufferedImage uniformImage(JsonNode u) {
    BufferedImage img =
        new BufferedImage(
            u.get("width").asInt(), u.get("height").asInt(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(
        new Color(
            u.get("rgb").get(0).asInt(), u.get("rgb").get(1).asInt(), u.get("rgb").get(2).asInt()));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.dispose();
    return img;
  }

  @Test
  void huggingFaceClipExportLoadsWithoutAManifestAndMatchesTheGoldens() {
    JsonNode golden = VideoFixtures.json(hfClip().resolve("golden.json"));
    PackageFiles files = PackageFiles.directory(hfClip(), 1);
    try (OnnxModel vision = files.loadModel("vision_model.onnx")) {
      JsonNode p = golden.get("pattern");
      FloatTensor x =
          FloatTensor.of(
              VideoFixtures.pattern(3 * 224 * 224, p.get("salt").asInt()), 1, 3, 224, 224);
      assertClose(
          row(hfClip(), golden, p),
          vision.run(Map.of("pixel_values", x), List.of("image_embeds")).get("image_embeds").data(),
          "hf-clip vision model");
    }
    Set<String> missing = unknownFormats(ModelPackage.readManifest(files));
    assertTrue(missing.isEmpty(), "no factory registered for " + missing);
    try (ModelPackage pkg = ModelPackage.open(hfClip())) {
      assertEquals(Set.of(Modality.TEXT, Modality.IMAGE), pkg.modalities());
      assertEquals(512, pkg.dimension());
      for (JsonNode t : golden.get("texts")) {
        assertClose(
            row(hfClip(), golden, t),
            pkg.textEncoder().encode(t.get("text").asText()),
            "hf-clip text '" + t.get("text").asText() + "'");
      }
      JsonNode u = golden.get("uniformImage");
      assertClose(
          row(hfClip(), golden, u),
          pkg.imageEncoder().encode(uniformImage(u)),
          "hf-clip uniform image");
    }
  }

  /** A copy of the ImageBind package whose manifest keeps only the video tower, edited. */
  private Path brokenCopy(java.util.function.Consumer<ObjectNode> edit) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("broken-" + System.nanoTime()));
    try (var s = Files.list(imageBind())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, dir.resolve(p.getFileName()));
      }
    }
    ObjectMapper om = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) om.readTree(dir.resolve("bindery-model.json").toFile());
    ObjectNode towers = (ObjectNode) manifest.get("towers");
    for (Iterator<String> it = towers.fieldNames(); it.hasNext(); ) {
      if (!it.next().equals("video")) {
        it.remove();
      }
    }
    edit.accept((ObjectNode) towers.get("video"));
    om.writeValue(dir.resolve("bindery-model.json").toFile(), manifest);
    return dir;
  }

  @Test
  void manifestThatDoesNotFitTheModelIsRefusedWithWhatTheModelHas() throws IOException {
    Path wrongName = brokenCopy(v -> v.put("output", "embedding"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(wrongName).close());
    assertTrue(
        e.getMessage().contains("'embedding'")
            && e.getMessage().contains("Model contains")
            && e.getMessage().contains("embeddings=FLOAT[-1, 1024]"),
        e.getMessage());

    Path wrongInput = brokenCopy(v -> ((ObjectNode) v.get("inputs")).put("pixel_values", "pixels"));
    e = assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(wrongInput).close());
    assertTrue(
        e.getMessage().contains("'pixels'")
            && e.getMessage().contains("vision=FLOAT[-1, 3, 2, 224, 224]"),
        e.getMessage());

    Path wrongShape = brokenCopy(v -> ((ObjectNode) v.get("preprocess")).put("framesPerClip", 4));
    e = assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(wrongShape).close());
    assertTrue(
        e.getMessage().contains("has shape [-1, 3, 2, 224, 224]")
            && e.getMessage().contains("expected [-1, 3, 4, 224, 224]"),
        e.getMessage());

    Path wrongDim = brokenCopy(v -> v.put("dimension", 512));
    e = assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(wrongDim).close());
    assertTrue(
        e.getMessage().contains("[-1, 1024]") && e.getMessage().contains("512"), e.getMessage());

    Path notOnnx = brokenCopy(v -> v.put("onnx", "golden.json"));
    e = assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(notOnnx).close());
    assertTrue(
        e.getMessage().contains("golden.json")
            && e.getMessage().contains("not a loadable ONNX model"),
        e.getMessage());

    Path badKey = brokenCopy(v -> ((ObjectNode) v.get("preprocess")).put("fps", 10));
    e = assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(badKey).close());
    assertTrue(e.getMessage().contains("towers.video.preprocess.fps"), e.getMessage());
  }
}
