package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.encoders.pkg.ModelCatalog;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.models.HubClient;
import dev.bindery.server.models.HubException;
import dev.bindery.server.models.HubSettings;
import dev.bindery.server.models.ModelPuller;
import dev.bindery.server.models.PullProgress;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bindery models} against a loopback server that answers like the Hugging Face Hub, serving
 * one tiny CLIP (encoders/parity/hub_layouts.py) in the immich, transformers.js and open_clip
 * layouts: pulls, resumes, verification, retries, errors, and the pulled model used by name for
 * index, search and the library.
 */
class ModelsCommandTest {
  static final Path LAYOUTS =
      Path.of("..", "encoders", "src", "test", "resources", "parity", "layouts");
  static final Path IMAGES =
      Path.of("..", "models", "bindery-mini", "demo", "images", "signs_and_symbols", "flags");
  static final List<String> TEXTS = List.of("a photo of a cat", "a red car at night");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  HubServer hub;
  Path cache;

  @BeforeEach
  void start() throws IOException {
    hub = new HubServer();
    cache = dir.resolve("cache");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HF_ENDPOINT", hub.endpoint().toString());
    env.put("BINDERY_MODEL_CACHE", cache.toString());
    return env;
  }

  CliRun run(Map<String, String> env, String... args) {
    return CliRun.withEnv(env, args);
  }

  CliRun models(String... args) {
    List<String> a = new ArrayList<>(List.of("models"));
    a.addAll(List.of(args));
    return run(env(), a.toArray(String[]::new));
  }

  /** Nothing but complete models in the cache: no staging leftovers for {@code name}. */
  void assertNoTrace(String name) {
    assertFalse(Files.exists(cache.resolve(name)), name + " must not be in the cache");
    assertFalse(
        Files.exists(cache.resolve(ModelCache.STAGING).resolve(name)),
        "no partial download of " + name + " may be left");
  }

  static BufferedImage picture() {
    BufferedImage img = new BufferedImage(320, 200, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(200, 100, 50));
    g.fillRect(0, 0, 320, 200);
    g.setColor(Color.BLUE);
    g.fillOval(40, 30, 150, 120);
    g.dispose();
    return img;
  }

  @ParameterizedTest
  @ValueSource(strings = {"immich", "transformers-js", "open-clip"})
  void pulledModelEmbedsLikeTheSameModelFromALocalFolder(String layout) throws Exception {
    hub.addRepo("tests/tiny-" + layout, LAYOUTS.resolve(layout));
    CliRun r = models("pull", "tests/tiny-" + layout, "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals("tiny-" + layout, j.get("name").asText());
    assertEquals(
        layout.replace("transformers-js", "transformers.js").replace("open-clip", "open_clip"),
        j.get("layout").asText());
    assertTrue(r.err().contains("License: mit"), r.err());
    Path pulled = cache.resolve("tiny-" + layout);
    assertEquals(pulled.toString(), j.get("dir").asText());
    assertTrue(Files.isRegularFile(pulled.resolve(ModelCache.RECORD)));
    assertNoTrace(".incomplete/tiny-" + layout);
    try (ModelPackage local = ModelPackage.open(LAYOUTS.resolve(layout));
        ModelPackage got = ModelPackage.open(pulled)) {
      assertEquals("mit", got.license());
      List<float[]> want = local.textEncoder().encodeBatch(TEXTS);
      List<float[]> have = got.textEncoder().encodeBatch(TEXTS);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertArrayEquals(want.get(i), have.get(i), TEXTS.get(i));
      }
      assertArrayEquals(
          local.imageEncoder().encode(picture()), got.imageEncoder().encode(picture()), "image");
    }
  }

