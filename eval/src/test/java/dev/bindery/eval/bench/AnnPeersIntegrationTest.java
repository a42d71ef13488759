package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.SyntheticVectors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench ann --dataset DIR --peers} end to end on a tiny dataset: the real peers.py with the
 * real hnswlib and FAISS through Debian's /usr/bin/python3. Skipped where python3-hnswlib /
 * python3-faiss are not installed (eval/bench-peers/install-peers.sh installs them); .ci/run
 * installs them too and fails on the skip, since this test is not on .ci/allowed-skips.txt. Timings
 * are reported, never asserted.
 */
class AnnPeersIntegrationTest {

  @TempDir Path dir;

  private Path tinyDataset() throws IOException {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    SyntheticVectors s = SyntheticVectors.clustered(3000, 32, 20, 7);
    NpyFormat.writeFloat32(data.resolve("base.npy"), s.vectors());
    NpyFormat.writeFloat32(data.resolve("queries.npy"), s.queries(80, 7));
    Files.writeString(
        data.resolve(AnnDataset.DESCRIPTION_FILE),
        "{\"text\": \"clustered test vectors\", \"model\": \"none\", \"packages\": {\"a\": \"1\"}}");
    return data;
  }

  @Test
  void peersAndBinderyRunSideBySideOnTheSameData() throws Exception {
    try {
      new PeerBenchmark(
              PeerBenchmark.DEFAULT_PYTHON,
              PeerBenchmark.extractScript(dir.resolve("check")),
              new PrintWriter(new StringWriter()))
          .check();
    } catch (PeerBenchmark.PeersUnavailableException e) {
      Assumptions.assumeTrue(false, "peers not installed here: " + e.getMessage());
    }
    Path data = tinyDataset();
    Path reports = dir.resolve("reports");
    BenchRun run =
        BenchRun.of(
            "ann",
            "--dataset",
            data.toString(),
            "--max-vectors",
            "2500",
            "--queries",
            "50",
            "--storage",
            "float32,int8",
            "--m",
            "8",
            "--ef-construction",
            "64",
            "--ef",
            "10,40,160",
            "--peers",
            "--report-dir",
            reports.toString(),
            "--work",
            dir.resolve("work").toString(),
            "--no-progress");
    System.out.println(run.out());
    assertEquals(0, run.exit(), run.err() + run.out());
    assertTrue(run.err().contains("hnswlib: building over 2500 vectors"), run.err());

    JsonNode json = new ObjectMapper().readTree(reports.resolve("ann-peers.json").toFile());
    assertEquals("clustered test vectors", json.path("dataset").path("text").asText());
    assertEquals(2500, json.path("dataset").path("count").asInt());
    assertEquals(50, json.path("dataset").path("query_count").asInt());
    List<String> names = json.path("engines").findValuesAsText("name");
    assertEquals(List.of("bindery float32", "bindery int8", "hnswlib", "faiss-hnsw"), names);
    for (JsonNode e : json.path("engines")) {
      String name = e.path("name").asText();
      assertEquals(2500, e.path("count").asInt(), name);
      assertEquals(3, e.path("runs").size(), name);
      JsonNode last = e.path("runs").get(2);
      assertEquals(160, last.path("ef").asInt(), name);
      // Same data, same ids, same truth: every engine is near-exact at ef 160 on 2,500 vectors.
      assertTrue(last.path("recall").asDouble() >= 0.95, name + " recall " + last);
      assertTrue(e.path("bytes_per_vector").asDouble() >= 4 * 32, name + " holds the vectors");
      assertTrue(last.path("cpu_qps").asDouble() > 0, name + " CPU-time QPS " + last);
      assertTrue(e.path("build_cpu_seconds").asDouble() > 0, name + " build CPU " + e);
    }
    assertTrue(json.path("peer_versions").path("hnswlib").asText().contains("hnswlib"));
    assertTrue(json.path("params").path("m").asInt() == 8);
    assertTrue(
        json.path("command").asText().startsWith("bin/bindery bench ann --dataset "),
        json.path("command").asText());
    assertTrue(json.path("command").asText().contains("--peers"));
    assertTrue(Files.size(reports.resolve("ann-peers-recall-qps.png")) > 0);
    assertTrue(Files.size(reports.resolve("ann-peers-build.png")) > 0);
    assertTrue(Files.size(reports.resolve("ann-peers-recall-cpu-qps.png")) > 0);
    assertTrue(Files.readString(reports.resolve("ann-peers.md")).contains("| hnswlib |"));

    // The exact neighbours are cached in the dataset folder and reused by the next run.
    try (Stream<Path> files = Files.list(data)) {
      assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("truth-")).count());
    }
    // Nothing of the peers' copies of the data is left in the work folder.
    assertFalse(Files.exists(dir.resolve("work/peers/base.npy")));
  }

  @Test
  void missingPeersStopBeforeAnyWorkAndNameTheInstallScript() throws Exception {
    Path data = tinyDataset();
    Path json = dir.resolve("out.json");
    BenchRun run =
        BenchRun.of(
            "ann",
            "--dataset",
            data.toString(),
            "--peers",
            "--python",
            dir.resolve("no-python").toString(),
            "--json",
            json.toString(),
            "--no-progress");
    assertEquals(3, run.exit(), run.err());
    assertTrue(run.err().contains("eval/bench-peers/install-peers.sh"), run.err());
    assertFalse(Files.exists(json), "no report for a run that did not happen");
    try (Stream<Path> files = Files.list(data)) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith("truth-")).count());
    }
  }
}
