package dev.bindery.eval.regression;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.eval.data.DatasetLoaders;
import dev.bindery.eval.data.EvalDataset;
import dev.bindery.eval.data.EvalItem;
import dev.bindery.eval.data.EvalQuery;
import dev.bindery.eval.data.QuerySet;
import dev.bindery.eval.metrics.RankingMetric;
import dev.bindery.eval.metrics.ZeroShotClassification;
import dev.bindery.eval.regression.RegressionSpec.Expectation;
import dev.bindery.eval.regression.RegressionSpec.IndexSpec;
import dev.bindery.eval.regression.RegressionSpec.TaskSpec;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.lucene.util.IOUtils;

/**
 * Runs regression files: verifies the data checksum, loads the dataset, opens the model package,
 * and for each task either builds a temporary Lucene collection of the query set's corpus and runs
 * every query through it (retrieval), or scores the labelled items against class prompts (zero-shot
 * classification); then compares each metric with its expectation.
 *
 * <p>A regression that cannot run (missing data, checksum mismatch, a tower the package lacks)
 * gives a result with an error rather than an exception, so one broken file does not hide the
 * others. Temporary indexes are deleted afterwards.
 */
public final class RegressionRunner {

  private static final String COLLECTION = "eval";
  private static final int UPSERT_BATCH = 256;

  private final DatasetLoaders loaders;
  private final Function<String, ModelPackage> packages;
  private final PrintWriter log;

  /**
   * @param loaders dataset loaders by kind
   * @param packages opens a model package from its location; the runner closes it
   * @param log progress lines
   */
  public RegressionRunner(
      DatasetLoaders loaders, Function<String, ModelPackage> packages, PrintWriter log) {
    this.loaders = Objects.requireNonNull(loaders, "loaders");
    this.packages = Objects.requireNonNull(packages, "packages");
    this.log = Objects.requireNonNull(log, "log");
  }

  /** With every loader of this module and {@link ModelPackage#open(String)}. */
  public RegressionRunner(PrintWriter log) {
    this(DatasetLoaders.defaults(), ModelPackage::open, log);
  }

  /** Runs one regression. */
  public RegressionResult run(RegressionSpec spec) {
    long start = System.nanoTime();
    String datasetName = spec.dataset().kind() + " " + spec.dataset().path();
    try {
      EvalDataset dataset = loadVerified(spec);
      datasetName = dataset.name();
      log.printf("%s: %s, model %s%n", spec.name(), dataset.name(), spec.model());
      log.flush();
      List<MetricOutcome> outcomes = new ArrayList<>();
      int queries = 0;
      try (ModelPackage pkg = packages.apply(spec.model())) {
        ItemEmbedder embedder = new ItemEmbedder(pkg);
        for (TaskSpec task : spec.tasks()) {
          Map<String, Double> actual = new LinkedHashMap<>();
          queries +=
              switch (task.type()) {
                case RETRIEVAL -> retrieval(spec.index(), dataset, task, embedder, actual);
                case CLASSIFICATION -> classification(dataset, task, embedder, actual);
              };
          for (Expectation e : task.expectations()) {
            double a = actual.get(e.metric());
            outcomes.add(
                new MetricOutcome(
                    task.label(), e.metric(), a, e.expected(), e.tolerance(), e.accepts(a)));
          }
        }
      }
      return new RegressionResult(
          spec.name(),
          spec.file(),
          datasetName,
          spec.model(),
          queries,
          outcomes,
          null,
          seconds(start));
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      return new RegressionResult(
          spec.name(),
          spec.file(),
          datasetName,
          spec.model(),
          0,
          List.of(),
          describe(e),
          seconds(start));
    }
  }

  private EvalDataset loadVerified(RegressionSpec spec) {
    RegressionSpec.DatasetSpec ds = spec.dataset();
    loaders.loader(ds.kind());
    if (!Files.exists(ds.path())) {
      // the loader's own message says how to get the data
      loaders.load(ds.kind(), ds.path(), ds.options());
      throw new IllegalArgumentException("dataset not found: " + ds.path());
    }
    String actual = DataChecksum.sha256(ds.path());
    if (!actual.equals(ds.sha256())) {
      throw new IllegalArgumentException(
          "checksum mismatch for "
              + ds.path()
              + ": expected sha256 "
              + ds.sha256()
              + ", found "
              + actual
              + "; the data changed (if that is intended, update dataset.sha256 in "
              + spec.file()
              + ")");
    }
    return loaders.load(ds.kind(), ds.path(), ds.options());
  }

