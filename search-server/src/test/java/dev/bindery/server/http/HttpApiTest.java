package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.server.http.HttpTestClient.Multipart;
import dev.bindery.server.http.HttpTestClient.Res;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint over real HTTP against a real server and a real Bindery data directory. */
class HttpApiTest {
  @TempDir static Path dir;

  static Bindery bindery;
  static BinderyServer server;
  static HttpTestClient http;

  static final List<Map<String, Object>> NOTES =
      List.of(
          note("cat", "a cat asleep on the sofa", "en", 2019),
          note("market", "stock market falls sharply", "en", 2021),
          note("soup", "a bowl of hot tomato soup", "en", 2018),
          note("train", "an old steam train crossing a bridge", "de", 2022),
          note("violin", "a violin concert in a small church", "de", 2020));

  @BeforeAll
  static void start() {
    bindery = Bindery.open(dir.resolve("data"));
    server =
        BinderyServer.start(
            bindery,
            ServerConfig.builder().port(0).uploadsDir(dir.resolve("data/uploads")).build());
    http = new HttpTestClient(server.uri());
    Res created = http.post("/v1/collections", Map.of("name", "notes", "model", "minilm-l6-v2"));
    assertEquals(201, created.status(), created.text());
    Res added = http.post("/v1/collections/notes/items", Map.of("items", NOTES));
    assertEquals(201, added.status(), added.text());
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

  static Map<String, Object> note(String id, String text, String lang, int year) {
    return Map.of("id", id, "text", text, "metadata", Map.of("lang", lang, "year", year));
  }

  // ------------------------------------------------------------------ collections

  @Test
  void createDescribeListAndDropCollections() {
    Res created =
        http.post(
            "/v1/collections",
            Map.of(
                "name",
                "vectors-a",
                "spaces",
                Map.of("v", Map.of("dim", 3, "similarity", "cosine", "storage", "float32")),
                "fields",
                Map.of("year", "long")));
    assertEquals(201, created.status(), created.text());
    assertEquals("/v1/collections/vectors-a", created.header("Location"));
    JsonNode body = created.json();
    assertEquals("vectors-a", body.get("name").asText());
    assertEquals(0, body.get("count").asInt());
    assertEquals(3, body.at("/spaces/v/dim").asInt());
    assertEquals("cosine", body.at("/spaces/v/similarity").asText());
    assertEquals("long", body.at("/fields/year").asText());
    assertNull(body.get("model"), "raw-vector collections have no model: " + body);

    http.post(
            "/v1/collections", Map.of("name", "vectors-a", "spaces", Map.of("v", Map.of("dim", 3))))
        .assertProblem(409);

    Res list = http.get("/v1/collections");
    assertEquals(200, list.status());
    List<String> names = new ArrayList<>();
    list.json().get("collections").forEach(c -> names.add(c.get("name").asText()));
    assertTrue(names.containsAll(List.of("notes", "vectors-a")), names.toString());

    JsonNode notes = http.get("/v1/collections/notes").json();
    assertEquals(NOTES.size(), notes.get("count").asInt());
    assertEquals("classpath:/models/minilm-l6-v2", notes.get("model").asText());
    assertEquals(384, notes.at("/spaces").elements().next().get("dim").asInt());

    Res dropped = http.delete("/v1/collections/vectors-a");
    assertEquals(204, dropped.status(), dropped.text());
    http.get("/v1/collections/vectors-a").assertProblem(404);
    http.delete("/v1/collections/vectors-a").assertProblem(404);
  }

  @Test
  void createRefusesModelPathsAndUnknownPackages() {
    JsonNode p =
        http.post("/v1/collections", Map.of("name", "x1", "model", "/etc/models/evil"))
            .assertProblem(400);
    assertTrue(p.get("detail").asText().contains("paths are not accepted"), p.toString());
    http.post("/v1/collections", Map.of("name", "x2", "model", "no-such-package"))
        .assertProblem(422);
    http.post("/v1/collections", Map.of("name", "x3")).assertProblem(400);
    http.post(
            "/v1/collections",
            Map.of("name", "x4", "model", "minilm-l6-v2", "spaces", Map.of("v", Map.of("dim", 2))))
        .assertProblem(400);
    http.post(
            "/v1/collections", Map.of("name", "bad/name", "spaces", Map.of("v", Map.of("dim", 2))))
        .assertProblem(400);
    List<String> names = bindery.listCollections();
    assertFalse(names.contains("x2"), "a failed create leaves nothing: " + names);
  }

  // ------------------------------------------------------------------ items

  @Test
  void addGetAndDeleteItems() {
    Res one =
        http.post(
            "/v1/collections/notes/items?refresh=true",
            Map.of(
                "id",
                "temp-1",
                "text",
                "a red kite over the beach",
                "metadata",
                Map.of("lang", "en")));
    assertEquals(201, one.status(), one.text());
    assertEquals(List.of("temp-1"), List.of(one.json().at("/ids/0").asText()));
    Res item = http.get("/v1/collections/notes/items/temp-1");
    assertEquals(200, item.status(), item.text());
    JsonNode body = item.json();
    assertEquals("text", body.get("modality").asText());
    assertEquals("a red kite over the beach", body.at("/text/text").asText());
    assertEquals("en", body.at("/metadata/lang").asText());
    assertEquals(384, body.get("vectors").elements().next().asInt());
    assertNull(body.get("content"), "a text item has no file to serve");
    assertTrue(
        http.post(
                "/v1/collections/notes/search",
                Map.of("query", "text:\"kite at the seaside\"", "k", 1))
            .ids()
            .contains("temp-1"),
        "written items are searchable when the write answers");

    assertEquals(204, http.delete("/v1/collections/notes/items/temp-1").status());
    http.get("/v1/collections/notes/items/temp-1").assertProblem(404);
    http.delete("/v1/collections/notes/items/temp-1").assertProblem(404);
    assertEquals(NOTES.size(), http.count("notes"));
  }

  @Test
  void rawVectorItemsAndVectorSearchMatchBruteForce() {
    assertEquals(
        201,
        http.post("/v1/collections", Map.of("name", "vec", "spaces", Map.of("v", Map.of("dim", 8))))
            .status());
    Random random = new Random(7);
    List<Map<String, Object>> items = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      float[] v = new float[8];
      List<Double> list = new ArrayList<>();
      for (int d = 0; d < 8; d++) {
        v[d] = (float) random.nextGaussian();
        list.add((double) v[d]);
      }
      vectors.add(v);
      items.add(
          Map.of(
              "id",
              String.format("v%02d", i),
              "vectors",
              Map.of("v", list),
              "metadata",
              Map.of("n", i)));
    }
    Res added = http.post("/v1/collections/vec/items", Map.of("items", items));
    assertEquals(201, added.status(), added.text());
    assertEquals(60, added.json().get("count").asInt());

    float[] q = vectors.get(17).clone();
    q[0] += 0.3f;
    StringBuilder literal = new StringBuilder("vector:[");
    for (int d = 0; d < 8; d++) {
      literal.append(d == 0 ? "" : ",").append(q[d]);
    }
    literal.append(']');
    Res r = http.post("/v1/collections/vec/search", Map.of("query", literal.toString(), "k", 5));
    assertEquals(200, r.status(), r.text());
    // Brute-force cosine over all 60 items: the reference ranking.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -cos(q, vectors.get(i))));
    List<String> expected =
        order.subList(0, 5).stream().map(i -> String.format("v%02d", i)).toList();
    assertEquals(expected, r.ids());

    Res filtered =
        http.post(
            "/v1/collections/vec/search",
            Map.of(
                "query", literal.toString(),
                "k", 5,
                "filter", Map.of("range", Map.of("field", "n", "from", 40))));
    assertEquals(200, filtered.status(), filtered.text());
    filtered
        .json()
        .get("hits")
        .forEach(h -> assertTrue(h.at("/metadata/n").asInt() >= 40, h.toString()));
    assertEquals(5, filtered.ids().size());
  }

