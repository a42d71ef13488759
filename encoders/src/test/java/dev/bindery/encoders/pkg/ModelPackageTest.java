package dev.bindery.encoders.pkg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Modality;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening packages: the happy paths and every way a package can be wrong. */
class ModelPackageTest {
  static final String MINILM_TOKENIZER = "classpath:/all-minilm-l6-v2-q-tokenizer.json";

  static Path tinyBert() {
    try {
      return Path.of(
          ModelPackageTest.class.getResource("/parity/text/tiny-bert/model.onnx").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A package directory whose text tower points at {@code onnx}, with tower keys overridden. */
  static Path pkg(Path dir, String onnx, String tokenizer, String towerExtra) throws IOException {
    Files.writeString(
        dir.resolve("bindery-model.json"),
        """
        {"name": "bad", "version": "1", "license": "MIT", "space": "s", "dimension": 32,
         "towers": {"text": {"format": "sentence-transformer", "onnx": "%s", "tokenizer": "%s",
           "output": "last_hidden_state", "pooling": "mean" %s}}}
        """
            .formatted(onnx.replace("\\", "/"), tokenizer, towerExtra));
    return dir;
  }

  static String openError(Path dir) {
    return assertThrows(IllegalArgumentException.class, () -> ModelPackage.open(dir)).getMessage();
  }

  @Test
  void opensTinyPackageAndHandsOutItsTextTower() {
    try (ModelPackage p = ModelPackage.open(tinyBert().getParent())) {
      assertEquals("tiny-bert", p.name());
      assertEquals(java.util.Set.of(Modality.TEXT), p.modalities());
      assertEquals(32, p.textEncoder().encode("hello world").length);
      assertEquals(p.textEncoder(), p.encoder(Modality.TEXT));
      String msg =
          assertThrows(IllegalArgumentException.class, () -> p.encoder(Modality.IMAGE))
              .getMessage();
      assertTrue(msg.contains("has no image tower; it has [text]"), msg);
    }
  }

  @Test
  void missingOnnxFileIsNamedWithItsPath(@TempDir Path dir) throws IOException {
    String msg = openError(pkg(dir, "nope/model.onnx", MINILM_TOKENIZER, ""));
    assertTrue(msg.contains("towers.text.onnx names a missing file"), msg);
    assertTrue(msg.contains(dir.resolve("nope/model.onnx").toString()), msg);
  }

  @Test
  void missingTokenizerIsNamedWithItsPath(@TempDir Path dir) throws IOException {
    String msg =
        openError(pkg(dir, tinyBert().toString(), "classpath:/no/such/tokenizer.json", ""));
    assertTrue(msg.contains("towers.text.tokenizer names a missing file"), msg);
    assertTrue(msg.contains("classpath:/no/such/tokenizer.json"), msg);
  }

  @Test
  void unknownFormatListsTheKnownFormats(@TempDir Path dir) throws IOException {
    pkg(dir, tinyBert().toString(), MINILM_TOKENIZER, "");
    Path manifest = dir.resolve("bindery-model.json");
    Files.writeString(
        manifest, Files.readString(manifest).replace("sentence-transformer", "word2vec"));
    String msg = openError(dir);
    assertTrue(msg.contains("unknown tower format 'word2vec' for the text tower"), msg);
    assertTrue(msg.contains("clip-text"), msg);
    assertTrue(msg.contains("imagebind-text"), msg);
    assertTrue(msg.contains("sentence-transformer"), msg);
  }

  @Test
  void unknownModalityListsTheValidOnes(@TempDir Path dir) throws IOException {
    pkg(dir, tinyBert().toString(), MINILM_TOKENIZER, "");
    Path manifest = dir.resolve("bindery-model.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"text\":", "\"speech\":"));
    String msg = openError(dir);
    assertTrue(msg.contains("unknown modality 'speech'"), msg);
    assertTrue(msg.contains("audio"), msg);
  }

  @Test
  void wrongOutputNameListsWhatTheModelContains(@TempDir Path dir) throws IOException {
    pkg(dir, tinyBert().toString(), MINILM_TOKENIZER, "");
    Path manifest = dir.resolve("bindery-model.json");
    Files.writeString(
        manifest,
        Files.readString(manifest).replace("\"last_hidden_state\"", "\"sentence_embedding\""));
    String msg = openError(dir);
    assertTrue(msg.contains("does not contain required output 'sentence_embedding'"), msg);
    assertTrue(msg.contains("Model contains: {last_hidden_state=FLOAT[-1, -1, 32]}"), msg);
  }

  @Test
  void wrongInputNameListsTheModelInputs(@TempDir Path dir) throws IOException {
    String msg =
        openError(
            pkg(
                dir,
                tinyBert().toString(),
                MINILM_TOKENIZER,
                ", \"inputs\": {\"input_ids\": \"ids\"}"));
    assertTrue(msg.contains("does not contain required input 'ids'"), msg);
    assertTrue(msg.contains("input_ids=INT64[-1, -1]"), msg);
  }

  @Test
  void wrongDimensionIsAShapeError(@TempDir Path dir) throws IOException {
    String msg =
        openError(pkg(dir, tinyBert().toString(), MINILM_TOKENIZER, ", \"dimension\": 16"));
    assertTrue(
        msg.contains("'last_hidden_state' has shape [-1, -1, 32], expected [-1, -1, 16]"), msg);
  }

  @Test
  void unknownPoolingAndPreprocessKeysAreRejected(@TempDir Path dir) throws IOException {
    pkg(dir, tinyBert().toString(), MINILM_TOKENIZER, "");
    Path manifest = dir.resolve("bindery-model.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"mean\"", "\"max\""));
    String msg = openError(dir);
    assertTrue(msg.contains("unknown pooling 'max'; expected one of [none, mean, cls, eos]"), msg);
    pkg(dir, tinyBert().toString(), MINILM_TOKENIZER, ", \"preprocess\": {\"max_length\": 3}");
    msg = openError(dir);
    assertTrue(msg.contains("'towers.text.preprocess.max_length'"), msg);
    assertTrue(msg.contains("maxLength"), msg);
  }

  @Test
  void textFileRenamedOnnxIsNotALoadableModel(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("model.onnx"), "this is a text file, not a model\n");
    String msg = openError(pkg(dir, "model.onnx", MINILM_TOKENIZER, ""));
    assertTrue(msg.contains(dir.resolve("model.onnx").toString()), msg);
    assertTrue(msg.contains("is not a loadable ONNX model"), msg);
  }