  private int retrieval(
      IndexSpec index,
      EvalDataset dataset,
      TaskSpec task,
      ItemEmbedder embedder,
      Map<String, Double> actual) {
    QuerySet qs = dataset.querySet(task.querySet());
    List<EvalItem> corpus = qs.corpus().stream().map(dataset::item).toList();
    Map<Modality, List<EvalItem>> byModality = byModality(corpus);
    String space = null;
    int dim = 0;
    for (Modality m : byModality.keySet()) {
      Encoder<?> tower = embedder.tower(m);
      if (space != null && !space.equals(tower.space())) {
        throw new IllegalArgumentException(
            "query set '"
                + qs.name()
                + "': its corpus embeds into two spaces, "
                + space
                + " and "
                + tower.space());
      }
      space = tower.space();
      dim = tower.dimension();
    }
    Path dir = tempDir();
    try (LuceneBackend backend = new LuceneBackend(dir)) {
      backend.createCollection(
          CollectionConfig.of(
              COLLECTION,
              new SpaceConfig(
                  space,
                  dim,
                  index.similarity(),
                  index.storage(),
                  index.m(),
                  index.beam(),
                  index.storage().defaultOversample())));
      log.printf("  %s: embedding %d corpus items%n", qs.name(), corpus.size());
      log.flush();
      for (Map.Entry<Modality, List<EvalItem>> e : byModality.entrySet()) {
        List<EvalItem> items = e.getValue();
        List<float[]> vectors = embedder.embed(items);
        List<Item> batch = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          batch.add(
              Item.builder(items.get(i).id(), e.getKey().wireName())
                  .vector(space, vectors.get(i))
                  .build());
          if (batch.size() == UPSERT_BATCH || i == items.size() - 1) {
            backend.upsert(COLLECTION, batch);
            batch = new ArrayList<>();
          }
        }
      }
      backend.refresh(COLLECTION);

      int k = Math.min(task.depth(), corpus.size());
      List<RankingMetric> metrics =
          task.expectations().stream().map(x -> RankingMetric.parse(x.metric())).toList();
      Map<RankingMetric, Double> sums = new LinkedHashMap<>();
      metrics.forEach(m -> sums.put(m, 0.0));
      Map<Modality, List<EvalQuery>> queriesByModality = new EnumMap<>(Modality.class);
      for (EvalQuery q : qs.queries()) {
        queriesByModality.computeIfAbsent(q.input().modality(), x -> new ArrayList<>()).add(q);
      }
      log.printf("  %s: running %d queries%n", qs.name(), qs.queries().size());
      log.flush();
      for (Map.Entry<Modality, List<EvalQuery>> e : queriesByModality.entrySet()) {
        Encoder<?> tower = embedder.tower(e.getKey());
        if (!tower.space().equals(space)) {
          throw new IllegalArgumentException(
              "query set '"
                  + qs.name()
                  + "': "
                  + e.getKey()
                  + " queries embed into "
                  + tower.space()
                  + ", the corpus into "
                  + space);
        }
        List<float[]> vectors =
            embedder.embed(e.getValue().stream().map(EvalQuery::input).toList());
        for (int i = 0; i < vectors.size(); i++) {
          KnnQuery query =
              new KnnQuery(
                  space,
                  vectors.get(i),
                  k,
                  null,
                  index.ef() == 0 ? 0 : Math.max(k, index.ef()),
                  index.exact() ? SearchMode.EXACT : SearchMode.AUTO,
                  true);
          List<String> ranked =
              backend.knn(COLLECTION, query).hits().stream()
                  .sorted(Hit.RANKING)
                  .map(Hit::id)
                  .toList();
          for (RankingMetric m : metrics) {
            sums.merge(m, m.of(ranked, e.getValue().get(i).judgments()), Double::sum);
          }
        }
      }
      int n = qs.queries().size();
      sums.forEach((m, s) -> actual.put(m.toString(), s / n));
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("closing the temporary index in " + dir + " failed", e);
    } finally {
      deleteTree(dir);
    }
  }

  private int classification(
      EvalDataset dataset, TaskSpec task, ItemEmbedder embedder, Map<String, Double> actual) {
    List<String> classes = dataset.classes();
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(
          dataset.name() + " has no classes; classification needs a labelled dataset");
    }
    for (String named : task.classNames().keySet()) {
      if (!classes.contains(named)) {
        throw new IllegalArgumentException(
            "class_names names '"
                + named
                + "', which is not a class of "
                + dataset.name()
                + "; classes: "
                + classes);
      }
    }
    List<EvalItem> prompts = new ArrayList<>();
    for (String c : classes) {
      List<String> texts = task.promptsFor(c);
      for (int i = 0; i < texts.size(); i++) {
        prompts.add(EvalItem.text("class:" + c + "#" + i, texts.get(i)));
      }
    }
    Encoder<?> textTower = embedder.tower(Modality.TEXT);
    List<float[]> promptVectors = embedder.embed(prompts);
    int perClass = task.prompts().size();
    float[][] classVectors = new float[classes.size()][];
    for (int c = 0; c < classes.size(); c++) {
      classVectors[c] = meanOfUnitVectors(promptVectors.subList(c * perClass, (c + 1) * perClass));
    }
    List<EvalItem> labelled =
        dataset.items().values().stream().filter(i -> i.label() != null).toList();
    log.printf("  classification: %d items, %d classes%n", labelled.size(), classes.size());
    log.flush();
    float[][] scores = new float[labelled.size()][];
    int[] labels = new int[labelled.size()];
    int row = 0;
    for (Map.Entry<Modality, List<EvalItem>> e : byModality(labelled).entrySet()) {
      if (!embedder.tower(e.getKey()).space().equals(textTower.space())) {
        throw new IllegalArgumentException(
            e.getKey()
                + " items embed into "
                + embedder.tower(e.getKey()).space()
                + ", the class prompts into "
                + textTower.space());
      }
      List<float[]> vectors = embedder.embed(e.getValue());
      for (int i = 0; i < vectors.size(); i++) {
        scores[row] = ZeroShotClassification.scores(vectors.get(i), classVectors);
        labels[row] = classes.indexOf(e.getValue().get(i).label());
        row++;
      }
    }
    actual.put("accuracy", ZeroShotClassification.accuracy(scores, labels));
    return labelled.size();
  }

  private static Map<Modality, List<EvalItem>> byModality(List<EvalItem> items) {
    Map<Modality, List<EvalItem>> m = new EnumMap<>(Modality.class);
    for (EvalItem item : items) {
      m.computeIfAbsent(item.modality(), x -> new ArrayList<>()).add(item);
    }
    return m;
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("bindery-eval-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary index folder", e);
    }
  }

  private static void deleteTree(Path dir) {
    try {
      IOUtils.rm(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary index " + dir, e);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The message of an exception and its causes, without repeats. */
  static String describe(Throwable ex) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = ex; t != null && parts.size() < 4; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (parts.isEmpty() || !parts.get(parts.size() - 1).contains(m)) {
        parts.add(m);
      }
    }
    return String.join(": ", parts);
  }

  /** The L2-normalized mean of L2-normalized vectors (one vector: itself, normalized). */
  static float[] meanOfUnitVectors(List<float[]> vectors) {
    float[] sum = new float[vectors.get(0).length];
    for (float[] v : vectors) {
      double n = 0;
      for (float x : v) {
        n += (double) x * x;
      }
      double inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      for (int i = 0; i < sum.length; i++) {
        sum[i] += (float) (v[i] * inv);
      }
    }
    double n = 0;
    for (float x : sum) {
      n += (double) x * x;
    }
    double inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (int i = 0; i < sum.length; i++) {
      sum[i] = (float) (sum[i] * inv);
    }
    return sum;
  }
}
