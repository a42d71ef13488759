package dev.bindery.eval.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code bin/bindery} as a user runs it: the real launcher script on the jars that
 * {@code mvn verify} has just built, as a subprocess. Its stdout, stderr and exit codes are a
 * public contract (scripts parse {@code --json}), so every command and output mode is checked here
 * for exactly one JSON document (or the documented text) on stdout, no stack trace or logging noise
 * on stderr, and the documented exit code.
 *
 * <p>Runs in the failsafe phase of the eval module, after search-server, solrcloud and eval are
 * packaged; {@code BINDERY_NO_BUILD=1} stops the launcher from starting a nested build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BinderyLauncherIT {

  /** Generous: a deadline so that a hung command fails the test instead of hanging CI. */
  private static final Duration COMMAND_DEADLINE = Duration.ofMinutes(10);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(");
  private static final Pattern PROGRESS_LINE =
      Pattern.compile(
          "^(Indexing \\S+ +\\d+% \\[[= >]*\\] .*|Building the search graph[ ,a-z0-9]*\\.\\.\\.)$");

  @TempDir static Path work;

  private static Path root;
  private static Path data;

  record Run(int exit, String out, String err) {
    String all() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  @BeforeAll
  static void findLauncher() {
    root = Path.of("").toAbsolutePath().getParent();
    assertTrue(Files.isExecutable(root.resolve("bin/bindery")), "no bin/bindery under " + root);
    data = work.resolve("data");
  }

  /** Items in the bundled demo manifest (one per line). */
  private static long demoItems() throws IOException {
    try (var lines = Files.lines(root.resolve("models/bindery-mini/demo/manifest.jsonl"))) {
      return lines.filter(l -> !l.isBlank()).count();
    }
  }

  private static ProcessBuilder launcher(Path dataDir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("bin/bindery").toString());
    if (dataDir != null) {
      cmd.add("--data");
      cmd.add(dataDir.toString());
    }
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().put("BINDERY_NO_BUILD", "1");
    pb.environment().remove("BINDERY_DEBUG");
    // The JDK running this test is >= 21, as the launcher needs.
    pb.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
    return pb;
  }

  static Run run(Path dataDir, String... args) throws Exception {
    return run(launcher(dataDir, args));
  }

  static Run run(ProcessBuilder pb) throws Exception {
    List<String> args = pb.command().subList(1, pb.command().size());
    Process p = pb.redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
    // Read both pipes to their end: EOF on stderr comes only once the launcher's stderr filter
    // (bin/bindery) has written its last line too, not merely when java exits.
    CompletableFuture<String> out = readAll(p.getInputStream());
    CompletableFuture<String> err = readAll(p.getErrorStream());
    if (!p.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("bindery " + String.join(" ", args) + " did not finish within " + COMMAND_DEADLINE);
    }
    return new Run(p.exitValue(), out.get(1, TimeUnit.MINUTES), err.get(1, TimeUnit.MINUTES));
  }

  private static CompletableFuture<String> readAll(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static java.io.File nullFile() {
    return new java.io.File("/dev/null");
  }

  /** Parses stdout as exactly one JSON document with nothing before or after it. */
  static JsonNode oneJsonDocument(Run r) throws IOException {
    try (JsonParser parser = JSON.createParser(r.out())) {
      JsonNode node = JSON.readTree(parser);
      assertTrue(node != null && node.isObject(), "stdout is not a JSON object:\n" + r.all());
      assertNull(parser.nextToken(), "more than one JSON document on stdout:\n" + r.all());
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError("stdout is not one JSON document (" + e + "):\n" + r.all(), e);
    }
  }

  static void noStackTrace(Run r) {
    assertFalse(STACK_FRAME.matcher(r.err()).find(), "stack trace on stderr:\n" + r.all());
    assertFalse(r.err().contains("Exception in thread"), "uncaught exception:\n" + r.all());
    assertFalse(r.err().contains("Caused by:"), "stack trace on stderr:\n" + r.all());
  }

  /** stderr holds at most the progress bar: no log lines, no JVM or logback notices. */
  static void quietStderr(Run r) {
    for (String line : r.err().split("[\r\n]+")) {
      if (!line.isBlank() && !PROGRESS_LINE.matcher(line).matches()) {
        fail("unexpected line on stderr: '" + line + "'\n" + r.all());
      }
    }
  }

  /** One line on stderr, naming the command: "bindery CMD: error: ..." or a usage error. */
  static void oneErrorLine(Run r, String command) {
    assertTrue(r.out().isEmpty(), "stdout should be empty on failure:\n" + r.all());
    assertTrue(r.err().startsWith("bindery " + command + ": "), r.all());
    noStackTrace(r);
  }

  @Test
  @Order(1)
  void versionAndHelpGoToStdout() throws Exception {
    Run v = run(null, "--version");
    assertEquals(0, v.exit(), v.all());
    assertTrue(v.out().startsWith("bindery "), v.all());
    assertTrue(v.err().isEmpty(), v.all());
    Run h = run(null, "--help");
    assertEquals(0, h.exit(), h.all());
    assertTrue(h.out().startsWith("Usage: bindery"), h.all());
    assertTrue(h.err().isEmpty(), h.all());
    Run unknown = run(null, "serach");
    assertEquals(2, unknown.exit(), unknown.all());
    assertTrue(unknown.out().isEmpty(), unknown.all());
    noStackTrace(unknown);
  }

  @Test
  @Order(2)
  void demoOnAFreshDataDirectoryPrintsNoNoise() throws Exception {
    Run r = run(data, "demo", "--no-serve");
    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().contains("1. text -> image"), r.all());
    assertTrue(r.out().contains(demoItems() + " added"), r.all());
    quietStderr(r);
  }

  @Test
  @Order(3)
  void searchJsonIsOneDocumentAndTheTableIsText() throws Exception {
    Run r = run(data, "search", "--collection", "demo", "--json", "text:\"a flag\"");
    assertEquals(0, r.exit(), r.all());
    JsonNode body = oneJsonDocument(r);
    assertEquals(10, body.get("hits").size(), r.all());
    assertTrue(body.get("hits").get(0).has("id"), r.all());
    assertTrue(body.has("took_ms"), r.all());
    assertTrue(r.err().isEmpty(), r.all());

    Run table = run(data, "search", "--collection", "demo", "--k", "3", "text:\"a flag\"");
    assertEquals(0, table.exit(), table.all());
    assertFalse(table.out().isBlank(), table.all());
    assertTrue(table.err().isEmpty(), table.all());
  }

  @Test
  @Order(3)
  void searchErrorsHaveTheirExitCodesAndOneLine() throws Exception {
    Run bad = run(data, "search", "--collection", "demo", "--json", "text:\"a flag");
    assertEquals(2, bad.exit(), bad.all());
    oneErrorLine(bad, "search");
    assertTrue(bad.err().contains("column"), bad.all());

    Run unknown = run(data, "search", "--collection", "nope", "--json", "text:\"a flag\"");
    assertEquals(1, unknown.exit(), unknown.all());
    oneErrorLine(unknown, "search");
    assertTrue(unknown.err().contains("no collection 'nope'"), unknown.all());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.all());

    Run noData = run(work.resolve("no-such-dir"), "search", "--collection", "demo", "text:\"x\"");
    assertEquals(1, noData.exit(), noData.all());
    oneErrorLine(noData, "search");

    Run missingOption = run(data, "search", "text:\"a flag\"");
    assertEquals(2, missingOption.exit(), missingOption.all());
    assertTrue(missingOption.out().isEmpty(), missingOption.all());
    noStackTrace(missingOption);

    // --verbose (and BINDERY_DEBUG=1) add the stack trace, on stderr only.
    Run verbose = run(data, "--verbose", "search", "--collection", "nope", "text:\"x\"");
    assertEquals(1, verbose.exit(), verbose.all());
    assertTrue(STACK_FRAME.matcher(verbose.err()).find(), verbose.all());
    assertTrue(verbose.out().isEmpty(), verbose.all());
  }

  @Test
  @Order(3)
  void askJsonIsOneDocument() throws Exception {
    Run r = run(data, "ask", "--collection", "demo", "--json", "Which flags are in Europe?");
    assertEquals(0, r.exit(), r.all());
    JsonNode body = oneJsonDocument(r);
    assertTrue(body.has("text") && body.has("citations") && body.has("hits"), r.all());
    assertEquals("extractive", body.get("answeredBy").asText(), r.all());
    assertTrue(r.err().isEmpty(), r.all());

    Run text = run(data, "ask", "--collection", "demo", "Which flags are in Europe?");
    assertEquals(0, text.exit(), text.all());
    assertFalse(text.out().isBlank(), text.all());
    noStackTrace(text);
  }

  @Test
  @Order(3)
  void collectionsListAndDescribe() throws Exception {
    Run list = run(data, "collections", "--json");
    assertEquals(0, list.exit(), list.all());
    JsonNode all = oneJsonDocument(list);
    assertEquals("demo", all.get("collections").get(0).get("name").asText(), list.all());
    assertEquals(demoItems(), all.get("collections").get(0).get("count").asLong(), list.all());
    assertTrue(list.err().isEmpty(), list.all());

    Run one = run(data, "collections", "demo", "--json");
    assertEquals(0, one.exit(), one.all());
    JsonNode demo = oneJsonDocument(one);
    assertTrue(demo.get("spaces").size() >= 1, one.all());
    assertTrue(demo.get("fields").has("keywords"), one.all());

    Run unknown = run(data, "collections", "nope", "--json");
    assertEquals(1, unknown.exit(), unknown.all());
    oneErrorLine(unknown, "collections");
  }

  @Test
  @Order(3)
  void indexJsonWithExitCodesForPartialAndFailedIngests() throws Exception {
    Path folder = Files.createDirectories(work.resolve("partial"));
    Files.copy(
        root.resolve("models/bindery-mini/demo/images/signs_and_symbols/flags/europe/sweden.png"),
        folder.resolve("sweden.png"));
    Files.writeString(folder.resolve("broken.png"), "not a png");
    Path other = work.resolve("other-data");

    Run partial = run(other, "index", "--collection", "mine", "--json", folder.toString());
    assertEquals(3, partial.exit(), partial.all());
    JsonNode report = oneJsonDocument(partial);
    assertEquals(1, report.get("added").asLong(), partial.all());
    assertEquals(1, report.get("skipped").size(), partial.all());
    assertTrue(
        report.get("skipped").get(0).get("source").asText().endsWith("broken.png"), partial.all());
    assertEquals(1, report.get("count").asLong(), partial.all());
    assertTrue(report.get("graph_ms").asLong() >= 0, partial.all());
    quietStderr(partial);

    Run again =
        run(
            other,
            "index",
            "--collection",
            "mine",
            "--json",
            folder.resolve("sweden.png").toString());
    assertEquals(0, again.exit(), again.all());
    assertEquals(1, oneJsonDocument(again).get("unchanged").asLong(), again.all());

    Run missing = run(other, "index", "--collection", "mine", work.resolve("gone.png").toString());
    assertEquals(1, missing.exit(), missing.all());
    assertTrue(missing.err().contains("nothing was indexed"), missing.all());
    assertTrue(missing.err().contains("gone.png"), missing.all());
    noStackTrace(missing);
    // Nothing lost: the item indexed before is still there.
    Run count = run(other, "collections", "mine", "--json");
    assertEquals(1, oneJsonDocument(count).get("count").asLong(), count.all());
  }

  @Test
  @Order(3)
  void evalJsonOnStdout() throws Exception {
    Path regression = root.resolve("eval/regressions/paraphrases-minilm.yaml");
    Run r = run(work.resolve("eval-data"), "eval", regression.toString(), "--json", "-");
    assertEquals(0, r.exit(), r.all());
    JsonNode report = oneJsonDocument(r);
    assertFalse(report.isEmpty(), r.all());
    noStackTrace(r);

    Run missing = run(work.resolve("eval-data"), "eval", work.resolve("none.yaml").toString());
    assertEquals(2, missing.exit(), missing.all());
    assertTrue(missing.out().isEmpty(), missing.all());
    noStackTrace(missing);
  }

  @Test
  @Order(3)
  void modelsListJsonAndAFailedPull() throws Exception {
    Path cache = work.resolve("model-cache");
    Run available =
        run(null, "models", "list", "--available", "--json", "--cache", cache.toString());
    assertEquals(0, available.exit(), available.all());
    assertFalse(oneJsonDocument(available).isEmpty(), available.all());
    assertTrue(available.err().isEmpty(), available.all());

    Run cached = run(null, "models", "list", "--json", "--cache", cache.toString());
    assertEquals(0, cached.exit(), cached.all());
    assertEquals(0, oneJsonDocument(cached).get("models").size(), cached.all());

    // No hub is reachable from a closed port: one line, exit 1, nothing left in the cache.
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ProcessBuilder pb =
        launcher(null, "models", "pull", "clip-vit-b32", "--json", "--cache", cache.toString());
    pb.environment().put("HF_ENDPOINT", "http://127.0.0.1:" + closed);
    Run pull = run(pb);
    assertEquals(1, pull.exit(), pull.all());
    oneErrorLine(pull, "models pull");
    Run after = run(null, "models", "list", "--json", "--cache", cache.toString());
    assertEquals(0, after.exit(), after.all());
    assertEquals(0, oneJsonDocument(after).get("models").size(), after.all());
  }

  @Test
  @Order(3)
  void completionIsAValidBashScript() throws Exception {
    Run r = run(null, "completion");
    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().contains("complete -F"), r.all());
    assertTrue(r.out().contains("collections"), r.all());
    Path script = work.resolve("bindery-completion.bash");
    Files.writeString(script, r.out());
    Process check = new ProcessBuilder("bash", "-n", script.toString()).inheritIO().start();
    assertTrue(check.waitFor(1, TimeUnit.MINUTES), "bash -n did not finish");
    assertEquals(0, check.exitValue(), "bash -n rejects the completion script");
  }

  /**
   * A running server holds the write lock; read-only commands work beside it and see what it has
   * committed, and a write command fails at once, saying what to do.
   */
  @Test
  @Order(4)
  void readersWorkBesideARunningServerAndWritersAreToldWhy() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path serverOut = work.resolve("serve-out.txt");
    Path serverErr = work.resolve("serve-err.txt");
    Process server =
        launcher(data, "serve", "--port", Integer.toString(port))
            .redirectOutput(serverOut.toFile())
            .redirectError(serverErr.toFile())
            .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + port;
    try {
      awaitHealthy(http, base, server, serverErr);

      Run search = run(data, "search", "--collection", "demo", "--json", "text:\"a flag\"");
      assertEquals(0, search.exit(), search.all());
      assertEquals(10, oneJsonDocument(search).get("hits").size(), search.all());

      Run index = run(data, "index", "--collection", "demo", root.resolve("README.md").toString());
      assertEquals(1, index.exit(), index.all());
      oneErrorLine(index, "index");
      assertTrue(index.err().contains("is in use"), index.all());
      assertTrue(index.err().contains(data.toString()), index.all());
      assertTrue(index.err().contains("POST /v1/collections/demo/items"), index.all());
      assertTrue(index.err().contains("http://127.0.0.1:" + port), index.all());

      // A write through the server's API (acknowledged once durable) is seen by a new reader.
      HttpResponse<String> put =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/collections/demo/items"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"id\":\"launcher-note\",\"text\":\"a note written through the"
                              + " server\"}"))
                  .timeout(Duration.ofMinutes(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertTrue(put.statusCode() / 100 == 2, put.statusCode() + " " + put.body());
      Run count = run(data, "collections", "demo", "--json");
      assertEquals(0, count.exit(), count.all());
      assertEquals(demoItems() + 1, oneJsonDocument(count).get("count").asLong(), count.all());
      Run found = run(data, "search", "--collection", "demo", "--json", "item:launcher-note");
      assertEquals(0, found.exit(), found.all());
      assertEquals(
          "launcher-note",
          oneJsonDocument(found).get("hits").get(0).get("id").asText(),
          found.all());
    } finally {
      server.destroy();
      if (!server.waitFor(2, TimeUnit.MINUTES)) {
        server.destroyForcibly();
      }
    }
  }

  private static void awaitHealthy(HttpClient http, String base, Process server, Path serverErr)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        fail("the server exited with " + server.exitValue() + ":\n" + Files.readString(serverErr));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/health"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    fail("the server did not answer /v1/health within 3 minutes:\n" + Files.readString(serverErr));
  }
}
