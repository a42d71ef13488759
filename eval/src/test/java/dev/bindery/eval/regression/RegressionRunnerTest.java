package dev.bindery.eval.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.eval.data.DatasetLoaders;
import dev.bindery.eval.data.EvalDataset;
import dev.bindery.eval.data.EvalItem;
import dev.bindery.eval.data.EvalQuery;
import dev.bindery.eval.data.ItemContent;
import dev.bindery.eval.data.QuerySet;
import dev.bindery.eval.metrics.RankingMetric;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's cross-modal paths (image corpus, text queries, classification) with the tiny
 * random-weight ImageBind package, checked against a brute-force computation written here.
 */
class RegressionRunnerTest {

  private static final Path IMAGEBIND =
      Path.of("../encoders/src/test/resources/parity/towers/imagebind").toAbsolutePath();
  private static final Path FIXTURES = Path.of("src/test/resources/datasets").toAbsolutePath();

  @TempDir Path tmp;

  @Test
  void crossModalRetrievalAndClassificationMatchBruteForce() throws IOException {
    Path folder = FIXTURES.resolve("imagefolder");
    Path karpathy = FIXTURES.resolve("karpathy/dataset_tiny.json");
    Path yamlA =
        write(
            "a.yaml",
            """
            dataset: {kind: imagefolder, path: %s, sha256: %s}
            model: %s
            index: {exact: true}
            tasks:
              - queries: class->image
                metrics:
                  recall@1: {expected: 0, tolerance: 1}
                  map: {expected: 0, tolerance: 1}
                  ndcg@2: {expected: 0, tolerance: 1}
              - type: classification
                prompt: "a photo of a {}"
                metrics:
                  accuracy: {expected: 0, tolerance: 1}
            """
                .formatted(folder, DataChecksum.sha256(folder), IMAGEBIND));
    Path yamlB =
        write(
            "b.yaml",
            """
            dataset: {kind: karpathy, path: %s, sha256: %s, options: {split: all}}
            model: %s
            tasks:
              - queries: image->text
                metrics:
                  mrr: {expected: 0, tolerance: 1}
                  precision@2: {expected: 0, tolerance: 1}
              - queries: text->image
                metrics:
                  recall@2: {expected: 0, tolerance: 1}
            """
                .formatted(karpathy, DataChecksum.sha256(karpathy), IMAGEBIND));
    StringWriter log = new StringWriter();
    RegressionRunner runner = new RegressionRunner(new PrintWriter(log, true));
    DatasetLoaders loaders = DatasetLoaders.defaults();
    try (ModelPackage pkg = ModelPackage.open(IMAGEBIND)) {
      RegressionResult a = runner.run(RegressionFile.read(yamlA));
      assertNull(a.error(), a.error());
      EvalDataset folderSet = loaders.load("imagefolder", folder, Map.of());
      QuerySet classes = folderSet.querySet("class->image");
      assertMetric(a, "class->image", "recall@1", naive(pkg, folderSet, classes, "recall@1"));
      assertMetric(a, "class->image", "map", naive(pkg, folderSet, classes, "map"));
      assertMetric(a, "class->image", "ndcg@2", naive(pkg, folderSet, classes, "ndcg@2"));
      assertMetric(a, "classification", "accuracy", naiveAccuracy(pkg, folderSet));
      assertEquals(2 + 3, a.queries());

      RegressionResult b = runner.run(RegressionFile.read(yamlB));
      assertNull(b.error(), b.error());
      EvalDataset captions = loaders.load("karpathy", karpathy, Map.of("split", "all"));
      for (String[] c :
          new String[][] {
            {"image->text", "mrr"}, {"image->text", "precision@2"}, {"text->image", "recall@2"}
          }) {
        assertMetric(b, c[0], c[1], naive(pkg, captions, captions.querySet(c[0]), c[1]));
      }
    }
    assertTrue(log.toString().contains("class->image: embedding 3 corpus items"), log.toString());
  }

  @Test
  void aTowerThePackageLacksIsAnError() throws IOException {
    Path folder = FIXTURES.resolve("imagefolder");
    Path yaml =
        write(
            "c.yaml",
            """
            dataset: {kind: imagefolder, path: %s, sha256: %s}
            model: classpath:/models/minilm-l6-v2
            tasks:
              - queries: class->image
                metrics: {recall@1: {expected: 1}}
            """
                .formatted(folder, DataChecksum.sha256(folder)));
    RegressionResult r =
        new RegressionRunner(new PrintWriter(new StringWriter())).run(RegressionFile.read(yaml));
    assertTrue(r.error().contains("has no image tower"), r.error());
    assertFalse(r.passed());
    assertTrue(new RegressionReport(List.of(r)).toMarkdown().contains("**Error:** "));
  }

  private static void assertMetric(RegressionResult r, String task, String metric, double naive) {
    MetricOutcome o =
        r.outcomes().stream()
            .filter(m -> m.task().equals(task) && m.metric().equals(metric))
            .findFirst()
            .orElseThrow(() -> new AssertionError(task + " " + metric + " missing: " + r));
    assertEquals(naive, o.actual(), 1e-6, task + " " + metric);
  }

  /** Exhaustive cosine ranking (score descending, id ascending), metric averaged over queries. */
  private static double naive(ModelPackage pkg, EvalDataset d, QuerySet qs, String metric) {
    RankingMetric m = RankingMetric.parse(metric);
    Map<String, float[]> corpus = new HashMap<>();
    for (String id : qs.corpus()) {
      corpus.put(id, embed(pkg, d.item(id)));
    }
    double sum = 0;
    for (EvalQuery q : qs.queries()) {
      float[] v = embed(pkg, q.input());
      List<String> ids = new ArrayList<>(qs.corpus());
      Map<String, Double> score = new HashMap<>();
      ids.forEach(id -> score.put(id, cos(v, corpus.get(id))));
      ids.sort(Comparator.comparing((String id) -> -score.get(id)).thenComparing(id -> id));
      sum += m.of(ids, q.judgments());
    }
    return sum / qs.queries().size();
  }

  private static double naiveAccuracy(ModelPackage pkg, EvalDataset d) {
    int right = 0;
    int n = 0;
    for (EvalItem item : d.items().values()) {
      float[] v = embed(pkg, item);
      String best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (String c : d.classes()) {
        double s = cos(v, pkg.textEncoder().encode("a photo of a " + c));
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      right += best.equals(item.label()) ? 1 : 0;
      n++;
    }
    return (double) right / n;
  }

  private static float[] embed(ModelPackage pkg, EvalItem item) {
    return switch (item.content()) {
      case ItemContent.Text t -> pkg.textEncoder().encode(t.text());
      case ItemContent.File f -> pkg.imageEncoder().encode(new ImageDecoder().decode(f.path()));
      default -> throw new AssertionError(item);
    };
  }

  private static double cos(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }
}
