package dev.bindery.eval.vqa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.bindery.eval.metrics.VqaAnswerNormalizer;
import dev.bindery.eval.regression.DataChecksum;
import dev.bindery.generator.rag.ExtractiveAnswerer;
import dev.bindery.generator.rag.RagOptions;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pictured-item VQA evaluation with the offline extractive answerer and bindery-mini: on a
 * small manifest drawn in the test (checked question by question against a naive rescoring), and on
 * the openclipart test split that ships as the demo collection, whose accuracies are pinned with a
 * tolerance in eval/regressions/vqa/bindery-mini-openclipart-vqa.yaml (the figures of
 * docs/generator.md).
 */
class PicturedItemVqaTest {
  private static final Path MODEL = Path.of("..", "models", "bindery-mini").toAbsolutePath();
  private static final Path DEMO =
      Path.of("..", "models", "bindery-mini", "demo", "tests", "openclipart.jsonl")
          .toAbsolutePath();
  private static final Path PINNED =
      Path.of("regressions", "vqa", "bindery-mini-openclipart-vqa.yaml").toAbsolutePath();

  @TempDir Path dir;

  private static final Object[][] KINDS = {
    {"sun", 0xffcc00, "weather"},
    {"apple", 0xd01010, "food"},
    {"sea", 0x2040c0, "nature"},
    {"grass", 0x20a020, "plants"},
  };

  private static final int DRAWINGS = 10;

