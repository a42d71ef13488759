package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Multipart;
import dev.bindery.server.http.HttpTestClient.Res;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's bad-input run against a live server: every request gets a 4xx problem+json, the
 * server stays up, and a failed write changes nothing.
 */
class BadInputTest {
  /** Small, so a streamed body crosses it quickly; the 200 MB cases stream, never allocate. */
  static final long MAX_BODY = 1L << 20;

  static final long TWO_HUNDRED_MB = 200L << 20;

  @TempDir static Path dir;

  static Bindery bindery;
  static BinderyServer server;
  static HttpTestClient http;

  @BeforeAll
  static void start() {
    bindery = Bindery.open(dir.resolve("data"));
    server =
        BinderyServer.start(
            bindery,
            ServerConfig.builder()
                .port(0)
                .maxBodyBytes(MAX_BODY)
                .uploadsDir(dir.resolve("data/uploads"))
                .build());
    http = new HttpTestClient(server.uri());
    assertEquals(
        201,
        http.post("/v1/collections", Map.of("name", "notes", "model", "minilm-l6-v2")).status());
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      items.add(Map.of("id", "n" + i, "text", "note number " + i + " about cats and trains"));
    }
    assertEquals(201, http.post("/v1/collections/notes/items", Map.of("items", items)).status());
    assertEquals(
        201,
        http.post(
                "/v1/collections",
                Map.of("name", "pics", "model", "classpath:/models/bindery-mini"))
            .status());
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
  void serverStaysUp() {
    http.assertHealthy();
    assertEquals(20, http.count("notes"), "failed requests changed nothing");
  }

  @Test
  void malformedJson() {
    http.postRaw("/v1/collections/notes/items", "{\"id\": \"x\", \"text\": ").assertProblem(400);
    JsonNode p =
        http.postRaw("/v1/collections/notes/search", "{\"query\": \"text:cat\",, }")
            .assertProblem(400);
    assertTrue(p.get("detail").asText().contains("not valid JSON"), p.toString());
    http.postRaw("/v1/collections", "[1, 2").assertProblem(400);
    http.postRaw("/v1/collections/notes/search", "").assertProblem(400);
    http.postRaw("/v1/collections/notes/search", "{\"query\": \"text:cat\"} trailing")
        .assertProblem(400);
    // 5000 nested arrays: refused by the parser's depth limit, not a stack overflow.
    http.postRaw("/v1/collections/notes/search", "[".repeat(5000) + "]".repeat(5000))
        .assertProblem(400);
  }

  @Test
  void wrongTypes() {
    JsonNode k =
        http.postRaw("/v1/collections/notes/search", "{\"query\": \"text:cat\", \"k\": \"10\"}")
            .assertProblem(400);
    assertTrue(k.get("detail").asText().contains("/k"), k.toString());
    http.postRaw("/v1/collections/notes/search", "{\"query\": \"text:cat\", \"k\": 2.5}")
        .assertProblem(400);
    http.postRaw("/v1/collections/notes/search", "{\"query\": 42}").assertProblem(400);
    http.postRaw("/v1/collections/notes/search", "{\"query\": \"text:cat\", \"explain\": \"yes\"}")
        .assertProblem(400);
    http.postRaw("/v1/collections/notes/search", "{\"query\": \"text:cat\", \"colour\": 1}")
        .assertProblem(400);
    http.postRaw("/v1/collections/notes/items", "{\"id\": 5, \"text\": \"x\"}").assertProblem(400);
    http.postRaw("/v1/collections/notes/items", "{\"id\": \"x\", \"text\": [\"a\"]}")
        .assertProblem(400);
    http.postRaw("/v1/collections/notes/items", "{\"items\": {\"id\": \"x\"}}").assertProblem(400);
    http.postRaw(
            "/v1/collections/notes/items",
            "{\"id\": \"x\", \"text\": \"t\", \"metadata\": {\"a\": {\"b\": 1}}}")
        .assertProblem(400);
    http.postRaw("/v1/collections", "{\"name\": 7, \"model\": \"minilm-l6-v2\"}")
        .assertProblem(400);
    // A batch with one bad item is refused whole.
    http.post(
            "/v1/collections/notes/items",
            Map.of(
                "items",
                List.of(
                    Map.of("id", "ok-1", "text", "fine"),
                    Map.of(
                        "id", "bad-1", "text", "fine", "vectors", Map.of("nope", List.of(1.0))))))
        .assertProblem(422);
  }

