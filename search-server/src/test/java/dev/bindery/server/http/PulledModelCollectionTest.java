package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Res;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/collections} names a model pulled with {@code bindery models pull} like a
 * package: the serve command puts the model cache among the server's model folders
 * (ModelsCommandTest pulls for real and checks that wiring).
 */
class PulledModelCollectionTest {
  static final Path IMMICH =
      Path.of("..", "encoders", "src", "test", "resources", "parity", "layouts", "immich");

  @TempDir Path dir;

  @Test
  void collectionCreatedWithAPulledModelName() throws IOException {
    Path cache = dir.resolve("cache");
    Path model = cache.resolve("clip-vit-b32");
    try (Stream<Path> walk = Files.walk(IMMICH)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        Path t = model.resolve(IMMICH.relativize(p).toString());
        Files.createDirectories(t.getParent());
        Files.copy(p, t);
      }
    }
    // What a pull writes last; a folder without it is not a pulled model.
    Files.writeString(
        model.resolve(ModelCache.RECORD), "{\"license\": \"MIT\", \"commit\": \"0123456789\"}");
    try (Bindery bindery = Bindery.open(dir.resolve("data"), new ModelCache(cache));
        BinderyServer server =
            BinderyServer.start(
                bindery,
                ServerConfig.builder()
                    .port(0)
                    .uploadsDir(dir.resolve("data/uploads"))
                    .modelDirs(List.of(cache))
                    .build())) {
      HttpTestClient http = new HttpTestClient(server.uri());
      Res created = http.post("/v1/collections", Map.of("name", "photos", "model", "clip-vit-b32"));
      assertEquals(201, created.status(), created.text());
      Res info = http.get("/v1/collections/photos");
      assertEquals(
          model.toAbsolutePath().normalize().toString(), info.json().get("model").asText());
      Res added =
          http.post(
              "/v1/collections/photos/items?refresh=true",
              Map.of(
                  "items",
                  List.of(
                      Map.of("id", "cat", "text", "a photo of a cat"),
                      Map.of("id", "car", "text", "a red car at night"))));
      assertEquals(201, added.status(), added.text());
      Res hits =
          http.post(
              "/v1/collections/photos/search",
              Map.of("query", "text:\"a photo of a cat\"", "k", 1));
      assertEquals(200, hits.status(), hits.text());
      assertEquals(List.of("cat"), hits.ids());
      Res notPulled = http.post("/v1/collections", Map.of("name", "other", "model", "siglip-base"));
      assertEquals(400, notPulled.status(), notPulled.text());
      assertTrue(
          notPulled.text().contains("run 'bindery models pull siglip-base'"), notPulled.text());
    }
  }
}
