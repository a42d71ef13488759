package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.SyntheticVectors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench ann --rounds} end to end on a tiny dataset with every real peer: native hnswlib
 * (compiled here by peers.py --build-native), JVector in-process, and Debian's Python hnswlib and
 * FAISS (peers.py --serve). Skipped (not failed) where g++, libhnswlib-dev or the Python peers are
 * missing; eval/bench-peers/install-peers.sh installs them. Timings are reported, never asserted:
 * the test checks that every engine answered every query well and the report has its ratios.
 */
class AnnRoundsIntegrationTest {

  @TempDir Path dir;

  @Test
  void everyEngineRunsInAlternatingRoundsOnTheSameData() throws Exception {
    Assumptions.assumeTrue(
        Files.isRegularFile(Path.of("/usr/include/hnswlib/hnswlib.h"))
            && Files.isExecutable(Path.of("/usr/bin/g++")),
        "libhnswlib-dev or g++ missing");
    try {
      new PeerBenchmark(
              PeerBenchmark.DEFAULT_PYTHON,
              PeerBenchmark.extractScript(dir.resolve("check")),
              new PrintWriter(new StringWriter()))
          .check();
    } catch (PeerBenchmark.PeersUnavailableException e) {
      Assumptions.assumeTrue(false, "peers not installed here: " + e.getMessage());
    }
    SyntheticVectors s = SyntheticVectors.clustered(1500, 32, 15, 11);
    Path base = dir.resolve("base.npy");
    Path queries = dir.resolve("queries.npy");
    NpyFormat.writeFloat32(base, s.vectors());
    NpyFormat.writeFloat32(queries, s.queries(40, 11));
    Path json = dir.resolve("rounds.json");

    CommandLine cl = BenchCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit =
        cl.execute(
            "ann",
            "--vectors",
            base.toString(),
            "--queries",
            queries.toString(),
            "--storage",
            "float32",
            "--ef",
            "10,40",
            "--rounds",
            "2",
            "--build-rounds",
            "1",
            "--warm-up",
            "1",
            "--engines",
            "bindery,bindery-flush,hnswlib-native,jvector,hnswlib,faiss-hnsw",
            "--work",
            dir.resolve("work").toString(),
            "--json",
            json.toString(),
            "--no-progress");
    assertEquals(0, exit, "stderr:\n" + err);
    System.out.println(out);

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode e : root.path("engines")) {
      names.add(e.path("name").asText());
      double recall = e.path("recall_by_ef").path("40").asDouble();
      assertTrue(recall >= 0.9, e.path("name").asText() + " recall@10 at ef 40: " + recall);
      assertEquals(2, e.path("qps_by_ef_per_round").path("40").size());
      assertEquals(1, e.path("builds").size());
      if (!e.path("name").asText().equals("bindery-float32")) {
        assertTrue(
            e.path("ratio_reference_over_engine_cpu_qps_at_target").path("n").asInt() > 0,
            e.toString());
      }
    }
    assertEquals(
        List.of(
            "bindery-float32",
            "bindery-float32-flush",
            "hnswlib-native",
            "hnswlib",
            "faiss-hnsw",
            "jvector"),
        names);
  }
}
