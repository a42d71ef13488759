package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.eval.bench.AnnReport.EfRun;
import dev.bindery.eval.bench.AnnReport.StorageResult;
import dev.bindery.eval.bench.EngineResult.Clock;
import dev.bindery.indexer.VectorStorage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The side-by-side report: ratios, Markdown, JSON and PNG plots from known figures. */
class AnnComparisonTest {

  @TempDir Path dir;

  private static EfRun efRun(int ef, double recall, double qps) {
    // CPU-time QPS is set to twice the elapsed QPS, so the two clocks are told apart.
    return new EfRun(
        ef, recall, qps, 2 * qps, 100, 0, 1000 / qps, 2000 / qps, 1, Map.of("APPROXIMATE", 10));
  }

  private static AnnReport binderyReport() {
    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("source", "dataset");
    dataset.put("text", "MiniLM embeddings of test sentences");
    dataset.put("count", 1000);
    dataset.put("dim", 8);
    dataset.put("query_count", 10);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("similarity", "cosine");
    params.put("m", 16);
    params.put("beam_width", 100);
    params.put("ef", List.of(10, 20, 40));
    params.put("k", 10);
    params.put("build_threads", 1);
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", 2);
    machine.put("cpu", "test cpu");
    machine.put("lucene_version", "10.6.0");
    StorageResult f32 =
        new StorageResult(
            VectorStorage.FLOAT32,
            1f,
            1000,
            8.0,
            3,
            2.0,
            7.0,
            1.5,
            3_000_000,
            Map.of("vec", 2_000_000L, "vex", 500_000L, "fdt", 500_000L),
            List.of(efRun(10, 0.80, 4000), efRun(20, 0.90, 2000), efRun(40, 1.0, 1000)));
    StorageResult binary =
        new StorageResult(
            VectorStorage.BINARY,
            5f,
            1000,
            9.0,
            3,
            3.0,
            8.0,
            2.0,
            3_200_000,
            Map.of("vec", 2_000_000L, "veq", 100_000L, "vex", 500_000L, "fdt", 600_000L),
            List.of(efRun(10, 0.60, 3000), efRun(20, 0.70, 1500), efRun(40, 0.80, 800)));
    return new AnnReport(dataset, params, machine, 0.5, false, 0.95, List.of(f32, binary));
  }

  private static EngineResult peer(
      String name, double buildSeconds, double qpsAt90, double qpsAt1) {
    return new EngineResult(
        name,
        "debian " + name + " 1.0",
        1000,
        buildSeconds,
        buildSeconds / 2,
        1,
        "1 thread",
        2_600_000,
        2_600_000,
        List.of(
            new EngineResult.Run(10, 0.85, qpsAt90 * 2, qpsAt90 * 2, 0.1, 0.2, 9000),
            new EngineResult.Run(20, 0.90, qpsAt90, qpsAt90, 0.2, 0.4, 8000),
            new EngineResult.Run(40, 1.0, qpsAt1, qpsAt1, 0.4, 0.8, 4000)));
  }

  private static AnnComparison comparison() {
    return AnnComparison.of(
        binderyReport(),
        List.of(peer("hnswlib", 5.0, 4000, 1000), peer("faiss-hnsw", 20.0, 3000, 750)),
        Map.of("python", "3.11", "hnswlib", "debian python3-hnswlib 0.6.2"),
        "bin/bindery bench ann --dataset /d --peers");
  }

  @Test
  void ratiosAreReadOffEachCurveAtTheTarget() {
    AnnComparison c = comparison();
    // Bindery float32: 0.90 -> 2000, 1.0 -> 1000, so 0.95 -> sqrt(2e6); hnswlib: sqrt(4e6).
    double bindery = Math.sqrt(2000.0 * 1000.0);
    double hnswlib = Math.sqrt(4000.0 * 1000.0);
    assertEquals(bindery / hnswlib, c.qpsRatio(Clock.WALL).orElseThrow(), 1e-9);
    // In CPU time Bindery's QPS doubles (see efRun) and hnswlib's stays: the ratio doubles.
    assertEquals(2 * bindery / hnswlib, c.qpsRatio(Clock.CPU).orElseThrow(), 1e-9);
    // Bindery's build time is ingest (8 s) plus the merge to one segment (2 s); in CPU time
    // 7 + 1.5 s against hnswlib's 2.5 s.
    assertEquals(10.0 / 5.0, c.buildTimeRatio(Clock.WALL).orElseThrow(), 1e-12);
    assertEquals(8.5 / 2.5, c.buildTimeRatio(Clock.CPU).orElseThrow(), 1e-12);
    EngineResult f32 = c.engine("bindery float32").orElseThrow();
    assertEquals(10.0, f32.buildSeconds());
    assertEquals(8.5, f32.buildCpuSeconds());
    assertEquals(2500.0, f32.searchBytesPerVector()); // vec + vex
    assertEquals(3000.0, f32.bytesPerVector());
    EngineResult bin = c.engine("bindery binary+rescore").orElseThrow();
    assertEquals(600.0, bin.searchBytesPerVector()); // veq + vex
    assertTrue(c.atTarget(bin, Clock.WALL).isEmpty(), "binary never reaches 0.95 here");
    assertEquals(
        List.of("bindery float32", "bindery binary+rescore", "hnswlib", "faiss-hnsw"),
        c.engines().stream().map(EngineResult::name).toList());
  }