  private Path drawManifest() throws Exception {
    List<String> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (Object[] k : KINDS) {
      // Ten drawings per colour, so that a fold's gallery (about 20 pictures) is well above the
      // 8 that vote: with five per colour, 8 of a gallery of about 10 voted and the vote counted
      // how many drawings of each colour the hash put in the gallery as much as what the picture
      // showed (round three's tower, whose colours lie closer together, lost to that count).
      for (int v = 0; v < DRAWINGS; v++) {
        BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 96, 96);
        g.setColor(new Color((int) k[1]));
        g.fillOval(8 + 3 * v, 8 + 2 * v, 64 - 2 * v, 64);
        g.dispose();
        String id = k[0] + "-" + v;
        ImageIO.write(img, "png", dir.resolve(id + ".png").toFile());
        lines.add(
            json.writeValueAsString(
                Map.of(
                    "id",
                    id,
                    "text",
                    k[0] + ": " + k[2],
                    "image",
                    id + ".png",
                    "metadata",
                    Map.of("title", k[0], "category", k[2], "keywords", List.of((String) k[0])))));
      }
    }
    Path manifest = dir.resolve("manifest.jsonl");
    Files.write(manifest, lines, StandardCharsets.UTF_8);
    return manifest;
  }

  @Test
  void scoresEveryQuestionAsTheNormalizedAnswerMatchingAnAcceptableOne() throws Exception {
    Path manifest = drawManifest();
    PicturedItemVqa vqa =
        new PicturedItemVqa(
            MODEL.toString(), new ExtractiveAnswerer(), RagOptions.defaults(), 2, 8);
    PicturedItemVqa.Report r = vqa.run(manifest, dir.resolve("data"));
    System.out.println("drawn manifest: " + r.kinds());
    assertEquals(KINDS.length * DRAWINGS, r.items());
    assertEquals(
        2 * KINDS.length * DRAWINGS, r.rows().size(), "a category and a keyword question per item");
    VqaAnswerNormalizer norm = new VqaAnswerNormalizer();
    for (PicturedItemVqa.Row row : r.rows()) {
      boolean match =
          row.expected().stream()
              .anyMatch(e -> norm.normalize(e).equals(norm.normalize(row.answer())));
      assertEquals(match ? 1.0 : 0.0, row.score(), 1e-12, row.toString());
      assertTrue(
          row.citations().stream().noneMatch(id -> id.equals(row.itemId())), "no self-answer");
      if (row.abstained()) {
        assertTrue(row.answer().startsWith("I don't know"), row.toString());
      }
    }
    double mean = r.rows().stream().mapToDouble(PicturedItemVqa.Row::score).average().orElseThrow();
    assertEquals(mean, r.accuracy(), 1e-12);
    // Four colours, ten drawings each, every colour in both folds: retrieval by the picture
    // must beat answering the gallery's most frequent category by far.
    PicturedItemVqa.KindResult category = r.kinds().get(0);
    assertEquals("category", category.kind());
    assertTrue(category.accuracy() >= category.majorityAccuracy() + 0.4, r.kinds().toString());
  }

  @Test
  void badManifestsNameTheLine() throws Exception {
    Path m = dir.resolve("bad.jsonl");
    Files.writeString(
        m, "{\"id\":\"a\",\"image\":\"missing.png\",\"metadata\":{\"category\":\"x\"}}\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PicturedItemVqa.read(m));
    assertTrue(e.getMessage().contains("bad.jsonl:1: image file not found"), e.getMessage());
    Files.writeString(m, "{oops\n");
    e = assertThrows(IllegalArgumentException.class, () -> PicturedItemVqa.read(m));
    assertTrue(e.getMessage().contains("bad.jsonl:1: malformed JSON"), e.getMessage());
  }

  @Test
  void openclipartTestSplit() throws Exception {
    JsonNode pinned = new YAMLMapper().readTree(PINNED.toFile());
    Path base = PINNED.getParent();
    Path manifest = base.resolve(pinned.path("dataset").path("path").asText()).normalize();
    assertEquals(DEMO.normalize(), manifest, "the pinned regression runs on the demo manifest");
    assertEquals(
        pinned.path("dataset").path("sha256").asText(),
        DataChecksum.sha256(DEMO),
        DEMO + " changed: rerun this test and update the expected accuracies in " + PINNED);
    assertEquals(MODEL.normalize(), base.resolve(pinned.path("model").asText()).normalize());
    // -Dvqa.textWeights=0.5,0 compares question-text weights; the default runs the pipeline's.
    String weights =
        System.getProperty(
            "vqa.textWeights", String.valueOf(RagOptions.defaults().questionTextWeight()));
    for (String w : weights.split(",")) {
      double textWeight = Double.parseDouble(w.trim());
      RagOptions options = RagOptions.defaults().withRetrieval(textWeight, true, 3);
      PicturedItemVqa vqa =
          new PicturedItemVqa(MODEL.toString(), new ExtractiveAnswerer(), options, 2, 8);
      PicturedItemVqa.Report r = vqa.run(DEMO, dir.resolve("demo-" + textWeight));
      System.out.printf(
          "openclipart test split, question text weight %.1f: %d items, %d questions, accuracy"
              + " %.4f; %s%n",
          textWeight, r.items(), r.rows().size(), r.accuracy(), r.kinds());
      Files.createDirectories(Path.of("target"));
      new ObjectMapper()
          .writerWithDefaultPrettyPrinter()
          .writeValue(Path.of("target", "vqa-openclipart-w" + textWeight + ".json").toFile(), r);
      double[] sims =
          r.rows().stream()
              .filter(x -> x.topSimilarity() != null)
              .mapToDouble(PicturedItemVqa.Row::topSimilarity)
              .sorted()
              .toArray();
      System.out.printf(
          "  best-hit cosine: p10 %.3f, median %.3f, p90 %.3f%n",
          sims[sims.length / 10], sims[sims.length / 2], sims[sims.length * 9 / 10]);
      long questions = PicturedItemVqa.questions(PicturedItemVqa.read(DEMO)).size();
      assertEquals(questions, r.rows().size());
      for (PicturedItemVqa.KindResult k : r.kinds()) {
        assertTrue(k.accuracy() >= 0 && k.accuracy() <= 1, k.toString());
      }
      if (textWeight == RagOptions.defaults().questionTextWeight()) {
        assertMatchesPinned(pinned, r);
      }
    }
  }

  /** The regression: each pinned accuracy within its tolerance, with every figure in a failure. */
  private static void assertMatchesPinned(JsonNode pinned, PicturedItemVqa.Report r) {
    assertEquals(pinned.path("questions").asInt(), r.rows().size(), "questions");
    Map<String, Double> measured = new LinkedHashMap<>();
    measured.put("all", r.accuracy());
    for (PicturedItemVqa.KindResult k : r.kinds()) {
      measured.put(k.kind(), k.accuracy());
    }
    List<String> failures = new ArrayList<>();
    JsonNode accuracy = pinned.path("accuracy");
    assertEquals(measured.keySet(), toSet(accuracy.fieldNames()), "pinned question kinds");
    for (Map.Entry<String, Double> m : measured.entrySet()) {
      double expected = accuracy.path(m.getKey()).path("expected").asDouble(Double.NaN);
      double tolerance = accuracy.path(m.getKey()).path("tolerance").asDouble(Double.NaN);
      String line =
          String.format(
              "%s accuracy %.4f, pinned %.4f +- %.4f",
              m.getKey(), m.getValue(), expected, tolerance);
      System.out.println("  regression: " + line);
      if (!(Math.abs(m.getValue() - expected) <= tolerance)) {
        failures.add(line);
      }
    }
    assertTrue(
        failures.isEmpty(), "VQA accuracy off its pinned value in " + PINNED + ": " + failures);
  }

  private static Set<String> toSet(Iterator<String> names) {
    Set<String> set = new LinkedHashSet<>();
    names.forEachRemaining(set::add);
    return set;
  }
}