  @Test
  void garbageTokenizerIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    Path tok = dir.resolve("tokenizer.json");
    Files.write(tok, new byte[] {0x13, 0x37, (byte) 0xff, 0x00, 0x42});
    String msg = openError(pkg(dir, tinyBert().toString(), "tokenizer.json", ""));
    assertTrue(msg.contains("tokenizer " + tok), msg);
    assertTrue(msg.contains("is not valid JSON"), msg);

    Files.writeString(tok, "{\"vocab\": [1, 2, 3]}");
    msg = openError(dir);
    assertTrue(msg.contains("is not a Hugging Face tokenizer.json: it has no 'model' object"), msg);

    Files.writeString(tok, "{\"version\": \"1.0\", \"model\": {\"type\": \"NoSuchModel\"}}");
    msg = openError(dir);
    assertTrue(msg.contains("cannot be loaded by the Hugging Face tokenizers library"), msg);
  }

  @Test
  void directoryWithoutManifestOrExportSaysWhatItLookedFor(@TempDir Path dir) {
    String msg = openError(dir);
    assertTrue(msg.contains("no model package at " + dir), msg);
    assertTrue(msg.contains("bindery-model.json does not exist"), msg);
    assertTrue(msg.contains("text_model.onnx"), msg);
    assertTrue(msg.contains("open_clip_config.json"), msg);
    msg = openError(dir.resolve("absent"));
    assertTrue(
        msg.contains("model package directory " + dir.resolve("absent") + " does not exist"), msg);
    msg =
        assertThrows(
                IllegalArgumentException.class, () -> ModelPackage.open("classpath:/models/nope"))
            .getMessage();
    assertTrue(msg.contains("classpath:/models/nope/bindery-model.json does not exist"), msg);
  }

  @Test
  void shippedManifestsAreTheSameInModelsAndOnTheClasspath() throws IOException {
    // Surefire runs in the module directory; models/ is at the repository root.
    for (String name : List.of("minilm-l6-v2", "minilm-l6-v2-q")) {
      Path onDisk = Path.of("..", "models", name, "bindery-model.json");
      byte[] resource;
      try (InputStream in =
          ModelPackageTest.class.getResourceAsStream("/models/" + name + "/bindery-model.json")) {
        resource = in.readAllBytes();
      }
      assertArrayEquals(Files.readAllBytes(onDisk), resource, name);
      ModelManifest fromDisk =
          ModelPackage.readManifest(PackageFiles.directory(onDisk.getParent(), 0));
      ModelManifest fromJar =
          ModelPackage.readManifest(PackageFiles.of("classpath:/models/" + name, 0));
      assertEquals(fromDisk, fromJar);
      assertEquals(384, fromJar.dimension());
      assertEquals("minilm-l6-v2", fromJar.space());
      PackageFiles jar = PackageFiles.of("classpath:/models/" + name, 0);
      TowerSpec text = fromJar.towers().get(Modality.TEXT);
      assertTrue(jar.exists(text.onnx()), text.onnx());
      assertTrue(jar.exists(text.tokenizer()), text.tokenizer());
    }
  }

  @Test
  void openingTheShippedDirectoryWorksLikeTheClasspath() {
    try (ModelPackage p = ModelPackage.open(Path.of("..", "models", "minilm-l6-v2-q"))) {
      assertEquals(384, p.textEncoder().encode("a cat").length);
    }
  }

  @Test
  void serviceLoaderAddsFactoriesAndFailuresCloseWhatWasBuilt(@TempDir Path dir)
      throws IOException {
    Path services = dir.resolve("cp/META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(TowerFactory.class.getName()),
        "# test\n" + FakeTowerFactory.class.getName() + "\n",
        StandardCharsets.UTF_8);
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {dir.resolve("cp").toUri().toURL()}, getClass().getClassLoader())) {
      TowerRegistry registry = TowerRegistry.discover(loader);
      assertTrue(registry.formats().contains("fake-constant"), registry.toString());
      assertTrue(registry.formats().contains("sentence-transformer"), registry.toString());
      assertTrue(TowerRegistry.builtIn().formats().contains("clip-text"));

      Path p = Files.createDirectories(dir.resolve("pkg"));
      Files.writeString(p.resolve("a.onnx"), "not read by the fake factory");
      Files.writeString(
          p.resolve("bindery-model.json"),
          """
          {"name": "fake", "version": "1", "license": "MIT", "space": "s", "dimension": 4,
           "towers": {"imu": {"format": "fake-constant", "onnx": "a.onnx", "output": "o"}}}
          """);
      try (ModelPackage pkg = ModelPackage.open(PackageFiles.directory(p, 0), registry)) {
        assertEquals(4, pkg.encoder(Modality.IMU).dimension());
      }
      FakeTowerFactory.FakeEncoder built = FakeTowerFactory.CREATED.getLast();
      assertTrue(built.closed, "close() closes every tower");

      // Towers are built in modality order (text before imu): a failing text tower stops the
      // load before the imu tower is built.
      Files.writeString(
          p.resolve("bindery-model.json"),
          """
          {"name": "fake", "version": "1", "license": "MIT", "space": "s", "dimension": 4,
           "towers": {"imu": {"format": "fake-constant", "onnx": "a.onnx", "output": "o"},
                      "text": {"format": "sentence-transformer", "onnx": "a.onnx",
                               "tokenizer": "%s", "output": "last_hidden_state"}}}
          """
              .formatted(MINILM_TOKENIZER));
      int before = FakeTowerFactory.CREATED.size();
      String msg =
          assertThrows(
                  IllegalArgumentException.class,
                  () -> ModelPackage.open(PackageFiles.directory(p, 0), registry))
              .getMessage();
      assertTrue(msg.contains("text tower"), msg);
      assertTrue(msg.contains("is not a loadable ONNX model"), msg);
      assertEquals(before, FakeTowerFactory.CREATED.size(), "text fails before imu is built");

      Files.writeString(
          p.resolve("bindery-model.json"),
          """
          {"name": "fake", "version": "1", "license": "MIT", "space": "s", "dimension": 4,
           "towers": {"text": {"format": "fake-constant", "onnx": "a.onnx", "output": "o"},
                      "imu": {"format": "no-such-format", "onnx": "a.onnx", "output": "o"}}}
          """);
      // Now the fake tower is built first and the imu tower fails: the fake one must be closed.
      msg =
          assertThrows(
                  IllegalArgumentException.class,
                  () -> ModelPackage.open(PackageFiles.directory(p, 0), registry))
              .getMessage();
      assertTrue(msg.contains("unknown tower format 'no-such-format' for the imu tower"), msg);
      assertTrue(msg.contains("fake-constant"), msg);
      assertTrue(
          FakeTowerFactory.CREATED.getLast().closed, "the text tower built first was closed");
    }
  }
}
