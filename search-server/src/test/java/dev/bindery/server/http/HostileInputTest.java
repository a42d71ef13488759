package dev.bindery.server.http;

import static dev.bindery.server.http.HostileFixtures.dataUrl;
import static dev.bindery.server.http.HostileFixtures.raw;
import static dev.bindery.server.http.HostileFixtures.status;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.IngestReport;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.generator.rag.AnswerDraft;
import dev.bindery.generator.rag.AnswerInput;
import dev.bindery.generator.rag.Answerer;
import dev.bindery.generator.rag.RagOptions;
import dev.bindery.generator.rag.RagPipeline;
import dev.bindery.server.http.HttpTestClient.Multipart;
import dev.bindery.server.http.HttpTestClient.Res;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The hostile-input run of issue 15 through a real server on loopback: cross-site writes, DNS
 * rebinding, small inputs that decode to gigabytes, unbounded strings, swapped files, racing
 * uploads, ids that are not Unicode, collections dropped mid-write. Every case asserts the status
 * and the problem body; after every case the server is healthy and no count changed that the case
 * did not mean to change.
 */
class HostileInputTest {
  static final Path IMAGEBIND_TINY =
      Path.of("..", "encoders", "src", "test", "resources", "parity", "towers", "imagebind");

  @TempDir static Path dir;

  static Bindery bindery;
  static BinderyServer server;
  static HttpTestClient http;
  static int port;

