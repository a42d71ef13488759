package dev.bindery.eval.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.server.cli.BinderyCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bindery eval} end to end on the committed CI regression (the real MiniLM text tower). */
class EvalCommandTest {

  static final Path REGRESSIONS = Path.of("regressions");
  static final Path PARAPHRASES = REGRESSIONS.resolve("paraphrases-minilm.yaml");

  @TempDir Path tmp;

  /** A run of the bindery command line: exit code, stdout, stderr. */
  record Run(int exit, String out, String err) {}

  static Run bindery(String... args) {
    CommandLine cl =
        BinderyCli.commandLine(Map.of(), Thread.currentThread().getContextClassLoader());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void committedRegressionsPassAndWriteJsonAndMarkdown() throws IOException {
    Path json = tmp.resolve("out/report.json");
    Run run = bindery("eval", REGRESSIONS.toString(), "--json", json.toString());
    System.out.println(run.out());
    assertEquals(0, run.exit(), run.out() + run.err());
    String md = Files.readString(tmp.resolve("out/report.md"), StandardCharsets.UTF_8);
    assertTrue(md.startsWith("# Bindery eval report"), md);
    assertTrue(md.contains("## paraphrases-minilm: PASS"), md);
    assertTrue(md.contains("## bindery-mini-openclipart: PASS"), md);
    assertTrue(md.contains("## bindery-mini-tuxpaint: PASS"), md);
    assertTrue(md.contains("## bindery-mini-emoji: PASS"), md);
    assertTrue(md.contains("## bindery-mini-everyday-words: PASS"), md);
    assertTrue(md.contains("| word->image | success@5 |"), md);
    assertTrue(md.contains("| text->image | recall@10 |"), md);
    assertTrue(md.contains("| a->b | recall@1 |"), md);
    assertTrue(md.contains("| b->a | mrr |"), md);
    assertFalse(md.contains("FAIL"), md);
    assertTrue(run.out().contains("5 of 5 regressions passed."), run.out());
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertTrue(report.get("passed").asBoolean());
    JsonNode reg = null;
    for (JsonNode r : report.get("regressions")) {
      if (r.get("name").asText().equals("paraphrases-minilm")) {
        reg = r;
      }
    }
    assertTrue(reg != null, report.toString());
    assertEquals(80, reg.get("queries").asInt());
    assertEquals(6, reg.get("metrics").size());
    for (JsonNode m : reg.get("metrics")) {
      assertTrue(m.get("passed").asBoolean(), m.toString());
      assertTrue(
          Math.abs(m.get("actual").asDouble() - m.get("expected").asDouble())
              <= m.get("tolerance").asDouble() + 1e-9,
          m.toString());
    }
  }

  @Test
  void aMetricOutOfToleranceFailsWithExitOneAndSaysWhich() throws IOException {
    Path yaml =
        copyWith(
            "regression-too-good.yaml",
            s -> s.replaceFirst("recall@5: \\{expected: [0-9.]+", "recall@5: {expected: 0.5"));
    Path md = tmp.resolve("r.md");
    Run run = bindery("eval", yaml.toString(), "--markdown", md.toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    String report = Files.readString(md, StandardCharsets.UTF_8);
    assertTrue(report.contains("## paraphrases-minilm: FAIL"), report);
    assertTrue(report.contains("0 of 1 regressions passed."), report);
    assertTrue(
        report
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("| a->b | recall@5 |")
                        && l.contains("| 0.5000 |")
                        && l.endsWith("| **FAIL** |")),
        report);
    assertTrue(
        report.lines().anyMatch(l -> l.startsWith("| a->b | recall@1 |") && l.endsWith("| pass |")),
        report);
    assertTrue(run.err().contains("a->b recall@5"), run.err());
    assertTrue(run.err().contains("expected 0.5000 +- 0.0300"), run.err());
  }

  @Test
  void checksumMismatchIsAnErrorNamingBothSums() throws IOException {
    Path yaml =
        copyWith(
            "sum.yaml", s -> s.replaceFirst("sha256: [0-9a-f]+", "sha256: " + "ab".repeat(32)));
    Run run = bindery("eval", yaml.toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.err().contains("checksum mismatch for"), run.err());
    assertTrue(run.err().contains("paraphrases.jsonl"), run.err());
    assertTrue(run.err().contains("expected sha256 " + "ab".repeat(32)), run.err());
    assertTrue(run.err().contains("update dataset.sha256 in"), run.err());
    assertTrue(run.out().contains("## paraphrases-minilm: ERROR"), run.out());
  }

  @Test
  void missingDatasetSaysHowToGetIt() throws IOException {
    Path yaml =
        copyWith(
            "fm.yaml",
            s ->
                s.replace("kind: jsonl-pairs", "kind: fashion-mnist")
                    .replace("data/paraphrases.jsonl", "no-such-fashion-mnist"));
    Run run = bindery("eval", yaml.toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.err().contains("Fashion-MNIST folder not found"), run.err());
    assertTrue(run.err().contains("apt-get install dataset-fashion-mnist"), run.err());
  }

  @Test
  void usageErrorsExitTwo() throws IOException {
    Run none = bindery("eval");
    assertEquals(2, none.exit());
    assertTrue(none.err().contains("FILE|DIR"), none.err());

    Run missing = bindery("eval", tmp.resolve("nope.yaml").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("no such regression file or folder"), missing.err());

    Run empty = bindery("eval", tmp.toString());
    assertEquals(2, empty.exit());
    assertTrue(empty.err().contains("holds no regression files"), empty.err());

    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "name: x\ndataset:\n  kind: [unclosed\n");
    Run malformed = bindery("eval", bad.toString());
    assertEquals(2, malformed.exit());
    assertTrue(malformed.err().contains("bad.yaml: malformed YAML at line"), malformed.err());

    Path kind = copyWith("kind.yaml", s -> s.replace("kind: jsonl-pairs", "kind: coco"));
    Run unknownKind = bindery("eval", kind.toString());
    assertEquals(1, unknownKind.exit(), unknownKind.err());
    assertTrue(unknownKind.err().contains("unknown dataset kind 'coco'"), unknownKind.err());
  }

  private Path copyWith(String name, java.util.function.UnaryOperator<String> edit)
      throws IOException {
    // same folder layout as the original, so the dataset path still resolves
    Path dir = tmp.resolve("regs");
    Files.createDirectories(dir.resolve("data"));
    Files.copy(
        REGRESSIONS.resolve("data/paraphrases.jsonl"),
        dir.resolve("data/paraphrases.jsonl"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path out = dir.resolve(name);
    Files.writeString(out, edit.apply(Files.readString(PARAPHRASES, StandardCharsets.UTF_8)));
    return out;
  }
}
