package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.SyntheticVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench ann} end to end on tiny data. Timings are reported, never asserted. */
class AnnBenchCommandTest {

  @TempDir Path dir;

  @Test
  void syntheticRunReportsEveryStorageAndReachesRecallFloor() throws IOException {
    Path json = dir.resolve("report.json");
    Path work = dir.resolve("work");
    String[] args = {
      "ann",
      "--synthetic",
      "2000",
      "--dim",
      "32",
      "--clusters",
      "20",
      "--queries",
      "200",
      "--storage",
      "float32,int8",
      "--ef",
      "10,50",
      "--json",
      json.toString(),
      "--work",
      work.toString(),
      "--no-progress"
    };
    BenchRun run = BenchRun.of(args);
    System.out.println(run.out()); // the table, for the surefire report
    System.out.println(Files.readString(json));
    assertEquals(0, run.exit(), run.err() + run.out());
    assertTrue(run.out().contains("float32"), run.out());
    assertTrue(run.out().contains("summary at recall >= 0.95"), run.out());

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("ann", root.path("benchmark").asText());
    JsonNode dataset = root.path("dataset");
    assertEquals("synthetic", dataset.path("source").asText());
    assertEquals(2000, dataset.path("count").asInt());
    assertEquals(32, dataset.path("dim").asInt());
    assertEquals(200, dataset.path("query_count").asInt());
    assertEquals(64, dataset.path("sha256").asText().length());
    for (String key : List.of("cores", "java_version", "os", "lucene_version")) {
      assertTrue(root.path("machine").has(key), "machine." + key + " in " + root.path("machine"));
    }
    assertEquals(10, root.path("params").path("k").asInt());
    assertFalse(root.path("ground_truth").path("cached").asBoolean());

    JsonNode storages = root.path("storages");
    assertEquals(List.of("float32", "int8"), iterableNames(storages));
    for (String storage : List.of("float32", "int8")) {
      JsonNode s = storages.path(storage);
      for (String key :
          List.of(
              "build_seconds",
              "build_docs_per_s",
              "merge_seconds",
              "index_bytes",
              "bytes_per_vector",
              "oversample",
              "segments",
              "segments_before_merge",
              "files_by_extension")) {
        assertTrue(s.has(key), storage + "." + key + " in " + s);
      }
      assertTrue(s.path("index_bytes").asLong() > 0, storage + " index_bytes " + s);
      assertEquals(1, s.path("segments").asInt(), storage + " was not merged to one segment");
      JsonNode runs = s.path("runs");
      assertEquals(2, runs.size());
      assertEquals(10, runs.get(0).path("ef").asInt());
      assertEquals(50, runs.get(1).path("ef").asInt());
      for (JsonNode r : runs) {
        for (String key :
            List.of("recall", "qps", "mean_visited", "p50_ms", "p99_ms", "strategies")) {
          assertTrue(r.has(key), storage + " run." + key + " in " + r);
        }
        double recall = r.path("recall").asDouble();
        assertTrue(recall >= 0 && recall <= 1, storage + " recall " + recall);
        assertTrue(r.path("mean_visited").asDouble() > 0, storage + " visited " + r);
      }
    }
    double topRecall = storages.path("float32").path("runs").get(1).path("recall").asDouble();
    assertTrue(topRecall >= 0.9, "float32 recall@10 at ef=50 is " + topRecall);

    JsonNode summary = root.path("summary");
    assertEquals("float32", summary.path("baseline").asText());
    JsonNode f32 = summary.path("storages").path("float32");
    assertTrue(f32.has("qps_at_recall_0.95"), summary.toString());
    assertTrue(f32.has("qps_ratio_vs_float32"), summary.toString());
    assertEquals(1.0, f32.path("bytes_ratio_vs_float32").asDouble(), 1e-9);
    assertTrue(summary.path("storages").path("int8").path("bytes_ratio_vs_float32").isNumber());

    // Indexes are scratch; the synthetic vectors and the ground truth stay cached for reruns.
    assertFalse(Files.exists(work.resolve("indexes")));
    try (var cached = Files.list(work.resolve("cache"))) {
      assertEquals(3, cached.count(), "base, queries and ground truth");
    }
    BenchRun again = BenchRun.of(args);
    assertEquals(0, again.exit(), again.err());
    assertTrue(
        new ObjectMapper().readTree(json.toFile()).path("ground_truth").path("cached").asBoolean());
  }

  @Test
  void filesRunReadsFvecsAndNpy() throws IOException {
    SyntheticVectors s = SyntheticVectors.clustered(600, 16, 8, 7);
    Path base = dir.resolve("base.fvecs");
    FvecsFormat.writeFvecs(base, s.vectors());
    Path queries = dir.resolve("queries.fvecs");
    FvecsFormat.writeFvecs(queries, s.queries(30, 7));
    Path json = dir.resolve("files.json");
    BenchRun run =
        BenchRun.of(
            "ann",
            "--vectors",
            base.toString(),
            "--queries",
            queries.toString(),
            "--max-vectors",
            "500",
            "--storage",
            "float32",
            "--ef",
            "40",
            "--k",
            "5",
            "--json",
            json.toString(),
            "--no-progress");
    assertEquals(0, run.exit(), run.err());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("files", root.path("dataset").path("source").asText());
    assertEquals(500, root.path("dataset").path("count").asInt());
    assertEquals(30, root.path("dataset").path("query_count").asInt());
    assertTrue(root.path("storages").path("int8").isMissingNode());
  }

  @Test
  void missingDataIsAUsageError() {
    BenchRun run = BenchRun.of("ann", "--storage", "float32");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--synthetic N"), run.err());
  }

  @Test
  void unknownStorageAndEfBelowKAreUsageErrors() {
    BenchRun storage = BenchRun.of("ann", "--synthetic", "100", "--storage", "float32,int3");
    assertEquals(2, storage.exit());
    assertTrue(storage.err().contains("unknown vector storage 'int3'"), storage.err());
    BenchRun ef = BenchRun.of("ann", "--synthetic", "100", "--ef", "5", "--k", "10");
    assertEquals(2, ef.exit());
    assertTrue(ef.err().contains("every ef must be in k..") && ef.err().contains("[5]"), ef.err());
  }

  @Test
  void unreadableVectorFileFailsWithTheFileName() throws IOException {
    Path bad = dir.resolve("bad.fvecs");
    Files.write(bad, new byte[] {4, 0, 0, 0, 1});
    BenchRun run = BenchRun.of("ann", "--vectors", bad.toString(), "--queries", bad.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("bad.fvecs: record 0: dimension 4 needs more bytes"), run.err());
  }

  private static List<String> iterableNames(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