  @Test
  void imageUploadsAreServedBackAndSearchableByDataUrl() throws IOException {
    Res created =
        http.post(
            "/v1/collections", Map.of("name", "pics", "model", "classpath:/models/bindery-mini"));
    assertEquals(201, created.status(), created.text());
    byte[] red = png(Color.RED, 1);
    byte[] blue = png(Color.BLUE, 2);
    Multipart m =
        new Multipart()
            .file("file", "red.png", "image/png", red)
            .field("id", "red-square")
            .field("metadata", "{\"color\": \"red\", \"year\": 2024}");
    Res up = http.post("/v1/collections/pics/items", m.bytes(), m.contentType());
    assertEquals(201, up.status(), up.text());
    Multipart two = new Multipart().file("file", "blue.png", "image/png", blue);
    assertEquals(
        201, http.post("/v1/collections/pics/items", two.bytes(), two.contentType()).status());

    JsonNode item = http.get("/v1/collections/pics/items/red-square").json();
    assertEquals("image", item.get("modality").asText());
    assertEquals("red", item.at("/metadata/color").asText());
    String content = item.get("content").asText();
    assertEquals("/v1/collections/pics/items/red-square/content", content);
    Path stored = Path.of(item.get("source").asText());
    assertTrue(stored.startsWith(dir.resolve("data/uploads").toAbsolutePath()), stored.toString());

    Res file = http.get(content);
    assertEquals(200, file.status());
    assertEquals("image/png", file.header("Content-Type"));
    assertArrayEquals(red, file.body());
    // The same image as a query finds itself first.
    String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(blue);
    Res byImage =
        http.post(
            "/v1/collections/pics/search",
            Map.of("query", Map.of("expression", Map.of("image", dataUrl)), "k", 2));
    assertEquals(200, byImage.status(), byImage.text());
    assertEquals("blue.png", byImage.ids().get(0));
    assertEquals(
        "/v1/collections/pics/items/blue.png/content",
        byImage.json().at("/hits/0/content").asText());

    // A path in a query term is refused: remote callers never read the server's files.
    JsonNode p =
        http.post("/v1/collections/pics/search", Map.of("query", "image:" + stored, "k", 2))
            .assertProblem(400);
    assertTrue(p.get("detail").asText().contains("data: URL"), p.toString());

    assertEquals(204, http.delete("/v1/collections/pics/items/red-square").status());
    assertFalse(Files.exists(stored), "deleting an item removes its upload");
    assertEquals(204, http.delete("/v1/collections/pics").status());
    assertFalse(Files.exists(dir.resolve("data/uploads/pics")), "dropping removes the uploads");
  }

