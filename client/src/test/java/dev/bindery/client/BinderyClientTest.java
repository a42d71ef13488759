package dev.bindery.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real server on a loopback port with API keys on: every call's answer is
 * compared with what the library underneath holds, and every error names the request.
 */
class BinderyClientTest {
  @TempDir static Path dir;
  static Bindery bindery;
  static BinderyServer server;
  static BinderyClient client;
  static BinderyClient reader;

  @BeforeAll
  static void start() throws Exception {
    SecureRandom random = new SecureRandom();
    ApiKeys.Generated admin = ApiKeys.generate("admin", Scope.ADMIN, Set.of(), random);
    ApiKeys.Generated read = ApiKeys.generate("reader", Scope.READ, Set.of(), random);
    Path keys = dir.resolve("keys.json");
    new ApiKeys(List.of(admin.key(), read.key())).save(keys);
    bindery = Bindery.open(dir.resolve("data"));
    server =
        BinderyServer.start(
            bindery,
            ServerConfig.builder()
                .port(0)
                .keys(ApiKeys.load(keys))
                // A shared 2-core machine may be slow: no answer must hit a deadline.
                .requestTimeout(Duration.ofMinutes(15))
                .build());
    client =
        BinderyClient.builder(server.uri().toString())
            .apiKey(admin.secret())
            .requestTimeout(Duration.ofMinutes(15))
            .build();
    reader =
        BinderyClient.builder(server.uri().toString())
            .apiKey(read.secret())
            .requestTimeout(Duration.ofMinutes(15))
            .build();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {client, reader, server, bindery}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void writesReadsSearchesAndDeletesLikeTheLibrary() {
    client.createCollection(
        CollectionConfig.of("pts", SpaceConfig.of("v", 8, Similarity.COSINE))
            .withField("n", FieldType.LONG));
    RemoteCollection described = client.describe("pts");
    assertEquals(8, described.config().spaces().get("v").dim());
    assertEquals(FieldType.LONG, described.config().fields().get("n"));
    assertTrue(described.model().isEmpty());
    assertTrue(client.listCollections().contains("pts"));

    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<ItemWrite> items = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      float[] v = new float[8];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
      String id = "item " + i + (i % 5 == 0 ? " ü+%/?" : ""); // ids that need encoding
      items.add(
          new ItemWrite(
              id.replace("/", "-"),
              "text " + i,
              Map.of("v", v),
              Map.of("n", i, "colour", i % 2 == 0 ? "red" : "blue", "w", i / 4.0)));
    }
    List<String> ids = client.addItems("pts", items);
    assertEquals(items.stream().map(ItemWrite::id).toList(), ids);
    assertEquals(40, client.count("pts", null));

    List<String> asked = List.of(ids.get(5), "nope", ids.get(0));
    List<RemoteItem> got = client.getItems("pts", asked, true);
    assertEquals(List.of(ids.get(5), ids.get(0)), got.stream().map(RemoteItem::id).toList());
    for (RemoteItem item : got) {
      dev.bindery.indexer.Item stored = bindery.backend().get("pts", item.id()).orElseThrow();
      assertArrayEquals(stored.vectors().get("v"), item.vectors().get("v"), "seed " + seed);
      assertEquals(stored.text(), item.text());
      assertEquals(stored.metadata().get("n"), item.metadata().get("n"));
      assertEquals(stored.metadata().get("w"), item.metadata().get("w"));
    }
    assertTrue(client.getItems("pts", List.of(ids.get(1)), false).get(0).vectors().isEmpty());

    float[] q = items.get(7).vectors().get("v");
    Filter filter =
        Filter.term("colour", "red").or(Filter.range("n", 30L, null)).andNot(Filter.term("n", 38));
    List<RemoteHit> hits = client.searchVector("pts", q, 10, filter);
    List<Hit> expected =
        bindery
            .backend()
            .knn("pts", new KnnQuery("v", q, 10, filter, 0, SearchMode.EXACT, true))
            .hits();
    assertEquals(
        expected.stream().map(Hit::id).toList(), hits.stream().map(RemoteHit::id).toList());
    for (int i = 0; i < hits.size(); i++) {
      assertEquals(expected.get(i).score(), (float) hits.get(i).score(), "seed " + seed);
    }

    assertTrue(client.deleteItem("pts", ids.get(5))); // an odd one: blue, and an encoded id
    assertFalse(client.deleteItem("pts", ids.get(5)), "already gone");
    assertEquals(19, client.count("pts", Filter.term("colour", "blue")));
    assertEquals(19, client.deleteWhere("pts", Filter.term("colour", "blue")));
    assertEquals(20, client.count("pts", null));
    client.dropCollection("pts");
    assertTrue(client.find("pts").isEmpty());
  }

