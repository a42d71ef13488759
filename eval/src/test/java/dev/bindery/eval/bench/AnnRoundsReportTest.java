package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.VectorStorage;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench ann --rounds --report-dir} with Bindery's own engines only (no peer needed): the
 * parallel build's engine beside the single-thread one, a quantized storage, the report's files,
 * and what a query reads. Timings are reported, never asserted.
 */
class AnnRoundsReportTest {

  @TempDir Path dir;

  @Test
  void parallelBuildAndQuantizedStorageGetTheirRowsPlotsAndCosts() throws Exception {
    Path report = dir.resolve("report");
    BenchRun r =
        BenchRun.of(
            "ann",
            "--synthetic",
            "2000",
            "--dim",
            "32",
            "--clusters",
            "20",
            "--queries",
            "60",
            "--storage",
            "float32,int4",
            "--ef",
            "10,40",
            "--rounds",
            "2",
            "--build-rounds",
            "1",
            "--warm-up",
            "1",
            "--batch",
            "100",
            "--engines",
            "bindery,bindery-parallel",
            "--work",
            dir.resolve("work").toString(),
            "--report-dir",
            report.toString(),
            "--report-name",
            "t",
            "--no-progress");
    assertEquals(0, r.exit(), "stderr:\n" + r.err());

    JsonNode root = new ObjectMapper().readTree(report.resolve("t.json").toFile());
    List<String> names = new ArrayList<>();
    double singleRecall = Double.NaN;
    for (JsonNode e : root.path("engines")) {
      String name = e.path("name").asText();
      names.add(name);
      double recall = e.path("recall_by_ef").path("40").asDouble();
      assertTrue(recall >= 0.9, name + " recall@10 at ef 40: " + recall);
      if (name.equals("bindery-float32")) {
        singleRecall = recall;
      }
      if (name.equals("bindery-float32-t2")) {
        // Two graphs built in parallel and merged answer as well as one built on one thread.
        assertTrue(Math.abs(recall - singleRecall) <= 0.05, recall + " vs " + singleRecall);
      }
      JsonNode cost = e.path("per_query_cost_by_ef").path("40");
      assertTrue(cost.path("visited").asDouble() > 0, name + ": " + cost);
      int bytesPerVisit =
          BinderyRoundEngine.storedVectorBytes(
              name.contains("int4") ? VectorStorage.INT4 : VectorStorage.FLOAT32, 32);
      double expected =
          cost.path("visited").asDouble() * bytesPerVisit
              + cost.path("rescored").asDouble() * 4 * 32;
      assertEquals(expected, cost.path("vectorBytes").asDouble(), 1e-6, name);
      if (name.contains("int4")) {
        assertTrue(cost.path("rescored").asDouble() > 0, name + " rescores: " + cost);
      } else {
        assertEquals(0.0, cost.path("rescored").asDouble(), name);
      }
    }
    assertEquals(List.of("bindery-float32", "bindery-int4", "bindery-float32-t2"), names);
    assertTrue(root.path("load_average_at_start").isTextual(), root.toString());
    assertTrue(root.path("load_average_at_end").isTextual(), root.toString());

    String md = Files.readString(report.resolve("t.md"));
    for (String row :
        List.of(
            "| bindery-int4 | ",
            "| bindery-float32-t2 | 2 |",
            "| bindery-float32-t2 | 40 |",
            "![recall vs QPS](t-recall-qps.png)",
            "- load average: **")) {
      assertTrue(md.contains(row), "report lacks '" + row + "':\n" + md);
    }
    for (String png : List.of("t-recall-qps.png", "t-recall-cpu-qps.png", "t-build.png")) {
      BufferedImage image = ImageIO.read(report.resolve(png).toFile());
      assertNotNull(image, png + " is not an image");
      assertTrue(image.getWidth() > 100 && image.getHeight() > 100, png);
    }
    try (var files = Files.list(report)) {
      assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "temporary files left");
    }
  }

  @Test
  void parallelEnginesNeedTheReferenceAndTwoThreads() {
    BenchRun r =
        BenchRun.of(
            "ann",
            "--synthetic",
            "200",
            "--dim",
            "8",
            "--rounds",
            "1",
            "--engines",
            "bindery-parallel",
            "--work",
            dir.resolve("w").toString(),
            "--no-progress");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--engines must include bindery, the reference"), r.err());
  }

  @Test
  void storedVectorBytesFollowTheCodes() {
    assertEquals(1536, BinderyRoundEngine.storedVectorBytes(VectorStorage.FLOAT32, 384));
    assertEquals(384 + 16, BinderyRoundEngine.storedVectorBytes(VectorStorage.INT8, 384));
    assertEquals(384 + 16, BinderyRoundEngine.storedVectorBytes(VectorStorage.INT7, 384));
    assertEquals(192 + 16, BinderyRoundEngine.storedVectorBytes(VectorStorage.INT4, 384));
    assertEquals(96 + 16, BinderyRoundEngine.storedVectorBytes(VectorStorage.INT2, 384));
    assertEquals(48 + 16, BinderyRoundEngine.storedVectorBytes(VectorStorage.BINARY, 384));
    assertEquals(1 + 16, BinderyRoundEngine.storedVectorBytes(VectorStorage.BINARY, 3));
  }
}
