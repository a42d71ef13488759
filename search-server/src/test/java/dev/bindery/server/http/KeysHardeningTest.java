package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Res;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys against a running server (issue 15): HEAD is checked like GET, /metrics is for admin keys
 * over every collection, and the keys file is read again when it changes (a removed key stops
 * working at once; a broken file refuses every key).
 */
class KeysHardeningTest {
  @TempDir Path dir;

  Bindery bindery;
  BinderyServer server;
  Path keysFile;
  HttpTestClient anonymous;
  HttpTestClient admin;
  HttpTestClient adminOfA;
  HttpTestClient reader;
  final SecureRandom random = new SecureRandom();

  @BeforeEach
  void start() {
    ApiKeys.Generated a = ApiKeys.generate("root", Scope.ADMIN, Set.of(), random);
    ApiKeys.Generated aa = ApiKeys.generate("tenant-admin", Scope.ADMIN, Set.of("a"), random);
    ApiKeys.Generated r = ApiKeys.generate("viewer", Scope.READ, Set.of(), random);
    keysFile = dir.resolve("keys.json");
    new ApiKeys(List.of(a.key(), aa.key(), r.key())).save(keysFile);
    bindery = Bindery.open(dir.resolve("data"));
    server =
        BinderyServer.start(bindery, ServerConfig.builder().port(0).keysFile(keysFile).build());
    anonymous = new HttpTestClient(server.uri());
    admin = anonymous.with("Authorization", "Bearer " + a.secret());
    adminOfA = anonymous.with("Authorization", "Bearer " + aa.secret());
    reader = anonymous.with("Authorization", "Bearer " + r.secret());
    assertEquals(
        201,
        admin
            .post("/v1/collections", Map.of("name", "a", "spaces", Map.of("v", Map.of("dim", 2))))
            .status());
  }

  @AfterEach
  void stop() {
    server.close();
    bindery.close();
  }

  private static Res head(HttpTestClient c, String path) {
    return c.send(c.request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
  }

  @Test
  void headNeedsTheSameKeyAsGet() {
    for (String path : List.of("/v1/collections", "/v1/collections/a", "/metrics")) {
      assertEquals(401, head(anonymous, path).status(), path);
    }
    assertEquals(200, head(reader, "/v1/collections/a").status());
    assertEquals(403, head(reader, "/metrics").status());
    assertEquals(200, head(admin, "/metrics").status());
    assertEquals(200, head(anonymous, "/v1/health").status(), "health needs no key");
  }

  @Test
  void metricsNeedAnAdminKeyForEveryCollection() {
    JsonNode p = adminOfA.get("/metrics").assertProblem(403);
    assertTrue(p.get("detail").asText().contains("limited to collections"), p.toString());
    Res all = admin.get("/metrics");
    assertEquals(200, all.status());
    assertTrue(all.text().contains("http_server_requests_seconds"), "Prometheus text");
  }

  @Test
  void aRemovedKeyStopsWorkingWithoutARestart() throws Exception {
    assertEquals(200, reader.get("/v1/collections").status());
    ApiKeys.load(keysFile).without("viewer").save(keysFile);
    reader.get("/v1/collections").assertProblem(401);
    assertEquals(200, admin.get("/v1/collections").status(), "the other keys still work");

    ApiKeys.Generated added = ApiKeys.generate("late", Scope.READ, Set.of(), random);
    ApiKeys.load(keysFile).with(added.key()).save(keysFile);
    assertEquals(
        200,
        anonymous.with("X-API-Key", added.secret()).get("/v1/collections").status(),
        "a key added to the file works at once");
  }

  @Test
  void aBrokenKeysFileRefusesEveryKey() throws Exception {
    String good = Files.readString(keysFile);
    Files.writeString(keysFile, "{\"version\": 1, \"keys\": [");
    JsonNode p = admin.get("/v1/collections").assertProblem(503);
    assertEquals("urn:bindery:problem:keys-unavailable", p.get("type").asText());
    assertTrue(!p.get("detail").asText().contains(dir.toString()), p.toString());
    Files.writeString(keysFile, good);
    assertEquals(200, admin.get("/v1/collections").status(), "fixed: keys work again");
  }
}