  /** The counts every case must leave as they are (cases that write update them). */
  static final Map<String, Long> counts = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    bindery = Bindery.open(dir.resolve("data"));
    bindery.createCollection("sounds", IMAGEBIND_TINY.toAbsolutePath().normalize().toString());
    server =
        BinderyServer.start(
            bindery,
            ServerConfig.builder()
                .port(0)
                .maxBodyBytes(4L << 20)
                .uploadsDir(dir.resolve("data/uploads"))
                .build());
    http = new HttpTestClient(server.uri());
    port = server.port();
    assertEquals(
        201,
        http.post("/v1/collections", Map.of("name", "notes", "model", "minilm-l6-v2")).status());
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      items.add(Map.of("id", "n" + i, "text", "note " + i + " about cats and trains"));
    }
    assertEquals(201, http.post("/v1/collections/notes/items", Map.of("items", items)).status());
    assertEquals(
        201,
        http.post(
                "/v1/collections",
                Map.of("name", "pics", "model", "classpath:/models/bindery-mini"))
            .status());
    assertEquals(
        201,
        http.post(
                "/v1/collections", Map.of("name", "vecs", "spaces", Map.of("v", Map.of("dim", 4))))
            .status());
    assertEquals(
        201,
        http.post(
                "/v1/collections/vecs/items",
                Map.of(
                    "items",
                    List.of(
                        Map.of("id", "a", "vectors", Map.of("v", List.of(1, 0, 0, 0))),
                        Map.of("id", "b", "vectors", Map.of("v", List.of(0, 1, 0, 0))))))
            .status());
    counts.put("notes", 10L);
    counts.put("pics", 0L);
    counts.put("vecs", 2L);
    counts.put("sounds", 0L);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (bindery != null) {
      bindery.close();
    }
  }

  @AfterEach
  void nothingElseChanged() {
    http.assertHealthy();
    counts.forEach((c, n) -> assertEquals(n, http.count(c), c + ": count changed"));
    List<String> names = new ArrayList<>();
    http.get("/v1/collections")
        .json()
        .get("collections")
        .forEach(c -> names.add(c.get("name").asText()));
    assertEquals(
        new java.util.TreeSet<>(counts.keySet()),
        new java.util.TreeSet<>(names),
        "no collection appeared or vanished");
  }

  // ------------------------------------------------------------------ browsers

  @Test
  void crossSiteWritesAreRefused() {
    String pwned = "{\"name\":\"pwned\",\"spaces\":{\"v\":{\"dim\":2}}}";
    // What a page can send without a CORS preflight: text/plain, or no type at all.
    JsonNode p =
        http.post("/v1/collections", pwned.getBytes(StandardCharsets.UTF_8), "text/plain")
            .assertProblem(415);
    assertTrue(p.get("detail").asText().contains("text/plain"), p.toString());
    http.send(
            http.request("/v1/collections/notes/items")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"text\":\"planted\"}"))
                .build())
        .assertProblem(415);
    http.post(
            "/v1/collections/notes/search",
            "{\"query\":\"text:cat\"}".getBytes(StandardCharsets.UTF_8),
            "text/plain;charset=UTF-8")
        .assertProblem(415);
    http.post(
            "/v1/collections/notes/items",
            "id=x&text=planted".getBytes(StandardCharsets.UTF_8),
            "application/x-www-form-urlencoded")
        .assertProblem(415);

    // The right type from a foreign page: refused on its Origin.
    HttpTestClient evil = http.with("Origin", "http://evil.example");
    JsonNode o = evil.postRaw("/v1/collections", pwned).assertProblem(403);
    assertEquals("urn:bindery:problem:origin-not-allowed", o.get("type").asText());
    Multipart m = new Multipart().file("file", "planted.png", "image/png", HostileFixtures.png(1));
    evil.post("/v1/collections/pics/items", m.bytes(), m.contentType()).assertProblem(403);
    evil.delete("/v1/collections/notes/items/n1").assertProblem(403);
    evil.delete("/v1/collections/notes").assertProblem(403);
    http.with("Origin", "null").postRaw("/v1/collections", pwned).assertProblem(403);
    // Reads stay readable (CORS decides what a foreign page may see of them).
    assertEquals(200, evil.get("/v1/collections/notes").status());

    // The server's own page (same origin) may write.
    HttpTestClient self = http.with("Origin", "http://127.0.0.1:" + port);
    assertEquals(
        201,
        self.postRaw("/v1/collections/notes/items", "{\"id\":\"own\",\"text\":\"mine\"}").status());
    assertEquals(204, self.delete("/v1/collections/notes/items/own").status());
  }

  @Test
  void onlyAllowedHostNamesAreAnswered() {
    for (String host : List.of("evil.example", "rebind.attacker.test:" + port, "localhost.evil")) {
      String r =
          raw(
              port,
              "GET /v1/collections HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertEquals(421, status(r), r);
      assertTrue(r.contains("application/problem+json"), r);
      assertTrue(r.contains("host-not-allowed"), r);
      assertFalse(r.contains("\"notes\""), "no data under a foreign name: " + r);
      String page = raw(port, "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertEquals(421, status(page), page);
    }
    for (String host :
        List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "app.localhost")) {
      String r =
          raw(
              port,
              "GET /v1/collections HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertEquals(200, status(r), host + ": " + r);
    }
  }

  @Test
  void thePageCannotBeFramedOrSniffed() {
    Res page = http.get("/");
    assertEquals(200, page.status());
    String csp = page.header("Content-Security-Policy");
    assertNotNull(csp, "CSP header");
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(csp.contains("script-src 'self'"), csp);
    assertEquals("nosniff", page.header("X-Content-Type-Options"));
    assertEquals("DENY", page.header("X-Frame-Options"));
    assertEquals("nosniff", http.get("/v1/collections").header("X-Content-Type-Options"));
  }

  // ------------------------------------------------------------------ bytes and work

  @Test
  void audioAtOneHertzIsRefusedBeforeResampling() {
    // 10.8 KB declaring three hours: resampled to 16 kHz it was 690 MB of floats.
    byte[] wav = HostileFixtures.wav(1, 10_800);
    JsonNode p =
        http.post(
                "/v1/collections/sounds/items",
                Map.of("id", "slow", "audio", dataUrl("audio/wav", wav)))
            .assertProblem(422);
    assertTrue(p.get("detail").asText().contains("8000 Hz"), p.toString());
    Multipart m = new Multipart().file("file", "slow.wav", "audio/wav", wav);
    http.post("/v1/collections/sounds/items", m.bytes(), m.contentType()).assertProblem(422);
    Res q =
        http.post(
            "/v1/collections/sounds/search",
            Map.of("query", Map.of("expression", Map.of("audio", dataUrl("audio/wav", wav)))));
    assertTrue(q.status() == 400 || q.status() == 422, q.text());
    q.assertProblem(q.status());
  }

  @Test
  void sixteenBitImageIsRefusedByDecodedBytes() {
    // 6000 x 6000 x 8 bytes = 288 MB decoded from about 300 KB, under the pixel limit.
    byte[] bomb = HostileFixtures.png16Rgba(6000, 6000);
    assertTrue(bomb.length < 1 << 20, "the bomb is small: " + bomb.length);
    JsonNode p =
        http.post(
                "/v1/collections/pics/items",
                Map.of("id", "bomb", "image", dataUrl("image/png", bomb)))
            .assertProblem(422);
    assertTrue(p.get("detail").asText().contains("bytes decoded"), p.toString());
    Multipart m = new Multipart().file("file", "bomb.png", "image/png", bomb);
    JsonNode up =
        http.post("/v1/collections/pics/items", m.bytes(), m.contentType()).assertProblem(422);
    assertFalse(up.get("detail").asText().contains(dir.toString()), up.toString());
    Res q =
        http.post(
            "/v1/collections/pics/search",
            Map.of("query", Map.of("expression", Map.of("image", dataUrl("image/png", bomb)))));
    assertTrue(q.status() == 400 || q.status() == 422, q.text());
    q.assertProblem(q.status());
    try (Stream<Path> s = Files.walk(dir.resolve("data/uploads"))) {
      assertEquals(0, s.filter(Files::isRegularFile).count(), "no upload kept");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void everyStringInAQueryIsBounded() {
    String big = "cat ".repeat(50_000); // 200,000 characters, far over --max-expression 4096
    for (Object query :
        List.of(
            Map.of("expression", Map.of("text", big)),
            Map.of("bm25", big),
            Map.of("expression", Map.of("item", big)),
            Map.of(
                "expression",
                Map.of("sum", List.of(Map.of("text", big), Map.of("text", "dog")))))) {
      Res r = http.post("/v1/collections/notes/search", Map.of("query", query));
      JsonNode p = r.assertProblem(400);
      assertEquals(4096, p.get("limit_chars").asInt(), p.toString());
      assertTrue(r.body().length < 2000, "short error body: " + r.body().length);
    }
    Res filter =
        http.post(
            "/v1/collections/notes/search",
            Map.of(
                "query", "text:cat", "filter", Map.of("term", Map.of("field", "a", "value", big))));
    filter.assertProblem(400);
    Res ask = http.post("/v1/collections/notes/ask", Map.of("question", big));
    ask.assertProblem(400);
    // Many strings each under the limit add up: bounded too.
    List<Map<String, Object>> terms = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      terms.add(Map.of("text", "x".repeat(4000)));
    }
    http.post(
            "/v1/collections/notes/search",
            Map.of("query", Map.of("expression", Map.of("sum", terms))))
        .assertProblem(400);
  }

  @Test
  void errorsDoNotEchoTheirInput() {
    // A million-element vector: refused while streaming, and not echoed back.
    StringBuilder v = new StringBuilder("{\"query\":{\"expression\":{\"vector\":[");
    for (int i = 0; i < 400_000; i++) {
      v.append(i == 0 ? "" : ",").append("0.5");
    }
    v.append("]}}}");
    Res r = http.postRaw("/v1/collections/vecs/search", v.toString());
    JsonNode p = r.assertProblem(400);
    assertTrue(r.body().length < 2000, "error body is " + r.body().length + " bytes");
    assertTrue(p.get("detail").asText().contains("/query/expression/vector"), p.toString());
    // An unknown member with a long (allowed-length) name: the detail is cut.
    Res u =
        http.postRaw(
            "/v1/collections/notes/search",
            "{\"query\":\"text:cat\",\"" + "z".repeat(4000) + "\":1}");
    u.assertProblem(400);
    assertTrue(u.body().length < 2500, "error body is " + u.body().length + " bytes");
    // A wrong vector length in an item: the message gives dimensions, not the values.
    Res d =
        http.post(
            "/v1/collections/vecs/items",
            Map.of("id", "c", "vectors", Map.of("v", Collections.nCopies(4000, 0.25))));
    assertTrue(d.status() == 400 || d.status() == 422, d.text());
    d.assertProblem(d.status());
    assertTrue(d.body().length < 2000, "error body is " + d.body().length + " bytes");
  }

  // ------------------------------------------------------------------ content integrity

  @Test
  void contentIsCheckedAgainstWhatWasIngested() throws IOException {
    byte[] png = HostileFixtures.png(7);
    Multipart m = new Multipart().file("file", "checked.png", "image/png", png).field("id", "chk");
    assertEquals(201, http.post("/v1/collections/pics/items", m.bytes(), m.contentType()).status());
    counts.put("pics", counts.get("pics") + 1);
    Res ok = http.get("/v1/collections/pics/items/chk/content");
    assertEquals(200, ok.status());
    assertArrayEquals(png, ok.body());

    Path stored = Path.of(http.get("/v1/collections/pics/items/chk").json().get("source").asText());
    Files.write(stored, HostileFixtures.png(8)); // swapped under the server
    JsonNode changed = http.get("/v1/collections/pics/items/chk/content").assertProblem(409);
    assertEquals("urn:bindery:problem:content-changed", changed.get("type").asText());
    assertFalse(changed.get("detail").asText().contains(dir.toString()), changed.toString());
    Files.write(stored, png); // restored: served again
    assertEquals(200, http.get("/v1/collections/pics/items/chk/content").status());
    Files.delete(stored);
    JsonNode gone = http.get("/v1/collections/pics/items/chk/content").assertProblem(410);
    assertEquals("urn:bindery:problem:content-gone", gone.get("type").asText());
    assertEquals(204, http.delete("/v1/collections/pics/items/chk").status());
    counts.put("pics", counts.get("pics") - 1);
  }

  @Test
  void concurrentUploadsOfOneIdKeepTheWinnersFile() throws Exception {
    int threads = 4;
    int rounds = 6;
    Map<String, byte[]> sent = new ConcurrentHashMap<>();
    List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    byte[] png = HostileFixtures.png(thread * rounds + r + 1);
                    Multipart m =
                        new Multipart()
                            .file("file", "same.png", "image/png", png)
                            .field("id", "same");
                    Res res = http.post("/v1/collections/pics/items", m.bytes(), m.contentType());
                    statuses.add(res.status());
                    if (res.status() == 201) {
                      sent.put(sha(png), png);
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int s : statuses) {
      assertTrue(s == 201 || s == 503, "only written or busy, got " + statuses);
    }
    assertFalse(sent.isEmpty(), "some uploads were written: " + statuses);
    counts.put("pics", counts.get("pics") + 1);
    Res content = http.get("/v1/collections/pics/items/same/content");
    assertEquals(200, content.status(), content.text());
    assertTrue(sent.containsKey(sha(content.body())), "the content is one of the uploads");
    try (Stream<Path> s = Files.walk(dir.resolve("data/uploads/pics"))) {
      assertEquals(1, s.filter(Files::isRegularFile).count(), "exactly the winner's file is kept");
    }
  }

  @Test
  void indexingDoesNotFollowLinksOutOfTheFolder() throws IOException {
    Path outside = dir.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret.txt"), "root:x:0:0:the system's password file");
    Path folder = dir.resolve("notes-folder");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("real.txt"), "a note about trains");
    Files.writeString(outside.resolve("inside-target.txt"), "unused");
    Files.createSymbolicLink(folder.resolve("passwd.txt"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(folder.resolve("alias.txt"), folder.resolve("real.txt"));
    bindery.createCollection("linked", "classpath:/models/minilm-l6-v2");
    try {
      IngestReport report =
          new Ingestor(bindery, "linked", IngestOptions.files(dir)).ingest(List.of(folder), null);
      assertEquals(2, bindery.describe("linked").count(), "real.txt and its in-folder alias");
      assertTrue(
          bindery.backend().get("linked", "passwd.txt").isEmpty(), "the link was not followed");
      assertEquals(1, report.skipped().size(), report.toString());
      assertTrue(report.skipped().toString().contains("outside"), report.toString());

      new Ingestor(bindery, "linked", IngestOptions.files(dir).withLinksOutside(true))
          .ingest(List.of(folder), null);
      assertTrue(bindery.backend().get("linked", "passwd.txt").isPresent(), "opted in: followed");
    } finally {
      bindery.dropCollection("linked");
    }
  }

  // ------------------------------------------------------------------ ids, errors

  @Test
  void idsMustBeValidUnicode() {
    for (String id : List.of("a\\ud800", "\\udc00b", "x\\ud83d")) {
      JsonNode p =
          http.postRaw("/v1/collections/notes/items", "{\"id\":\"" + id + "\",\"text\":\"t\"}")
              .assertProblem(400);
      assertTrue(p.get("detail").asText().contains("surrogate"), p.toString());
    }
    Multipart m = new Multipart().file("file", "x.png", "image/png", HostileFixtures.png(3));
    m.field("id", "ok\uD83D\uDE00"); // a real pair is fine in multipart; only bad ones are refused
    assertEquals(201, http.post("/v1/collections/pics/items", m.bytes(), m.contentType()).status());
    assertEquals(
        204, http.delete("/v1/collections/pics/items/ok%F0%9F%98%80").status(), "pair round-trip");
    // Invalid UTF-8 in a path is refused by the HTTP layer.
    String r =
        raw(
            port,
            "GET /v1/collections/notes/items/%ED%A0%80 HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n");
    assertEquals(400, status(r), r);
  }

  @Test
  void droppingACollectionDuringWritesIsNeverA500() throws Exception {
    for (int round = 0; round < 3; round++) {
      String name = "churn" + round;
      assertEquals(
          201,
          http.post(
                  "/v1/collections", Map.of("name", name, "spaces", Map.of("v", Map.of("dim", 2))))
              .status());
      List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          int thread = t;
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 15; i++) {
                      statuses.add(
                          http.post(
                                  "/v1/collections/" + name + "/items",
                                  Map.of(
                                      "id",
                                      "t" + thread + "-" + i,
                                      "vectors",
                                      Map.of("v", List.of(1, i + 1))))
                              .status());
                      statuses.add(
                          http.post(
                                  "/v1/collections/" + name + "/search",
                                  Map.of("query", "vector:[1,2]"))
                              .status());
                    }
                  }));
        }
        Thread.sleep(50L * (round + 1));
        assertEquals(204, http.delete("/v1/collections/" + name).status());
        for (Future<?> f : futures) {
          f.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      for (int s : statuses) {
        assertTrue(
            s == 200 || s == 201 || s == 404 || s == 409 || s == 503,
            "written, found, or told the collection is gone; got " + statuses);
      }
    }
  }

  @Test
  void aServerErrorIsLoggedUnderItsId() {
    Logger log = (Logger) LoggerFactory.getLogger(ProblemMapper.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    Answerer broken =
        new Answerer() {
          @Override
          public AnswerDraft answer(AnswerInput input, dev.bindery.generator.DeltaListener l) {
            throw new IllegalStateException("a bug in the answerer");
          }

          @Override
          public String describe() {
            return "broken";
          }
        };
    RagPipeline rag = new RagPipeline(bindery, broken, RagOptions.defaults(), new ImageDecoder());
    try (BinderyServer other =
        BinderyServer.create(bindery, ServerConfig.builder().port(0).build(), rag).start()) {
      JsonNode p =
          new HttpTestClient(other.uri())
              .post("/v1/collections/notes/ask", Map.of("question", "what about cats?"))
              .assertProblem(500);
      String id = p.get("error_id").asText();
      assertFalse(p.get("detail").asText().contains("a bug"), "no internals in the body");
      assertTrue(
          appender.list.stream()
              .anyMatch(
                  e ->
                      e.getFormattedMessage().contains(id)
                          && e.getThrowableProxy() != null
                          && e.getThrowableProxy().getMessage().contains("a bug")),
          "the log has the error id with the stack trace: " + appender.list);
    } finally {
      log.detachAppender(appender);
    }
  }

  private static String sha(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
