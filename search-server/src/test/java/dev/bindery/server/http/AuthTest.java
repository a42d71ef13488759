package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Res;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys over real HTTP: scopes, per-collection permissions, and the non-loopback rule. */
class AuthTest {
  @TempDir static Path dir;

  static Bindery bindery;
  static BinderyServer server;
  static HttpTestClient anonymous;
  static HttpTestClient admin;
  static HttpTestClient writer;
  static HttpTestClient reader;
  static HttpTestClient readerOfA;
  static Path keysFile;

  @BeforeAll
  static void start() {
    SecureRandom random = new SecureRandom();
    ApiKeys.Generated a = ApiKeys.generate("root", Scope.ADMIN, Set.of(), random);
    ApiKeys.Generated w = ApiKeys.generate("ingest", Scope.WRITE, Set.of(), random);
    ApiKeys.Generated r = ApiKeys.generate("viewer", Scope.READ, Set.of(), random);
    ApiKeys.Generated ra = ApiKeys.generate("viewer-a", Scope.READ, Set.of("a"), random);
    keysFile = dir.resolve("keys.json");
    new ApiKeys(List.of(a.key(), w.key(), r.key(), ra.key())).save(keysFile);
    bindery = Bindery.open(dir.resolve("data"));
    server =
        BinderyServer.start(
            bindery, ServerConfig.builder().port(0).keys(ApiKeys.load(keysFile)).build());
    anonymous = new HttpTestClient(server.uri());
    admin = anonymous.with("Authorization", "Bearer " + a.secret());
    writer = anonymous.with("Authorization", "Bearer " + w.secret());
    reader = anonymous.with("X-API-Key", r.secret());
    readerOfA = anonymous.with("Authorization", "bearer " + ra.secret());
    for (String name : List.of("a", "b")) {
      Res created =
          admin.post(
              "/v1/collections", Map.of("name", name, "spaces", Map.of("v", Map.of("dim", 2))));
      assertEquals(201, created.status(), created.text());
      Res added =
          admin.post(
              "/v1/collections/" + name + "/items",
              Map.of("id", name + "-1", "vectors", Map.of("v", List.of(1.0, 0.5))));
      assertEquals(201, added.status(), added.text());
    }
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

  @Test
  void noKeyIs401WithAChallenge() {
    Res r = anonymous.get("/v1/collections");
    JsonNode p = r.assertProblem(401);
    assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.header("WWW-Authenticate"));
    assertTrue(p.get("detail").asText().contains("Authorization: Bearer"), p.toString());
    anonymous.post("/v1/collections/a/search", Map.of("query", "vector:[1,0]")).assertProblem(401);
    anonymous
        .with("Authorization", "Bearer bk_not-a-key")
        .get("/v1/collections")
        .assertProblem(401);
    anonymous.with("Authorization", "Basic dXNlcjpwYXNz").get("/v1/collections").assertProblem(401);
    anonymous.with("X-API-Key", "x".repeat(1_000)).get("/v1/collections").assertProblem(401);
    // A header beyond what the HTTP layer takes is refused there, still as problem+json.
    anonymous.with("X-API-Key", "x".repeat(20_000)).get("/v1/collections").assertProblem(431);
  }

  @Test
  void readKeyCannotWrite() {
    assertEquals(200, reader.get("/v1/collections/a").status());
    Res search = reader.post("/v1/collections/a/search", Map.of("query", "vector:[1,0]", "k", 1));
    assertEquals(200, search.status(), search.text());
    assertEquals(List.of("a-1"), search.ids());
    JsonNode p =
        reader
            .post(
                "/v1/collections/a/items",
                Map.of("id", "x", "vectors", Map.of("v", List.of(1.0, 1.0))))
            .assertProblem(403);
    assertTrue(p.get("detail").asText().contains("'viewer' has scope read"), p.toString());
    assertEquals("write", p.get("required_scope").asText());
    reader.delete("/v1/collections/a/items/a-1").assertProblem(403);
    reader.delete("/v1/collections/a").assertProblem(403);
    assertEquals(1, admin.count("a"), "nothing was written or deleted");
  }

  @Test
  void writeKeyWritesButCannotAdminister() {
    Res added =
        writer.post(
            "/v1/collections/b/items",
            Map.of("id", "b-2", "vectors", Map.of("v", List.of(0.0, 1.0))));
    assertEquals(201, added.status(), added.text());
    assertEquals(204, writer.delete("/v1/collections/b/items/b-2").status());
    writer
        .post("/v1/collections", Map.of("name", "c", "spaces", Map.of("v", Map.of("dim", 2))))
        .assertProblem(403);
    writer.delete("/v1/collections/b").assertProblem(403);
    writer.get("/metrics").assertProblem(403);
    assertEquals(200, admin.get("/metrics").status());
  }

  @Test
  void wrongCollectionIs403() {
    assertEquals(200, readerOfA.get("/v1/collections/a").status());
    JsonNode p = readerOfA.get("/v1/collections/b").assertProblem(403);
    assertTrue(p.get("detail").asText().contains("collection 'b'"), p.toString());
    readerOfA.post("/v1/collections/b/search", Map.of("query", "vector:[1,0]")).assertProblem(403);
    readerOfA.get("/v1/collections/b/items/b-1").assertProblem(403);
    // A collection the key may not see is 403 whether or not it exists: no probing for names.
    readerOfA.get("/v1/collections/secret").assertProblem(403);
    List<String> listed = new ArrayList<>();
    readerOfA
        .get("/v1/collections")
        .json()
        .get("collections")
        .forEach(c -> listed.add(c.get("name").asText()));
    assertEquals(List.of("a"), listed);
  }

  @Test
  void publicRoutesNeedNoKey() {
    Res health = anonymous.get("/v1/health");
    assertEquals(200, health.status());
    assertFalse(health.json().has("collections"), "no counts for strangers: " + health.text());
    assertEquals(200, anonymous.get("/openapi.json").status());
    assertEquals(200, anonymous.get("/").status());
  }

  @Test
  void keysFileHoldsNoSecret() throws Exception {
    String text = Files.readString(keysFile);
    assertFalse(text.contains("bk_"), "secrets are never stored: " + text);
    ApiKeys loaded = ApiKeys.load(keysFile);
    assertEquals(4, loaded.keys().size());
    Path yaml = dir.resolve("keys.yaml");
    loaded.save(yaml);
    assertEquals(loaded.keys(), ApiKeys.load(yaml).keys());
    assertTrue(
        Files.readString(yaml).contains("scope: \"read\"")
            || Files.readString(yaml).contains("scope: read"));
  }

  @Test
  void nonLoopbackWithoutKeysRefusesToStart() {
    for (String host : List.of("0.0.0.0", "::")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  BinderyServer.create(bindery, ServerConfig.builder().host(host).port(0).build()));
      assertTrue(e.getMessage().contains("refusing to listen on " + host), e.getMessage());
      assertTrue(e.getMessage().contains("--keys"), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BinderyServer.create(
                bindery,
                ServerConfig.builder()
                    .host("0.0.0.0")
                    .port(0)
                    .keys(new ApiKeys(List.of()))
                    .build()),
        "an empty keys file is no keys");
    // Loopback names and addresses are fine without keys; any host is fine with keys.
    BinderyServer.create(bindery, ServerConfig.builder().host("localhost").port(0).build()).close();
    BinderyServer.create(bindery, ServerConfig.builder().host("::1").port(0).build()).close();
    BinderyServer.create(
            bindery,
            ServerConfig.builder().host("0.0.0.0").port(0).keys(ApiKeys.load(keysFile)).build())
        .close();
  }
}
