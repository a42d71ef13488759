package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Res;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI document, limits, timeouts, back-pressure and CORS. */
class ServerBehaviourTest {
  @TempDir Path dir;

  @Test
  void openApiListsEveryRegisteredRouteWithItsSchemas() {
    try (Bindery bindery = Bindery.open(dir);
        BinderyServer server =
            BinderyServer.start(bindery, ServerConfig.builder().port(0).build())) {
      JsonNode doc = new HttpTestClient(server.uri()).get("/openapi.json").json();
      JsonNode paths = doc.get("paths");
      int operations = 0;
      for (Iterator<JsonNode> it = paths.elements(); it.hasNext(); ) {
        operations += it.next().size();
      }
      assertEquals(server.routes().size(), operations, "one operation per route, no more");
      Set<String> operationIds = new HashSet<>();
      for (Route r : server.routes()) {
        JsonNode op = paths.path(r.path()).path(r.method().name().toLowerCase(Locale.ROOT));
        assertFalse(op.isMissingNode(), "document lacks " + r.describe());
        assertEquals(r.operationId(), op.get("operationId").asText());
        assertTrue(operationIds.add(r.operationId()));
        assertTrue(op.get("responses").has(Integer.toString(r.status())), r.describe());
        if (r.scope() != null) {
          assertEquals(r.scope().wireName(), op.get("x-bindery-scope").asText());
          assertTrue(op.get("responses").has("401"), r.describe());
        }
        for (Route.ResponseHeader h : r.responseHeaders()) {
          JsonNode header = op.at("/responses/" + r.status() + "/headers/" + h.name());
          assertEquals(h.description(), header.path("description").asText(), r.describe());
          assertEquals("string", header.at("/schema/type").asText(), r.describe());
        }
      }
      // The search answers with a Server-Timing header (searchAnswersWithServerTiming...): the
      // document says so, with the phases it lists.
      JsonNode timing =
          paths.at("/~1v1~1collections~1{name}~1search/post/responses/200/headers/Server-Timing");
      for (String phase : List.of("read", "wait", "search", "respond", "total")) {
        assertTrue(timing.path("description").asText().contains(phase), timing.toString());
      }
      for (String expected :
          List.of(
              "POST /v1/collections",
              "GET /v1/collections",
              "GET /v1/collections/{name}",
              "DELETE /v1/collections/{name}",
              "POST /v1/collections/{name}/items",
              "GET /v1/collections/{name}/items/{id}",
              "DELETE /v1/collections/{name}/items/{id}",
              "PATCH /v1/collections/{name}/items/{id}",
              "POST /v1/collections/{name}/items/get",
              "POST /v1/collections/{name}/items/delete",
              "POST /v1/collections/{name}/count",
              "GET /v1/collections/{name}/items/{id}/content",
              "POST /v1/collections/{name}/search",
              "POST /v1/collections/{name}/ask",
              "GET /v1/health",
              "GET /metrics",
              "GET /openapi.json")) {
        assertTrue(
            server.routes().stream().anyMatch(r -> r.describe().equals(expected)),
            "the contract's route " + expected + " is registered");
      }
      // Schemas come from the records: the members the server reads and writes.
      JsonNode schemas = doc.at("/components/schemas");
      assertEquals(
          Set.of(
              "query",
              "k",
              "filter",
              "fusion",
              "mmr",
              "candidates",
              "bm25_fields",
              "explain",
              "min_score",
              "leg_min_scores",
              "offset",
              "cursor",
              "facets",
              "facet_size",
              "facet_top_hits",
              "recommend"),
          names(schemas.at("/SearchRequest/properties")));
      // A search needs 'query' or else 'recommend' (checked by the controller), so neither is
      // required in the schema; a recommend needs its positive examples.
      assertEquals(List.of(), list(schemas.at("/SearchRequest/required")));
      assertEquals(
          "#/components/schemas/RecommendRequest",
          schemas.at("/SearchRequest/properties/recommend/allOf/0/$ref").asText());
      assertEquals(List.of("positive"), list(schemas.at("/RecommendRequest/required")));
      assertEquals(
          Set.of("positive", "negative", "strategy", "space"),
          names(schemas.at("/RecommendRequest/properties")));
      assertEquals(
          Set.of("hits", "took_ms", "legs", "next_cursor", "facets"),
          names(schemas.at("/SearchBody/properties")));
      assertEquals("array", schemas.at("/SearchBody/properties/hits/type").asText());
      assertEquals(
          "#/components/schemas/HitBody",
          schemas.at("/SearchBody/properties/hits/items/$ref").asText());
      assertEquals("integer", schemas.at("/SearchBody/properties/took_ms/type").asText());
      // Every reference resolves.
      List<String> refs = new ArrayList<>();
      collectRefs(doc, refs);
      assertFalse(refs.isEmpty());
      for (String ref : refs) {
        assertFalse(doc.at(ref.substring(1)).isMissingNode(), "dangling " + ref);
      }
      JsonNode items = paths.at("/~1v1~1collections~1{name}~1items/post/requestBody/content");
      assertTrue(
          items.has("application/json") && items.has("multipart/form-data"), items.toString());
    }
  }

