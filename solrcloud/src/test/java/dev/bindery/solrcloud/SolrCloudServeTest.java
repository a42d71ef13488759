package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.cloud.Slice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bindery serve --backend solrcloud --zk ...} end to end: the real server (the search-server
 * module's jar and libraries, in a JVM of its own, as {@code bin/bindery} runs it) loads this
 * module's classes in an isolated class loader and serves a 2-node SolrCloud. A second process,
 * {@code bindery search} with an empty data directory, finds the collection's model in the cluster.
 * Needs the search-server module packaged first ({@code mvn verify} from the root builds it before
 * this module).
 */
class SolrCloudServeTest {
  @TempDir static Path dir;
  static SolrTestCluster solr;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void startCluster() throws Exception {
    solr = SolrTestCluster.start(2, dir.resolve("solr"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (solr != null) {
      solr.close();
    }
  }

  /** The repository root ({@code -Dbindery.home}, set by the pom). */
  static Path home() {
    String h = System.getProperty("bindery.home");
    if (h == null) {
      fail("-Dbindery.home is not set (the solrcloud pom sets it for surefire)");
    }
    return Path.of(h).toAbsolutePath().normalize();
  }

  /** A {@code bindery} command line in a JVM of its own, as bin/bindery starts it. */
  static ProcessBuilder bindery(Path log, String... args) {
    Path server = home().resolve("search-server/target/bindery-search-server.jar");
    Path lib = home().resolve("search-server/target/lib");
    if (!Files.isRegularFile(server) || !Files.isDirectory(lib)) {
      fail(
          server
              + " or its lib/ is missing: package the search-server module first"
              + " (mvn verify from the repository root does)");
    }
    Path module = Path.of("").toAbsolutePath();
    String solrCp =
        module.resolve("target/classes") + File.pathSeparator + module.resolve("target/plugin-lib");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx1g",
            "-Dbindery.solrcloud.classpath=" + solrCp,
            "-cp",
            server + File.pathSeparator + lib + File.separator + "*",
            "dev.bindery.server.cli.BinderyCli"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
  }

  static JsonNode call(String method, URI uri, String body, int expectStatus) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).header("Content-Type", "application/json");
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> rsp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expectStatus, rsp.statusCode(), method + " " + uri + ": " + rsp.body());
    return JSON.readTree(rsp.body());
  }

  @Test
  void serveCreatesIngestsAndSearchesOnTheCluster() throws Exception {
    Path log = dir.resolve("serve.log");
    Process serve =
        bindery(
                log,
                "serve",
                "--data",
                dir.resolve("server-data").toString(),
                "--port",
                "0",
                "--backend",
                "solrcloud",
                "--zk",
                solr.zkHost(),
                "--shards",
                "2",
                "--replicas",
                "2")
            .start();
    try {
      URI base = awaitServing(serve, log);

      JsonNode created =
          call(
              "POST",
              base.resolve("/v1/collections"),
              "{\"name\": \"notes\", \"model\": \"bindery-mini\"}",
              201);
      assertEquals("notes", created.path("name").asText(), created.toString());
      String items =
          """
          {"items": [
            {"id": "n1", "text": "a cat asleep on the sofa", "metadata": {"lang": "en"}},
            {"id": "n2", "text": "stock market falls sharply", "metadata": {"lang": "en"}},
            {"id": "n3", "text": "un chat dort sur le canapé", "metadata": {"lang": "fr"}},
            {"id": "n4", "text": "the flag of sweden, a yellow cross on blue", "metadata": {"lang": "en"}}
          ]}""";
      JsonNode written = call("POST", base.resolve("/v1/collections/notes/items"), items, 201);
      assertEquals(4, written.path("count").asInt(), written.toString());

      // Hybrid (kNN over the model's text space + BM25 through Solr), filtered in Solr.
      JsonNode hits =
          call(
              "POST",
              base.resolve("/v1/collections/notes/search"),
              "{\"query\": \"text:\\\"a sleeping cat on a couch\\\" + bm25:sofa\", \"k\": 3,"
                  + " \"filter\": {\"term\": {\"field\": \"lang\", \"value\": \"en\"}}}",
              200);
      assertEquals("n1", hits.path("hits").path(0).path("id").asText(), hits.toString());
      for (JsonNode h : hits.path("hits")) {
        assertEquals("en", h.path("metadata").path("lang").asText(), hits.toString());
      }
      JsonNode described = call("GET", base.resolve("/v1/collections/notes"), null, 200);
      assertEquals(4, described.path("count").asInt(), described.toString());
      assertTrue(described.path("model").asText().contains("bindery-mini"), described.toString());

      // A bad batch (an unreadable image) is refused whole; nothing of it reaches Solr.
      call(
          "POST",
          base.resolve("/v1/collections/notes/items"),
          "{\"items\": [{\"id\": \"ok\", \"text\": \"fine\"},"
              + " {\"id\": \"bad\", \"image\": \"data:image/png;base64,AAAA\"}]}",
          422);
      assertEquals(
          4, call("GET", base.resolve("/v1/collections/notes"), null, 200).path("count").asInt());
    } finally {
      stop(serve);
    }

    // The collection lives in the cluster: 2 shards x 2 replicas, the model binding with it.
    try (CloudSolrClient client = solr.client()) {
      DocCollection c = client.getClusterState().getCollection("notes");
      assertEquals(2, c.getSlices().size());
      for (Slice s : c.getSlices()) {
        assertEquals(2, s.getReplicas().size(), s.toString());
      }
    }

    // Another process with an empty data directory searches the same collection by text: the
    // model binding came from ZooKeeper, not from the first server's disk.
    Path searchLog = dir.resolve("search.log");
    Process search =
        bindery(
                searchLog,
                "search",
                "--data",
                dir.resolve("other-data").toString(),
                "--backend",
                "solrcloud",
                "--zk",
                solr.zkHost(),
                "-c",
                "notes",
                "--json",
                "text:\"the swedish flag\"")
            .start();
    assertTrue(search.waitFor(120, TimeUnit.SECONDS), "bindery search did not finish");
    String out = Files.readString(searchLog);
    assertEquals(0, search.exitValue(), out);
    assertTrue(out.contains("\"n4\""), out);
    int n4 = out.indexOf("\"n4\"");
    for (String other : List.of("\"n1\"", "\"n2\"", "\"n3\"")) {
      int i = out.indexOf(other);
      assertTrue(i < 0 || i > n4, "n4 ranks first: " + out);
    }
  }

  @Test
  void anUnreachableClusterIsAClearErrorAndExitCode() throws Exception {
    Path log = dir.resolve("unreachable.log");
    Process p =
        bindery(
                log,
                "search",
                "--data",
                dir.resolve("d").toString(),
                "--backend",
                "solrcloud",
                "--zk",
                "127.0.0.1:1/solr",
                "-c",
                "notes",
                "text:x")
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bindery search did not give up");
    String out = Files.readString(log);
    assertEquals(1, p.exitValue(), out);
    assertTrue(out.contains("cannot reach SolrCloud through ZooKeeper at 127.0.0.1:1/solr"), out);
  }

  private static final Pattern SERVING =
      Pattern.compile("Bindery is serving .* at (http://\\S+) \\(");

  /** Waits for the server's "serving" line and returns its base URI. */
  static URI awaitServing(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log)) {
        Matcher m = SERVING.matcher(line);
        if (m.find()) {
          return URI.create(m.group(1));
        }
      }
      if (!p.isAlive()) {
        fail("bindery serve exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
    fail("bindery serve did not start within 180 s:\n" + Files.readString(log));
    return null;
  }

  /** SIGTERM (the server's shutdown hook closes the backend), then waits. */
  static void stop(Process p) throws InterruptedException, IOException {
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      assertTrue(p.destroyForcibly().waitFor(60, TimeUnit.SECONDS), "SIGKILL did not end it");
    }
  }
}