  // ------------------------------------------------------------------ search

  @Test
  void textSearchAgreesWithTheLibrary() {
    for (String q :
        List.of(
            "text:\"a kitten resting on a couch\"",
            "text:\"financial news\"",
            "text:\"music\" + 0.5*text:\"old building\" - 0.2*text:\"food\"")) {
      Res r = http.post("/v1/collections/notes/search", Map.of("query", q, "k", 3));
      assertEquals(200, r.status(), r.text());
      List<String> library =
          bindery.search("notes", q, 3).hits().stream().map(ResultHit::id).toList();
      assertEquals(library, r.ids(), q);
      assertTrue(r.json().get("took_ms").isIntegralNumber(), r.text());
    }
    assertEquals(
        "cat",
        http.post(
                "/v1/collections/notes/search",
                Map.of("query", "text:\"a kitten resting on a couch\""))
            .ids()
            .get(0));
  }

  @Test
  void jsonSpecFilterFusionMmrAndExplain() {
    Map<String, Object> spec =
        Map.of("expression", Map.of("text", "a kitten on a couch"), "bm25", "sofa cat");
    Res r =
        http.post(
            "/v1/collections/notes/search",
            Map.of(
                "query",
                spec,
                "k",
                3,
                "fusion",
                Map.of("method", "rrf", "k", 30, "weights", Map.of("bm25", 2.0)),
                "explain",
                true));
    assertEquals(200, r.status(), r.text());
    JsonNode top = r.json().at("/hits/0");
    assertEquals("cat", top.get("id").asText());
    assertTrue(top.at("/explain/legs").has("bm25"), top.toString());
    assertTrue(r.json().at("/legs").has("bm25"), r.text());

    Res filtered =
        http.post(
            "/v1/collections/notes/search",
            Map.of(
                "query",
                "text:\"anything at all\"",
                "k",
                10,
                "filter",
                Map.of(
                    "and",
                    List.of(
                        Map.of("term", Map.of("field", "lang", "value", "de")),
                        Map.of("range", Map.of("field", "year", "to", 2021))))));
    assertEquals(200, filtered.status(), filtered.text());
    assertEquals(List.of("violin"), filtered.ids());

    Res mmr =
        http.post(
            "/v1/collections/notes/search",
            Map.of("query", "text:\"a cat\"", "k", 3, "mmr", Map.of("lambda", 0.5)));
    assertEquals(200, mmr.status(), mmr.text());
    assertEquals(3, mmr.ids().size());
    assertNull(mmr.json().at("/hits/0").get("explain"), "no explain unless asked");

    http.post(
            "/v1/collections/notes/search",
            Map.of("query", "text:x", "fusion", Map.of("method", "borda")))
        .assertProblem(400);
    http.post(
            "/v1/collections/notes/search",
            Map.of("query", "text:x", "filter", Map.of("near", Map.of())))
        .assertProblem(400);
    http.post("/v1/collections/notes/search", Map.of("query", "text:x", "k", 5000))
        .assertProblem(400);
  }

