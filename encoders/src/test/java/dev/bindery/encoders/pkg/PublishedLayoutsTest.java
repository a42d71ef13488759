package dev.bindery.encoders.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.Modality;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One tiny CLIP published in the immich, transformers.js and open_clip layouts
 * (encoders/parity/hub_layouts.py): each opens without a manifest and embeds texts and images as
 * the torch model does, so all three agree with each other.
 */
class PublishedLayoutsTest {
  static final Path LAYOUTS = Path.of("src", "test", "resources", "parity", "layouts");

  static JsonNode golden() throws IOException {
    return new ObjectMapper().readTree(LAYOUTS.resolve("golden.json").toFile());
  }

  static BufferedImage uniform(JsonNode spec) {
    BufferedImage img =
        new BufferedImage(
            spec.get("width").asInt(), spec.get("height").asInt(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    JsonNode rgb = spec.get("rgb");
    g.setColor(new Color(rgb.get(0).asInt(), rgb.get(1).asInt(), rgb.get(2).asInt()));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.dispose();
    return img;
  }

  static float[] vector(JsonNode a) {
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) a.get(i).asDouble();
    }
    return v;
  }

  static void assertClose(float[] want, float[] got, double tol, String what) {
    assertEquals(want.length, got.length, what);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]));
    }
    assertTrue(worst <= tol, what + ": max |difference| " + worst + " > " + tol);
  }

  /** Checks a package's text and image embeddings against the torch model's. */
  static void assertEmbedsLikeTorch(ModelPackage pkg, JsonNode golden, String what) {
    List<String> texts = new ArrayList<>();
    golden.get("texts").forEach(t -> texts.add(t.get("text").asText()));
    List<float[]> got = pkg.textEncoder().encodeBatch(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertClose(
          vector(golden.get("texts").get(i).get("embedding")),
          got.get(i),
          1e-5,
          what + " text '" + texts.get(i) + "'");
      // One at a time (immich's static batch of 1) and in a batch agree.
      assertClose(got.get(i), pkg.textEncoder().encode(texts.get(i)), 1e-6, what + " alone");
    }
    JsonNode img = golden.get("uniformImage");
    assertClose(
        vector(img.get("embedding")),
        pkg.imageEncoder().encode(uniform(img)),
        1e-5,
        what + " uniform image");
  }

  @ParameterizedTest
  @ValueSource(strings = {"immich", "transformers-js", "open-clip"})
  void eachLayoutOpensWithoutAManifestAndEmbedsLikeTorch(String layout) throws IOException {
    try (ModelPackage pkg = ModelPackage.open(LAYOUTS.resolve(layout))) {
      assertEquals(512, pkg.dimension());
      assertEquals(java.util.Set.of(Modality.TEXT, Modality.IMAGE), pkg.modalities());
      assertEmbedsLikeTorch(pkg, golden().get("fp32"), layout);
    }
  }

  @Test
  void immichTowersAreReadAsPublished() throws IOException {
    ModelManifest m =
        ModelPackage.readManifest(PackageFiles.directory(LAYOUTS.resolve("immich"), 0));
    TowerSpec text = m.towers().get(Modality.TEXT);
    assertEquals("textual/model.onnx", text.onnx());
    assertEquals("textual/tokenizer.json", text.tokenizer());
    assertEquals("text", text.input("input_ids"));
    assertEquals("embedding", text.output());
    // tokenizer_config.json's pad_token <|endoftext|>, looked up in tokenizer.json
    int eot =
        new ObjectMapper()
            .readTree(LAYOUTS.resolve("immich/textual/tokenizer.json").toFile())
            .at("/model/vocab/<|endoftext|>")
            .asInt(-1);
    assertEquals(eot, text.preprocess().get("padId").asInt());
    TowerSpec image = m.towers().get(Modality.IMAGE);
    assertEquals("visual/model.onnx", image.onnx());
    assertEquals("image", image.input("pixel_values"));
    assertEquals(224, image.preprocess().get("size").asInt());
    assertEquals("shortest", image.preprocess().get("resizeMode").asText());
  }

  @Test
  void transformersJsFallsBackToTheQuantizedVariant(@TempDir Path dir) throws IOException {
    Path copy = copyTree(LAYOUTS.resolve("transformers-js"), dir.resolve("js"));
    Files.delete(copy.resolve("onnx/text_model.onnx"));
    Files.delete(copy.resolve("onnx/vision_model.onnx"));
    try (ModelPackage pkg = ModelPackage.open(copy)) {
      assertEquals(
          "onnx/text_model_quantized.onnx", pkg.manifest().towers().get(Modality.TEXT).onnx());
      assertEmbedsLikeTorch(pkg, golden().get("quantized"), "quantized");
    }
  }

  @Test
  void pullRecordGivesTheLicenseAndCommit(@TempDir Path dir) throws IOException {
    Path copy = copyTree(LAYOUTS.resolve("open-clip"), dir.resolve("oc"));
    Files.writeString(
        copy.resolve(ModelCache.RECORD), "{\"license\": \"MIT\", \"commit\": \"0123abcd\"}");
    ModelManifest m = ModelPackage.readManifest(PackageFiles.directory(copy, 0));
    assertEquals("MIT", m.license());
    assertEquals("0123abcd", m.version());
  }

  @Test
  void selectsWhatEachLayoutNeeds() throws IOException {
    for (String layout : List.of("immich", "transformers-js", "open-clip")) {
      List<String> files = listing(LAYOUTS.resolve(layout));
      PublishedLayout l = PublishedLayout.detect(files).orElseThrow();
      List<String> picked = l.select(layout, files, false);
      assertFalse(picked.contains("README.md"), layout + " " + picked);
      assertFalse(picked.stream().anyMatch(f -> f.contains("_quantized")), picked.toString());
    }
    List<String> immich = listing(LAYOUTS.resolve("immich"));
    assertEquals(
        List.of(
            "config.json",
            "textual/model.onnx",
            "textual/tokenizer.json",
            "textual/tokenizer_config.json",
            "visual/model.onnx",
            "visual/preprocess_cfg.json"),
        PublishedLayout.IMMICH.select("x", immich, false));
    List<String> js = listing(LAYOUTS.resolve("transformers-js"));
    assertEquals(
        List.of(
            "config.json",
            "onnx/text_model_quantized.onnx",
            "onnx/vision_model_quantized.onnx",
            "preprocessor_config.json",
            "tokenizer.json",
            "tokenizer_config.json"),
        PublishedLayout.TRANSFORMERS_JS.select("x", js, true));
  }

  @Test
  void explainsWhatIsMissing() throws IOException {
    List<String> immich = new ArrayList<>(listing(LAYOUTS.resolve("immich")));
    immich.remove("visual/preprocess_cfg.json");
    String msg =
        assertThrows(
                IllegalArgumentException.class,
                () -> PublishedLayout.IMMICH.select("owner/repo", immich, false))
            .getMessage();
    assertTrue(
        msg.contains("owner/repo has visual/model.onnx but not visual/preprocess_cfg.json"), msg);
    assertTrue(msg.contains("Found: [README.md, config.json"), msg);
    msg =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    PublishedLayout.IMMICH.select(
                        "owner/repo", listing(LAYOUTS.resolve("immich")), true))
            .getMessage();
    assertTrue(msg.contains("publishes no quantized ONNX variant"), msg);
    assertTrue(PublishedLayout.detect(List.of("model.safetensors", "config.json")).isEmpty());
  }

  static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  static Path copyTree(Path from, Path to) throws IOException {
    for (String f : listing(from)) {
      Path t = to.resolve(f);
      Files.createDirectories(t.getParent());
      Files.copy(from.resolve(f), t);
    }
    return to;
  }
}