  @Test
  void withoutHnswlibTheRatiosAreAbsent() {
    AnnComparison c = AnnComparison.of(binderyReport(), List.of(), Map.of(), "cmd");
    assertTrue(c.qpsRatio(Clock.WALL).isEmpty());
    assertTrue(c.buildTimeRatio(Clock.CPU).isEmpty());
    JsonNode json = c.toJson(new ObjectMapper());
    assertTrue(json.path("summary").path("qps_ratio_at_recall_0.95").isNull());
    assertTrue(json.path("summary").path("build_time_ratio").isNull());
  }

  @Test
  void writesMarkdownJsonAndValidPngs() throws IOException {
    AnnComparison c = comparison();
    AnnComparison.ReportFiles files = c.writeAll(dir.resolve("out"), "ann-peers");

    for (Path png : List.of(files.recallPng(), files.recallCpuPng(), files.buildPng())) {
      byte[] bytes = Files.readAllBytes(png);
      assertTrue(bytes.length > 1000, png + " has " + bytes.length + " bytes");
      assertArrayEquals(
          new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
          Arrays.copyOf(bytes, 8),
          png + " starts with the PNG signature");
      BufferedImage img = ImageIO.read(png.toFile());
      assertEquals(960, img.getWidth(), png.toString());
      assertEquals(600, img.getHeight(), png.toString());
      assertFalse(isBlank(img), png + " has something drawn on it");
    }

    String md = Files.readString(files.markdown());
    assertTrue(md.contains("bin/bindery bench ann --dataset /d --peers"), "command in the report");
    assertTrue(md.contains("![recall vs QPS](ann-peers-recall-qps.png)"), md);
    assertTrue(md.contains("![build time](ann-peers-build.png)"), md);
    assertTrue(md.contains("![recall vs CPU QPS](ann-peers-recall-cpu-qps.png)"), md);
    assertTrue(md.contains("MiniLM embeddings of test sentences"), md);
    String ratio = String.format(java.util.Locale.ROOT, "%.2f", Math.sqrt(2e6) / Math.sqrt(4e6));
    String cpuRatio =
        String.format(java.util.Locale.ROOT, "%.2f", 2 * Math.sqrt(2e6) / Math.sqrt(4e6));
    assertTrue(
        md.contains("| " + ratio + " | " + cpuRatio + " |"),
        "QPS ratios " + ratio + ", " + cpuRatio + " in\n" + md);
    assertTrue(md.contains("| 2.00 | 3.40 |"), "build time ratios in\n" + md);
    assertTrue(md.contains("not reached"), "binary's missing target is said: " + md);
    for (String engine : List.of("bindery float32", "hnswlib", "faiss-hnsw")) {
      assertTrue(md.contains("| " + engine + " |"), engine + " row in\n" + md);
    }

    JsonNode json = new ObjectMapper().readTree(files.json().toFile());
    assertEquals("ann-peers", json.path("benchmark").asText());
    assertEquals(
        c.qpsRatio(Clock.WALL).orElseThrow(),
        json.path("summary").path("qps_ratio_at_recall_0.95").asDouble(),
        1e-12);
    assertEquals(
        c.qpsRatio(Clock.CPU).orElseThrow(),
        json.path("summary").path("cpu_qps_ratio_at_recall_0.95").asDouble(),
        1e-12);
    assertEquals(3.4, json.path("summary").path("cpu_build_time_ratio").asDouble(), 1e-12);
    assertEquals(2.0, json.path("summary").path("build_time_ratio").asDouble(), 1e-12);
    assertEquals(0.5, json.path("summary").path("build_speed_ratio").asDouble(), 1e-12);
    JsonNode hnsw = json.path("engines").get(2);
    assertEquals("hnswlib", hnsw.path("name").asText());
    assertEquals("interpolated", hnsw.path("qps_at_recall_0.95").path("method").asText());
    assertEquals(20, hnsw.path("qps_at_recall_0.95").path("below").path("ef").asInt());
    assertEquals(8000, hnsw.path("runs").get(1).path("batch_qps").asDouble());
    assertEquals(2, json.path("bindery").path("storages").size(), "full Bindery report inside");

    try (Stream<Path> left = Files.list(dir.resolve("out"))) {
      assertEquals(
          List.of(
              "ann-peers-build.png",
              "ann-peers-recall-cpu-qps.png",
              "ann-peers-recall-qps.png",
              "ann-peers.json",
              "ann-peers.md"),
          left.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary files left");
    }
  }

  @Test
  void badReportNamesAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> comparison().writeAll(dir, "../escape"));
    assertTrue(e.getMessage().contains("../escape"), e.getMessage());
  }

  private static boolean isBlank(BufferedImage img) {
    int first = img.getRGB(0, 0);
    for (int y = 0; y < img.getHeight(); y += 7) {
      for (int x = 0; x < img.getWidth(); x += 7) {
        if (img.getRGB(x, y) != first) {
          return false;
        }
      }
    }
    return true;
  }
}