  static void assertArrayEquals(float[] a, float[] b, String what) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 1e-6f, what);
  }

  @Test
  void catalogNamePulledThenUsedByIndexSearchAndTheLibrary() throws Exception {
    hub.addRepo("immich-app/ViT-B-32__openai", LAYOUTS.resolve("immich"));
    CliRun pull = models("pull", "clip-vit-b32");
    assertEquals(0, pull.exitCode(), pull.err());
    assertTrue(pull.err().contains("License: MIT (OpenAI CLIP weights)"), pull.err());
    assertTrue(pull.err().contains("immich layout"), pull.err());
    assertTrue(pull.out().startsWith("Pulled clip-vit-b32"), pull.out());
    CliRun again = models("pull", "clip-vit-b32");
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().startsWith("Already up to date: clip-vit-b32"), again.out());

    Path photos = Files.createDirectories(dir.resolve("photos"));
    Files.copy(IMAGES.resolve("europe/sweden.png"), photos.resolve("sweden.png"));
    Files.copy(IMAGES.resolve("asia/laos.png"), photos.resolve("laos.png"));
    Files.writeString(photos.resolve("cat.txt"), "a photo of a cat");
    String data = dir.resolve("data").toString();
    CliRun index =
        run(
            env(),
            "--data",
            data,
            "index",
            "-c",
            "photos",
            "--model",
            "clip-vit-b32",
            photos.toString());
    assertEquals(0, index.exitCode(), index.err() + index.out());
    assertTrue(index.out().contains("with model " + "clip-vit-b32"), index.out());
    CliRun again2 =
        run(
            env(),
            "--data",
            data,
            "index",
            "-c",
            "photos",
            "--model",
            "clip-vit-b32",
            photos.toString());
    assertEquals(0, again2.exitCode(), again2.err() + again2.out());
    CliRun search =
        run(env(), "--data", data, "search", "-c", "photos", "--json", "text:\"a photo of a cat\"");
    assertEquals(0, search.exitCode(), search.err());
    JsonNode hits = JSON.readTree(search.out()).get("hits");
    assertEquals(3, hits.size(), search.out());
    assertEquals("cat.txt", hits.get(0).get("id").asText(), search.out());

    try (Bindery b = Bindery.open(dir.resolve("lib"), new ModelCache(cache))) {
      b.createCollection("lib", "clip-vit-b32");
      assertEquals(cache.resolve("clip-vit-b32").toString(), b.modelLocation("lib").orElseThrow());
      String missing =
          assertThrows(IllegalArgumentException.class, () -> b.createCollection("x", "siglip-base"))
              .getMessage();
      assertTrue(missing.contains("run 'bindery models pull siglip-base' first"), missing);
    }

    JsonNode list = JSON.readTree(models("list", "--json").out());
    assertEquals("clip-vit-b32", list.at("/models/0/name").asText());
    assertEquals("immich", list.at("/models/0/layout").asText());
    assertEquals("immich-app/ViT-B-32__openai", list.at("/models/0/repo").asText());
    JsonNode available = JSON.readTree(models("list", "--available", "--json").out());
    Map<String, Boolean> pulled = new TreeMap<>();
    available
        .get("models")
        .forEach(m -> pulled.put(m.get("name").asText(), m.get("pulled").asBoolean()));
    assertEquals(Boolean.TRUE, pulled.get("clip-vit-b32"));
    assertEquals(Boolean.FALSE, pulled.get("siglip-base"));
    assertTrue(pulled.containsKey("clip-multilingual"), pulled.toString());
    CliRun text = models("list", "--available");
    assertTrue(text.out().contains("Apache-2.0"), text.out());

    CliRun notPulled =
        run(
            env(),
            "--data",
            data,
            "index",
            "-c",
            "other",
            "--model",
            "siglip-base",
            photos.toString());
    assertEquals(1, notPulled.exitCode(), notPulled.out());
    assertTrue(notPulled.err().contains("bindery models pull siglip-base"), notPulled.err());

    assertEquals(0, models("remove", "clip-vit-b32").exitCode());
    assertNoTrace("clip-vit-b32");
    CliRun gone = models("remove", "clip-vit-b32");
    assertEquals(1, gone.exitCode(), gone.out());
    assertTrue(gone.err().contains("no model 'clip-vit-b32'"), gone.err());
  }

  @Test
  void aNewerCommitReplacesTheOldCopyAndARevisionPinsOne() throws Exception {
    Map<String, byte[]> files = copyOf("open-clip");
    String first = hub.addRepo("tests/tiny", files);
    assertEquals(0, models("pull", "tests/tiny").exitCode());
    files.put("README.md", "a newer model card".getBytes());
    String second = hub.addRepo("tests/tiny", files);
    CliRun r = models("pull", "tests/tiny", "--json");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(second, JSON.readTree(r.out()).get("commit").asText());
    assertFalse(JSON.readTree(r.out()).get("alreadyPresent").asBoolean());
    assertEquals(1, new ModelCache(cache).list().size());
    assertEquals(second, new ModelCache(cache).describe("tiny").orElseThrow().commit());
    CliRun pinned = models("pull", "tests/tiny", "--revision", second, "--json");
    assertEquals(0, pinned.exitCode(), pinned.err());
    assertTrue(JSON.readTree(pinned.out()).get("alreadyPresent").asBoolean());
    CliRun old = models("pull", "tests/tiny", "--revision", first);
    assertEquals(1, old.exitCode(), "the server no longer has the first commit");
    assertTrue(old.err().contains("404"), old.err());
    assertTrue(Files.isDirectory(cache.resolve("tiny")), "a failed pull leaves the model alone");
  }

  @Test
  void droppedConnectionIsResumedWithARangeRequest() throws Exception {
    hub.addRepo("tests/tiny", LAYOUTS.resolve("immich"));
    hub.cutAfter("visual/model.onnx", 5000, 1);
    CliRun r = models("pull", "tests/tiny");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(
        hub.seen().stream()
            .anyMatch(
                s ->
                    s.path().startsWith("/storage/")
                        && s.range() != null
                        && s.range().matches("bytes=[1-9]\\d*-")),
        hub.seen().toString());
    try (ModelPackage pkg = ModelPackage.open(cache.resolve("tiny"))) {
      assertEquals(512, pkg.dimension());
    }
  }

  @Test
  void anInterruptedPullIsResumedByTheNextOne() throws Exception {
    hub.addRepo("tests/tiny", LAYOUTS.resolve("immich"));
    ModelCache mc = new ModelCache(cache);
    HubSettings once =
        HubSettings.fromEnvironment(env()).withRetries(1, Duration.ZERO, Duration.ZERO, d -> {});
    ModelPuller puller = new ModelPuller(new HubClient(once), mc, ModelCatalog.builtIn());
    ModelPuller.Request req = new ModelPuller.Request("tests/tiny", null, false, null);
    hub.cutAfter("visual/model.onnx", 6000, 1);
    HubException e =
        assertThrows(
            HubException.class, () -> puller.pull(puller.plan(req), PullProgress.NONE, n -> {}));
    assertTrue(e.getMessage().contains("Run the same pull again to resume"), e.getMessage());
    assertTrue(mc.find("tiny").isEmpty(), "no half model in the cache");
    Path part = mc.staging("tiny").resolve("visual/model.onnx.part");
    long had = Files.size(part);
    assertTrue(had > 0, "the partial file is kept for resuming");

    ModelPuller.Result r = puller.pull(puller.plan(req), PullProgress.NONE, n -> {});
    assertFalse(r.alreadyPresent());
    assertTrue(r.downloadedBytes() < r.bytes(), r.downloadedBytes() + " of " + r.bytes());
    assertTrue(
        hub.seen().stream().anyMatch(s -> ("bytes=" + had + "-").equals(s.range())),
        hub.seen().toString());
    assertTrue(mc.find("tiny").isPresent());
    assertFalse(Files.exists(mc.staging("tiny")));
  }

  @Test
  void removeAlsoDropsAPartialDownload() throws Exception {
    hub.addRepo("tests/tiny", LAYOUTS.resolve("immich"));
    HubSettings once =
        HubSettings.fromEnvironment(env()).withRetries(1, Duration.ZERO, Duration.ZERO, d -> {});
    ModelPuller puller =
        new ModelPuller(new HubClient(once), new ModelCache(cache), ModelCatalog.builtIn());
    hub.cutAfter("textual/model.onnx", 3000, 1);
    ModelPuller.Request req = new ModelPuller.Request("tests/tiny", null, false, null);
    assertThrows(
        HubException.class, () -> puller.pull(puller.plan(req), PullProgress.NONE, n -> {}));
    assertTrue(Files.isDirectory(cache.resolve(ModelCache.STAGING).resolve("tiny")));
    CliRun r = models("remove", "tiny", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertFalse(j.get("removed").asBoolean());
    assertTrue(j.get("partialRemoved").asBoolean());
    assertNoTrace("tiny");
  }

  @Test
  void progressShowsTheFileAndTheTotalOnATerminal() {
    java.io.StringWriter err = new java.io.StringWriter();
    dev.bindery.server.models.TerminalPullProgress p =
        new dev.bindery.server.models.TerminalPullProgress(new java.io.PrintWriter(err), true);
    dev.bindery.server.models.RepoFile a =
        new dev.bindery.server.models.RepoFile("visual/model.onnx", 4000, null, null);
    dev.bindery.server.models.RepoFile b =
        new dev.bindery.server.models.RepoFile("config.json", 1000, null, null);
    p.begin(List.of(a, b), 5000, 1000);
    p.file(a, 1000);
    p.bytes(1000);
    p.fileDone(a);
    p.end();
    String shown = err.toString();
    assertTrue(shown.contains("Resuming: 1.0 kB of 5.0 kB already here"), shown);
    assertTrue(shown.contains("\rvisual/model.onnx [#####"), shown);
    assertTrue(shown.contains("25% | total [####"), shown);
    assertTrue(shown.contains("50% | total"), shown);
    assertTrue(shown.contains("40% 2.0 kB/5.0 kB"), shown);
  }

  @Test
  void corruptedFileIsRefusedAndNothingIsKept() throws Exception {
    hub.addRepo("tests/tiny", copyOf("immich"));
    hub.corrupt("visual/model.onnx");
    CliRun r = models("pull", "tests/tiny");
    assertEquals(1, r.exitCode(), r.out());
    assertTrue(r.err().contains("visual/model.onnx failed verification"), r.err());
    assertTrue(r.err().contains("SHA-256"), r.err());
    assertTrue(r.err().contains("nothing was kept"), r.err());
    assertNoTrace("tiny");

    hub.addRepo("tests/tiny2", copyOf("immich"));
    hub.corrupt("textual/tokenizer.json");
    CliRun small = models("pull", "tests/tiny2");
    assertEquals(1, small.exitCode(), small.out());
    assertTrue(small.err().contains("git blob id"), small.err());
    assertNoTrace("tiny2");
    assertTrue(new ModelCache(cache).list().isEmpty());
  }

  @Test
  void rateLimitsAndServerErrorsAreRetried() throws Exception {
    hub.addRepo("tests/tiny", LAYOUTS.resolve("transformers-js"));
    hub.fail("/api/models/", 429, 2, "0");
    hub.fail("/storage/", 503, 1, "0");
    CliRun r = models("pull", "tests/tiny");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(2, hub.count(429));
    assertEquals(1, hub.count(503));
  }

  @Test
  void retryAfterIsHonouredAndPersistentRateLimitsExplained() throws Exception {
    hub.addRepo("tests/tiny", LAYOUTS.resolve("immich"));
    hub.fail("*", 429, 100, "7");
    List<Duration> waits = new ArrayList<>();
    HubSettings s =
        HubSettings.fromEnvironment(env())
            .withRetries(3, Duration.ofMillis(10), Duration.ofSeconds(60), waits::add);
    HubException e =
        assertThrows(HubException.class, () -> new HubClient(s).listing("tests/tiny", "main"));
    assertEquals(429, e.status());
    assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(7)), waits);
    assertTrue(e.getMessage().contains("429 Too Many Requests 3 times"), e.getMessage());
    assertTrue(e.getMessage().contains("wait 7 s"), e.getMessage());
  }

  @Test
  void tokenGoesToTheHubOnlyAndAuthErrorsSayWhatToDo() throws Exception {
    hub.addRepo("tests/gated", LAYOUTS.resolve("immich"));
    hub.requireToken("s3cret");
    CliRun noToken = models("pull", "tests/gated");
    assertEquals(1, noToken.exitCode());
    assertTrue(noToken.err().contains("401 Unauthorized"), noToken.err());
    assertTrue(noToken.err().contains("set HF_TOKEN"), noToken.err());
    assertNoTrace("gated");

    Map<String, String> env = env();
    env.put("HF_TOKEN", "s3cret");
    CliRun ok = run(env, "models", "pull", "tests/gated");
    assertEquals(0, ok.exitCode(), ok.err());
    assertFalse(ok.err().contains("s3cret") || ok.out().contains("s3cret"));
    for (HubServer.Seen seen : hub.seen()) {
      if (seen.path().startsWith("/storage/")) {
        assertEquals(null, seen.authorization(), "no token to the storage host: " + seen);
      }
    }

    CliRun missing = run(env, "models", "pull", "tests/nothing-here");
    assertEquals(1, missing.exitCode());
    assertTrue(missing.err().contains("404 Not Found"), missing.err());
    hub.fail("/api/models/", 403, 1, null);
    CliRun forbidden = run(env, "models", "pull", "tests/gated", "--as", "g2");
    assertEquals(1, forbidden.exitCode());
    assertTrue(forbidden.err().contains("403 Forbidden"), forbidden.err());
    assertTrue(forbidden.err().contains("Accept its conditions at"), forbidden.err());
  }

  @Test
  void repositoryInAnotherLayoutIsExplained() throws Exception {
    hub.addRepo(
        "tests/weights",
        Map.of(
            "config.json", "{}".getBytes(),
            "model.safetensors", new byte[64],
            "README.md", "# weights".getBytes()));
    CliRun r = models("pull", "tests/weights");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("is in no layout Bindery can read"), r.err());
    assertTrue(r.err().contains("[README.md, config.json, model.safetensors]"), r.err());
    assertTrue(r.err().contains("textual/model.onnx"), r.err());
    assertNoTrace("weights");

    Map<String, byte[]> immich = copyOf("immich");
    immich.remove("visual/preprocess_cfg.json");
    hub.addRepo("tests/broken", immich);
    CliRun broken = models("pull", "tests/broken");
    assertEquals(1, broken.exitCode());
    assertTrue(
        broken.err().contains("has visual/model.onnx but not visual/preprocess_cfg.json"),
        broken.err());
    assertNoTrace("broken");
  }

  @Test
  void quantizedPullsTheQuantizedFilesOnly() throws Exception {
    hub.addRepo("tests/tiny-js", LAYOUTS.resolve("transformers-js"));
    CliRun r = models("pull", "tests/tiny-js", "--quantized", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals("quantized", j.get("variant").asText());
    List<String> files = new ArrayList<>();
    j.get("files").forEach(f -> files.add(f.asText()));
    assertTrue(files.contains("onnx/text_model_quantized.onnx"), files.toString());
    assertFalse(files.contains("onnx/text_model.onnx"), files.toString());
    try (ModelPackage pkg = ModelPackage.open(cache.resolve("tiny-js"))) {
      assertEquals(512, pkg.textEncoder().encode("a photo of a cat").length);
    }
    hub.addRepo("tests/tiny-immich", LAYOUTS.resolve("immich"));
    CliRun immich = models("pull", "tests/tiny-immich", "--quantized");
    assertEquals(1, immich.exitCode());
    assertTrue(immich.err().contains("no quantized ONNX variant"), immich.err());
  }

  @Test
  void unknownNamesAreUsageErrors() throws Exception {
    CliRun r = models("pull", "clip-vit-b99");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("not in the catalog"), r.err());
    assertTrue(r.err().contains("clip-vit-b32"), r.err());
    assertEquals(0, hub.seen().size(), "nothing was asked of the hub");
  }

  @Test
  void proxyFromTheEnvironmentCarriesEveryRequest() throws Exception {
    // The hub is reachable only through the "proxy" (the same loopback server, which answers
    // absolute-form requests): hub.invalid does not resolve.
    hub.addRepo("tests/tiny", LAYOUTS.resolve("open-clip"));
    Map<String, String> env = env();
    env.put("HF_ENDPOINT", "http://hub.invalid");
    env.put("http_proxy", hub.endpoint().toString());
    env.put("no_proxy", "localhost,.example.com");
    CliRun r = run(env, "models", "pull", "tests/tiny");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.isRegularFile(cache.resolve("tiny").resolve("visual.onnx")));
  }

  @Test
  void serveLetsCollectionsNamePulledModels() {
    picocli.CommandLine cl = BinderyCli.commandLine(env(), getClass().getClassLoader());
    picocli.CommandLine.ParseResult parsed =
        cl.parseArgs("serve", "--models", dir.resolve("packages").toString());
    ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
    assertEquals(
        List.of(dir.resolve("packages"), cache.toAbsolutePath().normalize()),
        serve.config().modelDirs());
  }

  private static Map<String, byte[]> copyOf(String layout) {
    Map<String, byte[]> files = new TreeMap<>();
    Path root = LAYOUTS.resolve(layout);
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return files;
  }
}