  @Test
  void searchPastTheDeadlineIs503AndTheServerGoesOn() {
    try (Bindery bindery = Bindery.open(dir);
        BinderyServer server =
            BinderyServer.start(
                bindery,
                ServerConfig.builder().port(0).requestTimeout(Duration.ofNanos(1)).build())) {
      HttpTestClient http = new HttpTestClient(server.uri());
      assertEquals(
          201,
          http.post("/v1/collections", Map.of("name", "v", "spaces", Map.of("v", Map.of("dim", 2))))
              .status());
      Res r = http.post("/v1/collections/v/search", Map.of("query", "vector:[1, 0]"));
      JsonNode p = r.assertProblem(503);
      assertEquals("urn:bindery:problem:timeout", p.get("type").asText());
      assertEquals("1", r.header("Retry-After"));
      http.assertHealthy();
    }
  }

  @Test
  void searchAnswersWithServerTimingAndEngineErrorsStayProblems() {
    try (Bindery bindery = Bindery.open(dir);
        BinderyServer server =
            BinderyServer.start(bindery, ServerConfig.builder().port(0).build())) {
      HttpTestClient http = new HttpTestClient(server.uri());
      assertEquals(
          201,
          http.post("/v1/collections", Map.of("name", "v", "spaces", Map.of("v", Map.of("dim", 2))))
              .status());
      Res added =
          http.post(
              "/v1/collections/v/items",
              Map.of(
                  "items",
                  List.of(
                      Map.of("id", "east", "vectors", Map.of("v", List.of(1.0, 0.0))),
                      Map.of("id", "north", "vectors", Map.of("v", List.of(0.0, 1.0))))));
      assertEquals(201, added.status(), added.text());

      // The response is written by the search thread; it is the same answer, with its timing.
      Res r = http.post("/v1/collections/v/search", Map.of("query", "vector:[0.1, 0.9]", "k", 2));
      assertEquals(200, r.status(), r.text());
      assertEquals("north", r.json().at("/hits/0/id").asText());
      assertEquals("east", r.json().at("/hits/1/id").asText());
      String timing = r.header("Server-Timing");
      Map<String, Double> phases = new java.util.LinkedHashMap<>();
      for (String part : timing.split(", ")) {
        String[] nameAndDur = part.split(";dur=");
        assertEquals(2, nameAndDur.length, timing);
        phases.put(nameAndDur[0], Double.parseDouble(nameAndDur[1]));
      }
      assertEquals(
          List.of("read", "wait", "search", "respond", "total"), List.copyOf(phases.keySet()));
      for (double ms : phases.values()) {
        assertTrue(ms >= 0, timing);
      }
      double parts = phases.get("read") + phases.get("wait") + phases.get("search");
      assertTrue(phases.get("total") + 0.003 >= parts, "total covers its phases: " + timing);

      // The vector as a JSON array (no expression to format or parse) finds the same.
      Res json =
          http.post(
              "/v1/collections/v/search",
              Map.of("query", Map.of("expression", Map.of("vector", List.of(0.1, 0.9))), "k", 2));
      assertEquals(200, json.status(), json.text());
      assertEquals(r.json().get("hits"), json.json().get("hits"));

      // An error on the search thread comes back as problem+json, as before.
      JsonNode wrongDim =
          http.post("/v1/collections/v/search", Map.of("query", "vector:[1, 0, 0]"))
              .assertProblem(400);
      assertTrue(
          wrongDim.get("detail").asText().contains("cannot tell which space"), wrongDim.toString());
      JsonNode missing =
          http.post("/v1/collections/nope/search", Map.of("query", "vector:[1, 0]"))
              .assertProblem(404);
      assertTrue(missing.get("detail").asText().contains("nope"), missing.toString());
      http.assertHealthy();
    }
  }

