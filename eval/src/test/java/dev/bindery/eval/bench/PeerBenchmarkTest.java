package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.Similarity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON exchanged with peers.py: requests as the script reads them, responses checked. */
class PeerBenchmarkTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static PeerBenchmark.Request request(List<String> engines) {
    return new PeerBenchmark.Request(
        Path.of("/data/base.npy"),
        Path.of("/data/queries.npy"),
        Similarity.COSINE,
        16,
        100,
        List.of(10, 40),
        2,
        engines,
        1);
  }

  // Three queries, k=2; exact neighbours per query.
  private static final int[][] TRUTH = {{0, 1}, {2, 3}, {4, 5}};

  /** A well-formed response; ef 10 finds 1 + 2 + 0 of 6 neighbours, ef 40 all six. */
  private static ObjectNode response() {
    ObjectNode root = JSON.createObjectNode();
    root.put("protocol", 1);
    root.put("count", 6);
    root.put("dim", 4);
    root.put("query_count", 3);
    root.putObject("versions").put("hnswlib", "debian python3-hnswlib 0.6.2").put("python", "3.11");
    ObjectNode e = root.putArray("engines").addObject();
    e.put("name", "hnswlib");
    e.put("version", "debian python3-hnswlib 0.6.2");
    e.put("build_seconds", 1.5);
    e.put("build_cpu_seconds", 1.4);
    e.put("build_threads", 1);
    e.put("index_bytes", 6000);
    e.putObject("params").put("M", 16);
    ArrayNode runs = e.putArray("runs");
    addRun(runs, 10, new int[][] {{1, 5}, {3, 2}, {0, -1}}, 900.0);
    addRun(runs, 40, new int[][] {{0, 1}, {3, 2}, {5, 4}}, 400.0);
    return root;
  }

  private static void addRun(ArrayNode runs, int ef, int[][] ids, double qps) {
    ObjectNode r = runs.addObject();
    r.put("ef", ef);
    r.put("qps", qps);
    r.put("cpu_qps", qps * 1.1);
    r.put("batch_qps", qps * 1.2);
    r.put("p50_ms", 1000 / qps);
    r.put("p99_ms", 2000 / qps);
    r.set("ids", JSON.valueToTree(ids));
  }

  @Test
  void requestCarriesWhatPeersPyReads() {
    JsonNode r = request(List.of("hnswlib", "faiss-hnsw")).toJson(JSON);
    assertEquals(1, r.path("protocol").asInt());
    assertEquals("/data/base.npy", r.path("base").asText());
    assertEquals("cosine", r.path("metric").asText());
    assertEquals(16, r.path("m").asInt());
    assertEquals(100, r.path("ef_construction").asInt());
    assertEquals("[10,40]", r.path("efs").toString());
    assertEquals(2, r.path("k").asInt());
    assertEquals("[\"hnswlib\",\"faiss-hnsw\"]", r.path("engines").toString());
    assertEquals(1, r.path("build_threads").asInt());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> request(List.of("annoy")));
    assertTrue(
        e.getMessage().contains("annoy") && e.getMessage().contains("hnswlib"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> request(List.of()));
    assertThrows(IllegalArgumentException.class, () -> request(List.of("hnswlib", "hnswlib")));
  }

  @Test
  void responseIsScoredAgainstTheTruth() {
    PeerBenchmark.Results r =
        PeerBenchmark.parseResponse(response(), request(List.of("hnswlib")), 3, TRUTH);
    assertEquals("3.11", r.versions().get("python"));
    EngineResult e = r.engines().getFirst();
    assertEquals("hnswlib", e.name());
    assertEquals(6, e.count());
    assertEquals(1.5, e.buildSeconds());
    assertEquals(1.4, e.buildCpuSeconds());
    assertEquals(1, e.buildThreads());
    assertEquals(1000.0, e.bytesPerVector());
    assertEquals(2, e.runs().size());
    // ef 10: query 0 finds 1 of {0,1}, query 1 both of {2,3}, query 2 none (0 and an empty slot).
    assertEquals((0.5 + 1.0 + 0.0) / 3, e.runs().get(0).recall(), 1e-12);
    assertEquals(900.0, e.runs().get(0).qps());
    assertEquals(990.0, e.runs().get(0).cpuQps(), 1e-9);
    assertEquals(1080.0, e.runs().get(0).batchQps(), 1e-9);
    assertEquals(1.0, e.runs().get(1).recall(), 1e-12);
    assertEquals(40, e.runs().get(1).ef());
  }

  private static void assertRejected(Consumer<ObjectNode> breakIt, String... expectedInMessage) {
    ObjectNode r = response();
    breakIt.accept(r);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> PeerBenchmark.parseResponse(r, request(List.of("hnswlib")), 3, TRUTH));
    for (String s : expectedInMessage) {
      assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
    }
  }

  private static ObjectNode engine(ObjectNode r) {
    return (ObjectNode) r.path("engines").get(0);
  }

  private static ObjectNode run(ObjectNode r, int i) {
    return (ObjectNode) engine(r).path("runs").get(i);
  }

  @Test
  void brokenResponsesNameWhatIsWrong() {
    assertRejected(r -> r.put("protocol", 2), "protocol");
    assertRejected(r -> r.put("query_count", 4), "4 queries", "expected 3");
    assertRejected(r -> r.remove("count"), "'count'");
    assertRejected(r -> engine(r).put("name", "faiss-hnsw"), "no engine 'hnswlib'");
    assertRejected(r -> ((ArrayNode) engine(r).path("runs")).remove(1), "no run at ef=40");
    assertRejected(r -> ((ArrayNode) run(r, 0).path("ids")).remove(2), "ef=10", "3 rows");
    assertRejected(
        r -> ((ArrayNode) run(r, 1).path("ids").get(1)).add(7), "ef=40", "query 1", "expected 2");
    assertRejected(
        r -> ((ArrayNode) run(r, 1).path("ids").get(0)).set(0, IntNode.valueOf(6)), "id 6", "0..5");
    assertRejected(
        r -> ((ArrayNode) run(r, 1).path("ids").get(0)).set(0, IntNode.valueOf(-2)), "id -2");
    assertRejected(r -> run(r, 0).put("qps", "fast"), "'qps'");
    assertRejected(r -> run(r, 0).remove("p99_ms"), "'p99_ms'");
    assertRejected(r -> engine(r).put("index_bytes", 0), "index_bytes");
    assertRejected(r -> engine(r).remove("build_seconds"), "'build_seconds'");
    assertRejected(r -> engine(r).remove("build_cpu_seconds"), "'build_cpu_seconds'");
    assertRejected(r -> run(r, 1).remove("cpu_qps"), "ef=40", "'cpu_qps'");
  }

  @Test
  void missingPythonIsReportedWithTheInstallScript() throws Exception {
    Path script = PeerBenchmark.extractScript(dir);
    assertTrue(Files.readString(script).contains("def run_hnswlib"), "bundled peers.py");
    PeerBenchmark p =
        new PeerBenchmark(
            dir.resolve("no-such-python"), script, new PrintWriter(new StringWriter()));
    PeerBenchmark.PeersUnavailableException e =
        assertThrows(PeerBenchmark.PeersUnavailableException.class, p::check);
    assertTrue(e.getMessage().contains("install-peers.sh"), e.getMessage());
    assertTrue(e.getMessage().contains("no-such-python"), e.getMessage());
  }
}
