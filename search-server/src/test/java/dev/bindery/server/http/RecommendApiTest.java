package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Res;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recommend over real HTTP on a fresh server: the top-level "recommend" member, the expression
 * form, a recommend fused with BM25 in a query spec, and its errors, checked against a brute-force
 * answer from the written vectors.
 */
class RecommendApiTest {
  @TempDir static Path dir;
  static Bindery bindery;
  static BinderyServer server;
  static HttpTestClient http;
  static final int N = 80;
  static final Map<String, float[]> VECTORS = new HashMap<>();

  @BeforeAll
  static void start() {
    bindery = Bindery.open(dir.resolve("data"));
    server = BinderyServer.start(bindery, ServerConfig.builder().port(0).build());
    http = new HttpTestClient(server.uri());
    Res created =
        http.post(
            "/v1/collections",
            Map.of("name", "pts", "spaces", Map.of("v", Map.of("dim", 4)), "fields", Map.of()));
    assertEquals(201, created.status(), created.text());
    Random r = new Random(9);
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      String id = String.format("p%02d", i);
      float[] v = new float[4];
      for (int d = 0; d < 4; d++) {
        v[d] = (float) r.nextGaussian();
      }
      VECTORS.put(id, v);
      items.add(
          Map.of(
              "id",
              id,
              "text",
              i % 2 == 0 ? "a red fox" : "a blue owl",
              "vectors",
              Map.of("v", List.of(v[0], v[1], v[2], v[3]))));
    }
    Res added = http.post("/v1/collections/pts/items", Map.of("items", items));
    assertEquals(201, added.status(), added.text());
    assertEquals(
        201,
        http.post(
                "/v1/collections",
                Map.of(
                    "name", "empty", "spaces", Map.of("v", Map.of("dim", 4)), "fields", Map.of()))
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

  static List<String> ids(JsonNode body) {
    List<String> out = new ArrayList<>();
    body.get("hits").forEach(h -> out.add(h.get("id").asText()));
    return out;
  }

  /** Brute force: cosine to 2*mean(unit positives) - mean(unit negatives), examples left out. */
  static List<String> reference(List<String> positive, List<String> negative, int k) {
    double[] q = new double[4];
    for (String id : positive) {
      float[] u = unit(VECTORS.get(id));
      for (int d = 0; d < 4; d++) {
        q[d] += u[d] * (negative.isEmpty() ? 1.0 : 2.0) / positive.size();
      }
    }
    for (String id : negative) {
      float[] u = unit(VECTORS.get(id));
      for (int d = 0; d < 4; d++) {
        q[d] -= u[d] / negative.size();
      }
    }
    Map<String, Double> score = new HashMap<>();
    VECTORS.forEach(
        (id, v) -> {
          float[] u = unit(v);
          double dot = 0;
          double n = 0;
          for (int d = 0; d < 4; d++) {
            dot += u[d] * q[d];
            n += q[d] * q[d];
          }
          score.put(id, dot / Math.sqrt(n));
        });
    return score.keySet().stream()
        .filter(id -> !positive.contains(id) && !negative.contains(id))
        .sorted(Comparator.comparingDouble((String id) -> -score.get(id)).thenComparing(id -> id))
        .limit(k)
        .toList();
  }

  static float[] unit(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / Math.sqrt(n));
    }
    return u;
  }

  @Test
  void topLevelRecommendAndTheExpressionFormAgreeWithBruteForce() {
    List<String> pos = List.of("p03", "p10");
    List<String> neg = List.of("p21");
    Res top =
        http.post(
            "/v1/collections/pts/search",
            Map.of("recommend", Map.of("positive", pos, "negative", neg), "k", N, "explain", true));
    assertEquals(200, top.status(), top.text());
    List<String> got = ids(top.json());
    // Every item but the three examples: none of them comes back.
    assertEquals(N - 3, got.size());
    assertFalse(got.stream().anyMatch(id -> pos.contains(id) || neg.contains(id)), got.toString());
    assertEquals(reference(pos, neg, 10), got.subList(0, 10));
    assertEquals("recommend", top.json().get("legs").get("recommend:v").get("kind").asText());

    Res expr =
        http.post(
            "/v1/collections/pts/search",
            Map.of("query", "recommend(+item:p03, +item:p10, -item:p21)", "k", 10));
    assertEquals(200, expr.status(), expr.text());
    assertEquals(reference(pos, neg, 10), ids(expr.json()));

    // Best score, paged with the cursor: no repeats, no gaps, still no examples.
    Map<String, Object> best = Map.of("positive", pos, "negative", neg, "strategy", "best_score");
    List<String> whole =
        ids(http.post("/v1/collections/pts/search", Map.of("recommend", best, "k", 30)).json());
    List<String> paged = new ArrayList<>();
    String cursor = null;
    for (int page = 0; page < 3; page++) {
      Map<String, Object> body = new HashMap<>(Map.of("recommend", best, "k", 10));
      if (cursor != null) {
        body.put("cursor", cursor);
      }
      JsonNode p = http.post("/v1/collections/pts/search", body).json();
      paged.addAll(ids(p));
      cursor = p.path("next_cursor").asText(null);
    }
    assertEquals(whole, paged);
    assertTrue(Set.copyOf(whole).stream().noneMatch(id -> pos.contains(id) || neg.contains(id)));
  }

  @Test
  void aRecommendInAQuerySpecFusesWithBm25() {
    Res fused =
        http.post(
            "/v1/collections/pts/search",
            Map.of(
                "query",
                Map.of("recommend", Map.of("positive", List.of("p00")), "bm25", "red fox"),
                "k",
                20,
                "fusion",
                Map.of("method", "rrf", "weights", Map.of("recommend:v", 2.0))));
    assertEquals(200, fused.status(), fused.text());
    assertEquals(List.of("recommend:v", "bm25"), List.copyOf(iterable(fused.json().get("legs"))));
    // p00 is a red fox, first for BM25, and still never returned.
    assertFalse(ids(fused.json()).contains("p00"), fused.text());
  }

  static List<String> iterable(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void errorsSayWhatIsWrong() {
    Res unknown =
        http.post(
            "/v1/collections/pts/search",
            Map.of("recommend", Map.of("positive", List.of("p01", "nope"))));
    assertEquals(404, unknown.status(), unknown.text());
    assertTrue(
        unknown.json().get("detail").asText().contains("'nope' is not in collection 'pts'"),
        unknown.text());
    Res none =
        http.post(
            "/v1/collections/pts/search",
            Map.of("recommend", Map.of("positive", List.of(), "negative", List.of("p01"))));
    assertEquals(400, none.status(), none.text());
    assertTrue(
        none.json().get("detail").asText().contains("needs at least one positive example"),
        none.text());
    Res empty =
        http.post(
            "/v1/collections/empty/search", Map.of("recommend", Map.of("positive", List.of("a"))));
    assertEquals(422, empty.status(), empty.text());
    assertTrue(empty.json().get("detail").asText().contains("is empty"), empty.text());
    Res both =
        http.post(
            "/v1/collections/pts/search",
            Map.of("query", "vector:[1,0,0,0]", "recommend", Map.of("positive", List.of("p01"))));
    assertEquals(400, both.status(), both.text());
    assertTrue(both.json().get("detail").asText().contains("not both"), both.text());
    Res strategy =
        http.post(
            "/v1/collections/pts/search",
            Map.of("recommend", Map.of("positive", List.of("p01"), "strategy", "nearest")));
    assertEquals(400, strategy.status(), strategy.text());
    assertTrue(
        strategy.json().get("detail").asText().contains("unknown recommend strategy 'nearest'"),
        strategy.text());
    Res syntax = http.post("/v1/collections/pts/search", Map.of("query", "recommend(-item:p01)"));
    assertEquals(400, syntax.status(), syntax.text());
    assertEquals(1, syntax.json().get("column").asInt(), syntax.text());
    Res missing = http.post("/v1/collections/pts/search", Map.of("k", 3));
    assertEquals(400, missing.status(), missing.text());
    assertTrue(missing.json().get("detail").asText().contains("'query' is missing"));
  }

  @Test
  void openApiDescribesRecommend() {
    JsonNode doc = http.get("/openapi.json").json();
    String text = doc.toString();
    assertTrue(text.contains("RecommendRequest"), "no RecommendRequest schema");
    assertTrue(text.contains("best_score"), "strategies not described");
  }
}