  @Test
  void submittedSearchPastItsDeadlineFailsWith503AndFinishesInTheBackground() throws Exception {
    SearchPool pool = new SearchPool(1, 1, Duration.ofSeconds(1));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    try {
      java.util.concurrent.CompletableFuture<String> slow =
          pool.submit(
              "search",
              () -> {
                started.countDown();
                release.await();
                finished.countDown();
                return "late";
              },
              new ServerTiming(System.nanoTime()));
      // Whether it started in time or only after its deadline (then it never runs), the caller
      // hears 503 timeout, at the deadline, while the work is still blocked.
      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, slow::get);
      ApiProblem p = assertInstanceOf(ApiProblem.class, e.getCause());
      assertEquals(503, p.status());
      assertEquals("timeout", p.type());
      assertEquals(1, finished.getCount(), "the deadline did not wait for the work");
      release.countDown();
      if (started.getCount() == 0) {
        // It started before its deadline: it runs on to its end, undisturbed (a hang here is
        // bounded by JUnit's default timeout).
        finished.await();
      }
    } finally {
      release.countDown();
      pool.close();
    }
  }

  @Test
  void finishedSearchesLeaveNoDeadlineBehind() throws Exception {
    // Deadlines are swept, not scheduled per search: a search that completes (with a value or
    // an error) must stop being watched, or a long-running server would keep every one.
    SearchPool pool = new SearchPool(2, 256, Duration.ofMinutes(1));
    try {
      List<java.util.concurrent.CompletableFuture<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        all.add(
            pool.submit(
                "search",
                () -> {
                  if (n % 10 == 0) {
                    throw new IllegalStateException("failed " + n);
                  }
                  return n;
                },
                null));
      }
      for (int i = 0; i < all.size(); i++) {
        java.util.concurrent.CompletableFuture<Integer> f = all.get(i);
        if (i % 10 == 0) {
          assertThrows(java.util.concurrent.ExecutionException.class, f::get);
        } else {
          assertEquals(i, f.get(1, TimeUnit.MINUTES));
        }
      }
      // A future's get() can return just before its completion callback stops the watch.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (pool.watched() > 0 && System.nanoTime() - deadline < 0) {
        Thread.sleep(1);
      }
      assertEquals(0, pool.watched());
    } finally {
      pool.close();
    }
  }

  @Test
  void fullSearchQueueIs503Busy() throws Exception {
    SearchPool pool = new SearchPool(1, 1, Duration.ofMinutes(1));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      Future<String> running =
          callers.submit(
              () ->
                  pool.run(
                      "search",
                      () -> {
                        started.countDown();
                        release.await();
                        return "ran";
                      }));
      assertTrue(started.await(1, TimeUnit.MINUTES));
      Future<String> queued = callers.submit(() -> pool.run("search", () -> "queued"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (pool.waiting() == 0) {
        assertFalse(queued.isDone(), "the second search waits for the thread");
        if (System.nanoTime() - deadline > 0) {
          // A bound on the wait, so a broken queue fails the test instead of hanging CI.
          fail("the second search never queued within a minute");
        }
        Thread.onSpinWait();
      }
      ApiProblem busy = assertThrows(ApiProblem.class, () -> pool.run("search", () -> "no room"));
      assertEquals(503, busy.status());
      assertEquals("busy", busy.type());
      assertEquals("1", busy.headers().get("Retry-After"));
      release.countDown();
      assertEquals("ran", running.get(1, TimeUnit.MINUTES));
      assertEquals("queued", queued.get(1, TimeUnit.MINUTES));
      assertEquals("room again", pool.run("search", () -> "room again"));
    } finally {
      release.countDown();
      callers.shutdown();
      pool.close();
    }
  }

  @Test
  void corsIsOffUnlessConfigured() {
    try (Bindery bindery = Bindery.open(dir)) {
      try (BinderyServer plain =
          BinderyServer.start(bindery, ServerConfig.builder().port(0).build())) {
        Res r =
            new HttpTestClient(plain.uri())
                .send(
                    new HttpTestClient(plain.uri())
                        .request("/v1/health")
                        .header("Origin", "https://app.example")
                        .GET()
                        .build());
        assertEquals(200, r.status());
        assertNull(r.header("Access-Control-Allow-Origin"), "no CORS without configuration");
      }
      try (BinderyServer cors =
          BinderyServer.start(
              bindery,
              ServerConfig.builder().port(0).corsOrigins(List.of("https://app.example")).build())) {

        HttpTestClient http = new HttpTestClient(cors.uri());
        Res allowed =
            http.send(
                http.request("/v1/health").header("Origin", "https://app.example").GET().build());
        assertEquals("https://app.example", allowed.header("Access-Control-Allow-Origin"));
        Res preflight =
            http.send(
                http.request("/v1/collections/x/search")
                    .header("Origin", "https://app.example")
                    .header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .build());
        assertTrue(preflight.status() < 300, preflight.status() + " " + preflight.text());
        assertEquals("https://app.example", preflight.header("Access-Control-Allow-Origin"));
        Res other =
            http.send(
                http.request("/v1/health").header("Origin", "https://evil.example").GET().build());
        assertNull(other.header("Access-Control-Allow-Origin"));
      }
    }
  }

  @Test
  void configRejectsNonsense() {
    ServerConfig d = ServerConfig.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.toBuilder().port(70_000).build());
    assertThrows(IllegalArgumentException.class, () -> d.toBuilder().maxBodyBytes(10).build());
    assertThrows(IllegalArgumentException.class, () -> d.toBuilder().maxK(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> d.toBuilder().requestTimeout(Duration.ZERO).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> d.toBuilder().corsOrigins(List.of("https://a.example/x")).build());
    assertThrows(
        IllegalArgumentException.class, () -> d.toBuilder().maxConcurrentIngests(0).build());
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new HashSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void collectRefs(JsonNode n, List<String> out) {
    if (n.isObject()) {
      if (n.has("$ref")) {
        out.add(n.get("$ref").asText());
      }
      n.elements().forEachRemaining(c -> collectRefs(c, out));
    } else if (n.isArray()) {
      n.forEach(c -> collectRefs(c, out));
    }
  }
}