  @Test
  void bodyOf200MbWithLengthIsRefusedBeforeItIsSent() {
    // Expect: 100-continue: the server answers 413 on the headers, so the client sends nothing.
    HttpRequest req =
        http.request("/v1/collections/notes/items")
            .header("Content-Type", "application/json")
            .expectContinue(true)
            .POST(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(TWO_HUNDRED_MB)),
                    TWO_HUNDRED_MB))
            .build();
    JsonNode p = http.send(req).assertProblem(413);
    assertEquals(MAX_BODY, p.get("limit_bytes").asLong());
  }

  @Test
  void bodyOf200MbIsAnsweredFromTheHeadersAlone() throws IOException {
    // No Expect header, and the body never comes: the 413 must not wait for it.
    try (Socket s = new Socket(server.uri().getHost(), server.port())) {
      s.setSoTimeout(60_000); // a hang guard, not a speed assertion
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/collections/notes/items HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + TWO_HUNDRED_MB
                  + "\r\n\r\n{\"items\": [")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = readHead(s.getInputStream());
      assertTrue(response.startsWith("HTTP/1.1 413"), response);
      assertTrue(response.toLowerCase().contains("application/problem+json"), response);
    }
  }

  @Test
  void chunkedBodyOf200MbIsCutOffAtTheLimit() {
    // No length: the server reads up to its limit and answers 413. The client may still be
    // sending when the answer comes, so either the 413 arrives or the connection is closed on it.
    HttpRequest req =
        http.request("/v1/collections/notes/search")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(TWO_HUNDRED_MB)))
            .build();
    try {
      http.send(req).assertProblem(413);
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().contains("IOException"), e.toString());
    }
  }

  @Test
  void corruptImageUpload() throws IOException {
    long before = HttpApiTest.uploads(dir.resolve("data/uploads"));
    byte[] garbage = new byte[4096];
    new Random(3).nextBytes(garbage);
    garbage[0] = (byte) 0x89;
    garbage[1] = 'P';
    garbage[2] = 'N';
    garbage[3] = 'G';
    Multipart m = new Multipart().file("file", "broken.png", "image/png", garbage);
    JsonNode p =
        http.post("/v1/collections/pics/items", m.bytes(), m.contentType()).assertProblem(422);
    assertTrue(p.get("detail").asText().contains("broken.png"), p.toString());
    // Two files, the second corrupt: neither is written, no upload is left behind.
    Multipart two =
        new Multipart()
            .file("file", "good.png", "image/png", HttpApiTest.png(Color.GREEN, 5))
            .file("file", "broken.png", "image/png", garbage);
    http.post("/v1/collections/pics/items", two.bytes(), two.contentType()).assertProblem(422);
    assertEquals(0, http.count("pics"));
    assertEquals(before, HttpApiTest.uploads(dir.resolve("data/uploads")));
    // The same bytes as a data URL in JSON.
    String url = "data:image/png;base64," + Base64.getEncoder().encodeToString(garbage);
    http.post("/v1/collections/pics/items", Map.of("id", "broken", "image", url))
        .assertProblem(422);
    http.post(
            "/v1/collections/pics/search",
            Map.of("query", Map.of("expression", Map.of("image", url))))
        .assertProblem(400);
    // A file type Bindery does not read, and a file path instead of a data URL.
    Multipart exe = new Multipart().file("file", "tool.exe", "application/octet-stream", garbage);
    http.post("/v1/collections/pics/items", exe.bytes(), exe.contentType()).assertProblem(400);
    http.post("/v1/collections/pics/items", Map.of("id", "p", "image", "/etc/passwd"))
        .assertProblem(400);
    http.post("/v1/collections/pics/items", Map.of("id", "p", "image", "http://10.0.0.1/x.png"))
        .assertProblem(400);
    // A data URL with nothing in it, or one that holds another modality's type: the request is
    // wrong (400), and the detail names the item and the field; the URL is parsed once, by the
    // ingestor.
    JsonNode bad =
        http.post(
                "/v1/collections/pics/items",
                Map.of("items", List.of(Map.of("id", "b", "image", "data:image/png;base64,@@@@"))))
            .assertProblem(400);
    assertTrue(bad.get("detail").asText().startsWith("items[0] ('b'): image:"), bad.toString());
    assertTrue(bad.get("detail").asText().contains("no bytes"), bad.toString());
    JsonNode wav =
        http.post(
                "/v1/collections/pics/items",
                Map.of(
                    "id",
                    "w",
                    "image",
                    "data:audio/wav;base64," + url.substring(url.indexOf(',') + 1)))
            .assertProblem(400);
    assertTrue(wav.get("detail").asText().contains("audio/wav"), wav.toString());
    assertEquals(0, http.count("pics"));
  }

  @Test
  void unknownCollection() {
    http.get("/v1/collections/nope").assertProblem(404);
    http.post("/v1/collections/nope/search", Map.of("query", "text:cat")).assertProblem(404);
    http.post("/v1/collections/nope/items", Map.of("id", "a", "text", "b")).assertProblem(404);
    http.get("/v1/collections/nope/items/a").assertProblem(404);
    http.delete("/v1/collections/nope/items/a").assertProblem(404);
    http.delete("/v1/collections/nope").assertProblem(404);
    assertFalse(bindery.listCollections().contains("nope"));
  }

  @Test
  void dotDotInIds() throws IOException {
    http.post("/v1/collections/notes/items", Map.of("id", "../evil", "text", "x"))
        .assertProblem(400);
    http.post("/v1/collections/notes/items", Map.of("id", "a/b", "text", "x")).assertProblem(400);
    http.post("/v1/collections/notes/items", Map.of("id", "..", "text", "x")).assertProblem(400);
    http.post("/v1/collections/notes/items", Map.of("id", "a\u0000b", "text", "x"))
        .assertProblem(400);
    http.get("/v1/collections/notes/items/..%2F..%2Fetc%2Fpasswd").assertProblem(400);
    http.get("/v1/collections/notes/items/..").assertProblem(400);
    http.get("/v1/collections/..%2Fnotes/items/n1").assertProblem(400);
    Multipart m =
        new Multipart()
            .file("file", "../../../../tmp/evil.png", "image/png", HttpApiTest.png(Color.RED, 9));
    http.post("/v1/collections/pics/items", m.bytes(), m.contentType()).assertProblem(400);
    // Dot segments the client did not normalize: Jetty resolves or refuses them, never a file.
    for (String path :
        List.of(
            "/v1/collections/notes/items/../../../../etc/passwd",
            "/v1/collections/notes/items/%2e%2e/%2e%2e/etc/passwd",
            "/../../etc/passwd")) {
      String head = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertTrue(head.matches("(?s)HTTP/1\\.1 4\\d\\d .*"), path + " -> " + head);
      assertTrue(head.toLowerCase().contains("application/problem+json"), path + " -> " + head);
    }
  }

  @Test
  void hugeExpression() {
    String expression = "text:\"" + "a".repeat(100_000) + "\"";
    JsonNode p =
        http.post("/v1/collections/notes/search", Map.of("query", expression)).assertProblem(400);
    assertTrue(p.get("detail").asText().contains("100007 characters"), p.toString());
    assertEquals(4096, p.get("limit_chars").asInt());
    // Inside a JSON spec too.
    http.post(
            "/v1/collections/notes/search",
            Map.of("query", Map.of("expression", "(".repeat(3000) + "text:a" + ")".repeat(3000))))
        .assertProblem(400);
  }

  @Test
  void invalidUtf8() {
    byte[] prefix = "{\"query\": \"text:".getBytes(StandardCharsets.UTF_8);
    byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(prefix);
    body.write(0xC3); // a lead byte followed by a non-continuation byte
    body.write(0x28);
    body.write(0xFF);
    body.writeBytes(suffix);
    http.post("/v1/collections/notes/search", body.toByteArray(), "application/json")
        .assertProblem(400);
    byte[] item = "{\"id\": \"u1\", \"text\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    http.post("/v1/collections/notes/items", item, "application/json").assertProblem(400);
    Multipart m =
        new Multipart()
            .file("file", "note.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))
            .field("id", new byte[] {'a', (byte) 0xFF, 'b'});
    assertEquals(
        "the 'id' part is not valid UTF-8 text: the bytes at offset 1 (0xff...) are no UTF-8"
            + " character",
        http.post("/v1/collections/notes/items", m.bytes(), m.contentType())
            .assertProblem(400)
            .get("detail")
            .asText());
    Multipart meta =
        new Multipart()
            .file("file", "note.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))
            .field("id", "u2".getBytes(StandardCharsets.UTF_8))
            .field("metadata", "{\"k\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(
        "the 'metadata' part is not valid UTF-8 text: the bytes at offset 10 (0xe9...) are no"
            + " UTF-8 character",
        http.post("/v1/collections/notes/items", meta.bytes(), meta.contentType())
            .assertProblem(400)
            .get("detail")
            .asText());
    // An uploaded text file is decoded by the same helper; it is well-formed as a request, so
    // its content is unprocessable.
    Multipart file =
        new Multipart()
            .file("file", "latin1.txt", "text/plain", new byte[] {'o', 'k', (byte) 0xE9})
            .field("id", "u3".getBytes(StandardCharsets.UTF_8));
    String detail =
        http.post("/v1/collections/notes/items", file.bytes(), file.contentType())
            .assertProblem(422)
            .get("detail")
            .asText();
    assertTrue(detail.contains("is not valid UTF-8 text: the bytes at offset 2 (0xe9...)"), detail);
    assertEquals(404, http.get("/v1/collections/notes/items/u3").status());
  }

  /**
   * Metadata the index cannot hold is refused by the contract's {@code MetadataValues} with a typed
   * error: 422 for an item's value, naming the item and the field, with nothing written; 400 for a
   * filter value.
   */
  @Test
  void metadataTheIndexCannotHoldIsUnprocessableAndABadFilterValueIsABadRequest() {
    assertEquals(
        201,
        http.post(
                "/v1/collections",
                Map.of(
                    "name",
                    "typed",
                    "spaces",
                    Map.of("v", Map.of("dim", 2)),
                    "fields",
                    Map.of("when", "date")))
            .status());
    JsonNode date =
        http.post(
                "/v1/collections/typed/items",
                Map.of(
                    "id",
                    "d1",
                    "vectors",
                    Map.of("v", List.of(1.0, 0.0)),
                    "metadata",
                    Map.of("when", "yesterday")))
            .assertProblem(422);
    assertEquals("urn:bindery:problem:unprocessable", date.get("type").asText(), date.toString());
    assertEquals(
        "item 'd1': metadata field 'when' (date) needs ISO-8601 like 2024-05-01 or"
            + " 2024-05-01T10:00:00Z, got 'yesterday'",
        date.get("detail").asText());
    JsonNode term =
        http.post(
                "/v1/collections/typed/items",
                Map.of(
                    "id",
                    "d2",
                    "vectors",
                    Map.of("v", List.of(0.0, 1.0)),
                    "metadata",
                    Map.of("tag", "a".repeat(32_767))))
            .assertProblem(422);
    assertEquals("urn:bindery:problem:unprocessable", term.get("type").asText(), term.toString());
    assertTrue(
        term.get("detail")
            .asText()
            .startsWith(
                "item 'd2': metadata field 'tag' value is 32,767 UTF-8 bytes; keyword values are"
                    + " limited to 32,766 (Lucene's term limit)"),
        term.toString());
    assertEquals(404, http.get("/v1/collections/typed/items/d1").status());
    assertEquals(404, http.get("/v1/collections/typed/items/d2").status());
    JsonNode filter =
        http.post(
                "/v1/collections/typed/search",
                Map.of(
                    "query",
                    "vector:[1,0]",
                    "filter",
                    Map.of("range", Map.of("field", "when", "from", "2024-13-45"))))
            .assertProblem(400);
    assertEquals("urn:bindery:problem:bad-request", filter.get("type").asText());
    assertEquals(
        "filter: metadata field 'when' (date) needs ISO-8601 like 2024-05-01 or"
            + " 2024-05-01T10:00:00Z, got '2024-13-45'",
        filter.get("detail").asText());
  }

  @Test
  void concurrentDeleteOfTheItemBeingSearched() throws Exception {
    String text = "a lighthouse on a rocky coast in a storm";
    assertEquals(
        201,
        http.post("/v1/collections/notes/items", Map.of("id", "flicker", "text", text)).status());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<Integer> writer =
          pool.submit(
              () -> {
                int rounds = 0;
                while (!stop.get() && rounds < 15) {
                  assertEquals(204, http.delete("/v1/collections/notes/items/flicker").status());
                  assertEquals(
                      201,
                      http.post(
                              "/v1/collections/notes/items", Map.of("id", "flicker", "text", text))
                          .status());
                  rounds++;
                }
                return rounds;
              });
      List<Future<int[]>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int reader = t;
        readers.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  int missing = 0;
                  while (!writer.isDone()) {
                    Map<String, Object> body =
                        switch (reader) {
                          case 0 -> Map.of("query", "text:\"" + text + "\"", "k", 3);
                          case 1 -> Map.of("query", "item:flicker", "k", 3);
                          default ->
                              Map.of(
                                  "query",
                                  "text:\"lighthouse\" + bm25:lighthouse",
                                  "k",
                                  3,
                                  "mmr",
                                  Map.of("lambda", 0.7),
                                  "explain",
                                  true);
                        };
                    Res r = http.post("/v1/collections/notes/search", body);
                    if (r.status() == 200) {
                      ok++;
                    } else {
                      // item:flicker while it is deleted: the caller named a missing item.
                      r.assertProblem(r.status());
                      assertTrue(r.status() >= 400 && r.status() < 500, r.text());
                      missing++;
                    }
                  }
                  return new int[] {ok, missing};
                }));
      }
      assertEquals(15, writer.get(5, TimeUnit.MINUTES));
      int ok = 0;
      for (Future<int[]> f : readers) {
        ok += f.get(5, TimeUnit.MINUTES)[0];
      }
      assertTrue(ok > 0, "some searches ran while the item flickered");
    } finally {
      stop.set(true);
      pool.shutdown();
      assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES));
    }
    assertEquals(204, http.delete("/v1/collections/notes/items/flicker").status());
  }

  @Test
  void wrongContentTypeAndMethods() {
    http.post("/v1/collections/notes/items", "id=x".getBytes(StandardCharsets.UTF_8), "text/plain")
        .assertProblem(415);
    http.send(
            http.request("/v1/collections/notes/search")
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build())
        .assertProblem(405);
    String head = raw("BREW /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertTrue(head.matches("(?s)HTTP/1\\.1 4\\d\\d .*"), head);
  }

  // ------------------------------------------------------------------ helpers

  /** Sends raw bytes and returns the status line and headers of the answer. */
  static String raw(String request) {
    try (Socket s = new Socket(server.uri().getHost(), server.port())) {
      s.setSoTimeout(60_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return readHead(s.getInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b; matched < 4 && (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** {@code n} bytes of '0', generated as read: a 200 MB body without 200 MB of memory. */
  static final class Zeros extends InputStream {
    private long left;

    Zeros(long n) {
      left = n;
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return '0';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) '0');
      left -= n;
      return n;
    }
  }
}
