package dev.bindery.eval.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.eval.regression.RegressionSpec.Expectation;
import dev.bindery.eval.regression.RegressionSpec.TaskType;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressionFileTest {

  private static final String SHA = "ab".repeat(32);
  private static final String GOOD =
      """
      name: tiny
      dataset:
        kind: imagefolder
        path: photos
        sha256: %s
        options: {limit: 5}
      model: classpath:/models/minilm-l6-v2
      index: {storage: int8, similarity: dot, m: 8, beam: 50, ef: 40, exact: true}
      tasks:
        - queries: class->image
          depth: 20
          metrics:
            recall@10: {expected: 0.5, tolerance: 0.1}
            MAP: {expected: 0.25}
        - type: classification
          prompt: "a photo of a {}"
          metrics:
            accuracy: {expected: 0.8, tolerance: 0.05}
      """
          .formatted(SHA);

  @TempDir Path tmp;

  @Test
  void readsEveryField() throws IOException {
    RegressionSpec spec = RegressionFile.read(write("r.yaml", GOOD));
    assertEquals("tiny", spec.name());
    assertEquals("imagefolder", spec.dataset().kind());
    assertEquals(tmp.toAbsolutePath().resolve("photos"), spec.dataset().path());
    assertEquals(SHA, spec.dataset().sha256());
    assertEquals(Map.of("limit", "5"), spec.dataset().options());
    assertEquals("classpath:/models/minilm-l6-v2", spec.model());
    assertEquals(
        new RegressionSpec.IndexSpec(VectorStorage.INT8, Similarity.DOT_PRODUCT, 8, 50, 40, true),
        spec.index());
    assertEquals(2, spec.tasks().size());
    RegressionSpec.TaskSpec t0 = spec.tasks().get(0);
    assertEquals(TaskType.RETRIEVAL, t0.type());
    assertEquals("class->image", t0.querySet());
    assertEquals(20, t0.depth());
    assertEquals(
        List.of(new Expectation("recall@10", 0.5, 0.1), new Expectation("map", 0.25, 0)),
        t0.expectations());
    RegressionSpec.TaskSpec t1 = spec.tasks().get(1);
    assertEquals(TaskType.CLASSIFICATION, t1.type());
    assertEquals(List.of("a photo of a {}"), t1.prompts());
    assertEquals("classification", t1.label());
  }

  @Test
  void defaultsAndTheCommittedFile() throws IOException {
    RegressionSpec spec =
        RegressionFile.read(
            write(
                "defaults.yaml",
                GOOD.replaceAll("(?m)^index:.*\\n", "").replace("name: tiny\n", "")));
    assertEquals("defaults", spec.name());
    assertEquals(VectorStorage.FLOAT32, spec.index().storage());
    assertEquals(Similarity.COSINE, spec.index().similarity());
    assertEquals(16, spec.index().m());

    RegressionSpec committed = RegressionFile.read(EvalCommandTest.PARAPHRASES);
    assertEquals("paraphrases-minilm", committed.name());
    assertEquals(
        DataChecksum.sha256(committed.dataset().path()),
        committed.dataset().sha256(),
        "the committed checksum matches the committed data");
  }

  @Test
  void mistakesNameTheFileAndTheKey() throws IOException {
    expect(
        GOOD.replace("  kind: imagefolder\n", "  kind: [imagefolder\n"), "malformed YAML at line");
    expect(GOOD + "name: twice\n", "malformed YAML", "Duplicate field 'name'");
    // a tab cannot indent YAML: the message points at the line with the tab
    expect("name: x\nmodel: m\n\tdataset: 1\n", "malformed YAML at line 3");
    expect(GOOD.replace("name: tiny", "nmae: tiny"), "nmae: unknown key; expected one of");
    expect(GOOD.replace("recall@10", "recal@10"), "tasks[0].metrics.recal@10", "unknown metric");
    expect(
        GOOD.replace("recall@10", "recall@50"),
        "tasks[0].metrics.recall@50",
        "deeper than the task's depth 20");
    expect(GOOD.replace("m: 8,", "m: 1,"), "index: m must be in 2..512, got 1");
    expect(GOOD.replace("storage: int8", "storage: int3"), "index: ", "int3");
    expect(GOOD.replace("ef: 40", "ef: forty"), "index.ef: expected an integer");
    expect(GOOD.replace("  kind: imagefolder\n", ""), "dataset.kind: missing");
    expect(GOOD.replace(SHA, "abc"), "dataset.sha256: expected 64 hex digits, got 'abc'");
    expect(GOOD.replace("a photo of a {}", "a photo"), "tasks[1].prompt: must contain {}");
    expect(
        GOOD.replace("type: classification", "type: captioning"),
        "tasks[1].type: unknown task type 'captioning'");
    expect(
        GOOD.replace("accuracy:", "recall@1:"), "tasks[1].metrics.recall@1", "expected accuracy");
    expect(
        GOOD.replace("{expected: 0.5, tolerance: 0.1}", "{expected: 0.5, tolerance: -1}"),
        "tolerance: must be >= 0");
    expect(
        GOOD.replace("{expected: 0.5, tolerance: 0.1}", "{expectd: 0.5}"),
        "recall@10.expectd: unknown key");
    expect(
        GOOD.replace("{expected: 0.5, tolerance: 0.1}", "0.5"),
        "recall@10: expected {expected: X, tolerance: Y}");
    expect(GOOD.substring(0, GOOD.indexOf("tasks:")), "tasks: expected a list");
    expect("- just\n- a list\n", "expected a mapping with name, dataset");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RegressionFile.read(tmp.resolve("x.yaml")));
    assertTrue(e.getMessage().contains("regression file not found"), e.getMessage());
  }

  @Test
  void checksumsOfFilesAndFolders() {
    Path fixtures = Path.of("src/test/resources/datasets");
    // sha256sum pairs/pairs.jsonl
    assertEquals(
        "073dd86a63d5fe695b74fb07941e939dd131372bd725a1f84bc8e21cfa71db38",
        DataChecksum.sha256(fixtures.resolve("pairs/pairs.jsonl")));
    // cd imagefolder && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum | sha256sum
    assertEquals(
        "28e006158a9244d5c503a222fe424de587a0ccc2619866b967f15e5f1ce9d036",
        DataChecksum.sha256(fixtures.resolve("imagefolder")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> DataChecksum.sha256(tmp.resolve("gone")));
    assertTrue(e.getMessage().contains("gone: no such file or folder"), e.getMessage());
  }

  private void expect(String yaml, String... parts) throws IOException {
    Path file = write("bad.yaml", yaml);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RegressionFile.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }
}
