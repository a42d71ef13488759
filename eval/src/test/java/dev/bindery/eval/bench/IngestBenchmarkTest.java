package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench ingest} on a handful of demo images with the default model: the report's fields and
 * their consistency (no timing is asserted: benchmarks are not tests).
 */
class IngestBenchmarkTest {
  private static final Path DEMO_FOOD =
      Path.of("..", "models", "bindery-mini", "demo", "images", "food");

  @TempDir Path dir;

  @Test
  void reportsRoundsRatiosStagesAndLoadForEachThreadCount() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images/sub"));
    List<Path> demo;
    try (Stream<Path> s = Files.walk(DEMO_FOOD)) {
      demo = s.filter(Files::isRegularFile).sorted().limit(6).toList();
    }
    for (Path p : demo) {
      Files.copy(p, images.resolve(p.getFileName()));
    }
    Path json = dir.resolve("out/ingest.json");
    StringWriter out = new StringWriter();
    var cl = BenchCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    int code =
        cl.execute(
            "ingest",
            "--images",
            images.getParent().toString(),
            "--threads",
            "1,2",
            "--batch",
            "4",
            "--rounds",
            "2",
            "--no-progress",
            "--json",
            json.toString());
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains("tower alone"), out.toString());

    JsonNode r = new ObjectMapper().readTree(json.toFile());
    assertEquals(6, r.get("images").asInt());
    assertEquals(4, r.get("batch").asInt());
    assertEquals(2, r.get("rounds").asInt());
    assertTrue(r.get("load_start").asText().contains("min"), r.toString());
    assertTrue(r.has("load_end"));
    assertEquals(2, r.get("tower").get("rounds").size());
    for (JsonNode t : r.get("tower").get("rounds")) {
      assertTrue(t.get("images_per_s").asDouble() > 0, t.toString());
    }
    assertEquals(2, r.get("ingest").size());
    assertEquals(1, r.get("ingest").get(0).get("threads").asInt());
    assertEquals(2, r.get("ingest").get(1).get("threads").asInt());
    for (JsonNode cell : r.get("ingest")) {
      assertEquals(2, cell.get("rounds").size());
      double lo = cell.get("ratio_min").asDouble();
      double hi = cell.get("ratio_max").asDouble();
      double mid = cell.get("ratio_median").asDouble();
      assertTrue(lo > 0 && lo <= mid + 1e-9 && mid <= hi + 1e-9, cell.toString());
      for (JsonNode round : cell.get("rounds")) {
        assertEquals(6, round.get("added").asInt(), "each round ingests into a fresh collection");
        assertEquals(0, round.get("skipped").asInt(), round.toString());
        assertTrue(round.get("cpu_ms").asDouble() > 0, round.toString());
        for (String stage : List.of("read", "decode", "tower", "write", "commit", "graph")) {
          assertTrue(round.get("stages").has(stage), stage + " in " + round);
        }
        // As bindery index does, the load ends with its graph build, which the wall time counts.
        double graph = round.get("stages").get("graph").get("wall_ms").asDouble();
        assertTrue(graph > 0 && graph <= round.get("wall_ms").asDouble(), round.toString());
        assertTrue(round.get("stages").get("tower").get("wall_ms").asDouble() > 0);
      }
    }
  }
}