  @Test
  void errorsNameTheRequestTheStatusAndTheServersDetail() {
    BinderyApiException missing =
        assertThrows(BinderyApiException.class, () -> client.describe("absent"));
    assertEquals(404, missing.status());
    assertEquals("not-found", missing.problemType());
    assertTrue(missing.getMessage().startsWith("GET /v1/collections/absent: 404 not-found: "));
    assertTrue(missing.detail().contains("absent"), missing.detail());

    client.createCollection(CollectionConfig.of("dims", SpaceConfig.of("v", 3, Similarity.COSINE)));
    BinderyApiException wrongDim =
        assertThrows(
            BinderyApiException.class,
            () ->
                client.addItems(
                    "dims",
                    List.of(
                        new ItemWrite("ok", null, Map.of("v", new float[] {1, 2, 3}), null),
                        new ItemWrite("bad", null, Map.of("v", new float[] {1, 2}), null))));
    assertTrue(wrongDim.clientError());
    assertTrue(
        wrongDim.getMessage().contains("POST /v1/collections/dims/items"), wrongDim.getMessage());
    assertTrue(wrongDim.detail().contains("bad"), wrongDim.detail());
    assertEquals(0, client.count("dims", null), "all or nothing");

    BinderyApiException forbidden =
        assertThrows(BinderyApiException.class, () -> reader.dropCollection("dims"));
    assertEquals(403, forbidden.status());
    assertEquals(1, client.listCollections().stream().filter("dims"::equals).count());

    try (BinderyClient anonymous = BinderyClient.builder(server.uri().toString()).build()) {
      BinderyApiException unauthorized =
          assertThrows(BinderyApiException.class, anonymous::listCollections);
      assertEquals(401, unauthorized.status());
      assertEquals("unauthorized", unauthorized.problemType());
    }

    BinderyApiException unknownModel =
        assertThrows(
            BinderyApiException.class,
            () -> client.embed("no-such-model", List.of(EmbeddingInput.text("x"))));
    assertEquals(404, unknownModel.status());
    assertEquals("model_not_found", unknownModel.problemType());
    assertTrue(unknownModel.getMessage().startsWith("POST /v1/embeddings: 404 model_not_found"));
    client.dropCollection("dims");
  }

  @Test
  void embeddingsAreTheModelPackagesOwn() {
    List<float[]> v =
        reader.embed(
            "minilm-l6-v2",
            List.of(EmbeddingInput.text("a cat on a sofa"), EmbeddingInput.text("stock market")));
    try (ModelPackage pkg = ModelPackage.open("classpath:/models/minilm-l6-v2")) {
      assertArrayEquals(pkg.textEncoder().encode("a cat on a sofa"), v.get(0));
      assertArrayEquals(pkg.textEncoder().encode("stock market"), v.get(1));
    }
  }

  @Test
  void aBadUrlOrAnUnreachableServerSaysWhich() throws Exception {
    IllegalArgumentException v1 =
        assertThrows(IllegalArgumentException.class, () -> BinderyClient.builder("http://h:1/v1/"));
    assertTrue(v1.getMessage().contains("ends in /v1"), v1.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BinderyClient.builder("ftp://h/"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (BinderyClient nobody = BinderyClient.builder("http://127.0.0.1:" + port).build()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, nobody::listCollections);
      assertTrue(
          e.getMessage().startsWith("GET http://127.0.0.1:" + port + "/v1/collections: cannot"),
          e.getMessage());
    }
  }

  @Test
  void pathSegmentsArePercentEncoded() {
    assertEquals("a%20b%2B%25%2F%3F%C3%BC-._~", BinderyClient.segment("a b+%/?ü-._~"));
  }
}