  @Test
  void syntaxErrorsCarryTheColumn() {
    JsonNode p =
        http.post("/v1/collections/notes/search", Map.of("query", "text:a + photo:x"))
            .assertProblem(400);
    assertEquals("urn:bindery:problem:query-syntax", p.get("type").asText());
    assertEquals(10, p.get("column").asInt(), p.toString());
  }

  // ------------------------------------------------------------------ service

  @Test
  void healthMetricsOpenApiAndThePage() {
    JsonNode health = http.get("/v1/health").json();
    assertEquals("ok", health.get("status").asText());
    assertTrue(health.get("collections").asInt() >= 1);

    http.post("/v1/collections/notes/search", Map.of("query", "text:cat"));
    Res metrics = http.get("/metrics");
    assertEquals(200, metrics.status());
    String text = metrics.text();
    assertTrue(
        text.contains("http_server_requests_seconds_count{")
            && text.contains("route=\"/v1/collections/{name}/search\""),
        text);
    assertTrue(text.contains("bindery_search_seconds_bucket{collection=\"notes\""), text);
    assertTrue(text.contains("bindery_ingest_items_total{collection=\"notes\"}"), text);

    Res page = http.get("/");
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
    assertTrue(page.text().contains("Bindery"));

    JsonNode doc = http.get("/openapi.json").json();
    assertEquals("3.1.0", doc.get("openapi").asText());
  }

  @Test
  void askAnswersFromRetrievedItemsAndCitesThem() {
    Res r =
        http.post(
            "/v1/collections/notes/ask", Map.of("question", "What is asleep on the sofa?", "k", 3));
    assertEquals(200, r.status(), r.text());
    JsonNode body = r.json();
    assertEquals("extractive", body.get("answered_by").asText());
    assertFalse(body.get("answer").asText().isBlank(), r.text());
    List<String> hits = new ArrayList<>();
    body.get("hits").forEach(h -> hits.add(h.get("id").asText()));
    assertEquals(3, hits.size());
    assertTrue(hits.contains("cat"), hits.toString());
    body.get("citations")
        .forEach(
            c -> assertTrue(hits.contains(c.get("id").asText()), "cited items were retrieved"));
    if (!body.get("abstained").asBoolean()) {
      assertTrue(body.get("citations").size() > 0, r.text());
    }

    http.post("/v1/collections/notes/ask", Map.of("question", "x", "k", 0)).assertProblem(400);
    http.post("/v1/collections/notes/ask", Map.of("k", 3)).assertProblem(400);
    http.post("/v1/collections/nope/ask", Map.of("question", "x")).assertProblem(404);
    http.post("/v1/collections/notes/ask", Map.of("question", "x", "image", "/etc/passwd"))
        .assertProblem(400);
  }

  @Test
  void unknownRoutesAndMethodsAreProblems() {
    http.get("/v1/nothing-here").assertProblem(404);
    http.send(
            http.request("/v1/collections/notes").PUT(HttpRequest.BodyPublishers.noBody()).build())
        .assertProblem(405);
  }

  // ------------------------------------------------------------------ helpers

  static byte[] png(Color color, long seed) throws IOException {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 64, 64);
    g.setColor(color);
    Random r = new Random(seed);
    g.fillOval(8 + r.nextInt(8), 8 + r.nextInt(8), 40, 40);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static double cos(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static long uploads(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  static void assertNotBlank(String s) {
    assertNotNull(s);
    assertFalse(s.isBlank());
  }
}
