package dev.bindery.eval.bench;

import dev.bindery.eval.bench.AnnReport.EfRun;
import dev.bindery.eval.bench.AnnReport.StorageResult;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import dev.bindery.indexer.lucene.HnswMergeWorkers;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.lucene.util.IOUtils;

/**
 * The ANN benchmark behind {@code bindery bench ann}: for each vector storage, index a dataset in
 * the embedded Lucene backend, merge it to one segment, then measure recall against exact
 * neighbours and single-thread query speed at each ef. Ground truth is computed once per dataset
 * (and cached in the work directory); every storage is measured in the same run so ratios against
 * float32 are fair.
 *
 * <p>This class builds and measures; the exact neighbours are {@link GroundTruth}, recall is {@link
 * RecallAtK}, and the machine the report names is {@link MachineFacts}.
 */
public final class AnnBenchmark {

  /** The space every benchmark collection indexes its vectors in. */
  static final String SPACE = "vec";

  /**
   * Parameters of a run.
   *
   * @param storages storages to measure, in order
   * @param similarity how vectors compare
   * @param m HNSW max connections
   * @param beamWidth HNSW build beam width
   * @param oversample rescoring oversample for every storage, or null for each storage's default
   * @param efs query-time candidate list sizes, each >= k
   * @param k neighbours per query
   * @param batchSize items per upsert call
   * @param buildThreads threads submitting upsert batches
   * @param groundTruthThreads threads for the brute-force ground truth
   * @param recallTarget recall the summary reports QPS at
   * @param progress whether to draw a progress bar on stderr while indexing
   */
  public record Options(
      List<VectorStorage> storages,
      Similarity similarity,
      int m,
      int beamWidth,
      Float oversample,
      List<Integer> efs,
      int k,
      int batchSize,
      int buildThreads,
      int groundTruthThreads,
      double recallTarget,
      boolean progress) {
    public Options {
      storages = List.copyOf(storages);
      efs = List.copyOf(efs);
      java.util.Objects.requireNonNull(similarity, "similarity");
      if (storages.isEmpty()) {
        throw new IllegalArgumentException("at least one storage is needed");
      }
      if (storages.size() != Set.copyOf(storages).size()) {
        throw new IllegalArgumentException("storages given twice: " + storages);
      }
      if (efs.isEmpty()) {
        throw new IllegalArgumentException("at least one ef is needed");
      }
      if (k < 1 || k > KnnQuery.MAX_K) {
        throw new IllegalArgumentException("k must be in 1.." + KnnQuery.MAX_K + ", got " + k);
      }
      for (int ef : efs) {
        if (ef < k || ef > KnnQuery.MAX_K) {
          throw new IllegalArgumentException(
              "every ef must be in k.." + KnnQuery.MAX_K + " (k=" + k + "), got " + efs);
        }
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (buildThreads < 1 || groundTruthThreads < 1) {
        throw new IllegalArgumentException(
            "thread counts must be >= 1, got build="
                + buildThreads
                + " ground truth="
                + groundTruthThreads);
      }
      if (!(recallTarget > 0 && recallTarget <= 1)) {
        throw new IllegalArgumentException("recall target must be in (0, 1], got " + recallTarget);
      }
    }

    /** Defaults of {@code bench ann}: M 16, beam 100, ef 10..320, k 10, batches of 1000. */
    public static Options defaults(List<VectorStorage> storages) {
      return new Options(
          storages,
          Similarity.COSINE,
          SpaceConfig.DEFAULT_M,
          SpaceConfig.DEFAULT_BEAM_WIDTH,
          null,
          List.of(10, 20, 40, 80, 160, 320),
          10,
          1000,
          1,
          Runtime.getRuntime().availableProcessors(),
          0.95,
          true);
    }

    Map<String, Object> describe() {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("storages", storages.stream().map(VectorStorage::wireName).toList());
      p.put("similarity", similarity.wireName());
      p.put("m", m);
      p.put("beam_width", beamWidth);
      p.put("oversample", oversample == null ? "storage default" : oversample);
      p.put("ef", efs);
      p.put("k", k);
      p.put("batch_size", batchSize);
      p.put("build_threads", buildThreads);
      p.put("query_threads", 1);
      return p;
    }
  }

  private final Options options;
  private final PrintWriter log;
  private final int mergeThreads;

  /**
   * @param options what to measure
   * @param log where progress lines go (the tables are printed by the caller)
   */
  public AnnBenchmark(Options options, PrintWriter log) {
    this(options, log, 1);
  }

  /**
   * @param options what to measure
   * @param log where progress lines go (the tables are printed by the caller)
   * @param mergeThreads threads Lucene builds a merged segment's HNSW graph with (the timed {@code
   *     forceMerge(1)} included); flushed segments get no graph and the merge builds it, as {@code
   *     bindery index} loads ({@code HnswMergeWorkers.bulk})
   */
  public AnnBenchmark(Options options, PrintWriter log, int mergeThreads) {
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.log = java.util.Objects.requireNonNull(log, "log");
    if (mergeThreads < 1) {
      throw new IllegalArgumentException("merge threads must be >= 1, got " + mergeThreads);
    }
    this.mergeThreads = mergeThreads;
  }

  /**
   * Runs every storage over {@code data}. {@code workDir} keeps the ground-truth cache between runs
   * ({@code cache/}); the indexes are built in {@code indexes/} there and deleted afterwards.
   */
  public AnnReport run(AnnDataset data, Path workDir) throws IOException {
    return run(data, workDir, groundTruth(data, workDir.resolve("cache")));
  }

  /**
   * The exact top k of every query: read from {@code cacheDir} when an earlier run with the same
   * data, similarity and k left them there, else computed by brute force and saved there.
   */
  public GroundTruth groundTruth(AnnDataset data, Path cacheDir) throws IOException {
    checkFits(data);
    return GroundTruth.of(
        data, cacheDir, options.similarity(), options.k(), options.groundTruthThreads(), log);
  }

  /** Runs every storage over {@code data}, scoring recall against {@code truth}. */
  public AnnReport run(AnnDataset data, Path workDir, GroundTruth truth) throws IOException {
    checkFits(data);
    if (truth.ids().length != data.queries().length) {
      throw new IllegalArgumentException(
          "ground truth has "
              + truth.ids().length
              + " rows for "
              + data.queries().length
              + " queries");
    }
    Map<String, Object> dataset = new LinkedHashMap<>(data.description());
    dataset.put("count", data.base().length);
    dataset.put("dim", data.dim());
    dataset.put("query_count", data.queries().length);
    dataset.put("sha256", data.contentHash());

    Path indexDir = workDir.resolve("indexes");
    IOUtils.rm(indexDir); // left over from a run that was killed
    List<StorageResult> results = new ArrayList<>();
    try {
      try (HnswMergeWorkers workers = HnswMergeWorkers.bulk(mergeThreads);
          LuceneBackend backend = new LuceneBackend(indexDir, workers)) {
        for (VectorStorage storage : options.storages()) {
          results.add(runStorage(backend, storage, data, truth.ids()));
        }
      }
    } finally {
      IOUtils.rm(indexDir);
    }
    Map<String, Object> parameters = new LinkedHashMap<>(options.describe());
    parameters.put("merge_threads", mergeThreads);
    return new AnnReport(
        dataset,
        parameters,
        MachineFacts.describe(),
        truth.seconds(),
        truth.cached(),
        options.recallTarget(),
        results);
  }

  private void checkFits(AnnDataset data) {
    if (options.k() > data.base().length) {
      throw new IllegalArgumentException(
          "k=" + options.k() + " exceeds the " + data.base().length + " base vectors");
    }
    if (data.dim() > SpaceConfig.MAX_DIM) {
      throw new IllegalArgumentException(
          "dimension " + data.dim() + " exceeds the index limit " + SpaceConfig.MAX_DIM);
    }
  }

  private StorageResult runStorage(
      LuceneBackend backend, VectorStorage storage, AnnDataset data, int[][] truth)
      throws IOException {
    String collection = "ann-" + storage.wireName();
    float oversample =
        options.oversample() == null ? storage.defaultOversample() : options.oversample();
    SpaceConfig space =
        new SpaceConfig(
            SPACE,
            data.dim(),
            options.similarity(),
            storage,
            options.m(),
            options.beamWidth(),
            oversample);
    backend.createCollection(CollectionConfig.of(collection, space));

    long t0 = System.nanoTime();
    long c0 = ProcessCpuClock.nanos();
    ingest(backend, collection, storage, data.base());
    backend.commit(collection);
    double buildSeconds = seconds(System.nanoTime() - t0);
    double buildCpuSeconds = seconds(ProcessCpuClock.nanos() - c0);

    // The writer's RAM buffer may already hold everything in one flushed segment, which makes the
    // merge a no-op; the report says so instead of leaving a near-zero merge time unexplained.
    int segmentsBeforeMerge =
        backend
            .knn(
                collection,
                new KnnQuery(SPACE, data.queries()[0], 1, null, 0, SearchMode.AUTO, false))
            .segments();
    log.printf("%s: merging %d segment(s) to one%n", storage.wireName(), segmentsBeforeMerge);
    log.flush();
    long t1 = System.nanoTime();
    long c1 = ProcessCpuClock.nanos();
    backend.forceMerge(collection, 1);
    double mergeSeconds = seconds(System.nanoTime() - t1);
    double mergeCpuSeconds = seconds(ProcessCpuClock.nanos() - c1);
    backend.refresh(collection);
    long indexBytes = backend.indexBytes(collection);
    Map<String, Long> filesByExtension =
        IndexFileSizes.byExtension(backend.collectionsDir().resolve(collection));
    long count = backend.describe(collection).count();
    if (count != data.base().length) {
      throw new IllegalStateException(
          collection + " holds " + count + " items after merging, expected " + data.base().length);
    }

    // One untimed pass at the largest ef first: otherwise the first ef measured also pays for
    // compiling the search path, which bends the low end of the curve.
    int maxEf = options.efs().stream().mapToInt(Integer::intValue).max().orElseThrow();
    for (float[] q : data.queries()) {
      backend.knn(
          collection, new KnnQuery(SPACE, q, options.k(), null, maxEf, SearchMode.AUTO, false));
    }
    List<EfRun> runs = new ArrayList<>();
    for (int ef : options.efs()) {
      log.printf("%s: querying at ef=%d%n", storage.wireName(), ef);
      log.flush();
      runs.add(measure(backend, collection, data.queries(), truth, ef));
    }
    backend.dropCollection(collection);
    return new StorageResult(
        storage,
        oversample,
        data.base().length,
        buildSeconds,
        segmentsBeforeMerge,
        mergeSeconds,
        buildCpuSeconds,
        mergeCpuSeconds,
        indexBytes,
        filesByExtension,
        runs);
  }

  private void ingest(
      LuceneBackend backend, String collection, VectorStorage storage, float[][] base) {
    int batch = options.batchSize();
    ProgressBar bar =
        options.progress()
            ? new ProgressBarBuilder()
                .setTaskName("index " + storage.wireName())
                .setInitialMax(base.length)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .showSpeed()
                .build()
            : null;
    try {
      if (options.buildThreads() == 1) {
        for (int from = 0; from < base.length; from += batch) {
          int n = upsertBatch(backend, collection, base, from, Math.min(base.length, from + batch));
          if (bar != null) {
            bar.stepBy(n);
          }
        }
        return;
      }
      try (ExecutorService pool = Executors.newFixedThreadPool(options.buildThreads())) {
        List<Future<?>> futures = new ArrayList<>();
        for (int from = 0; from < base.length; from += batch) {
          int start = from;
          int end = Math.min(base.length, from + batch);
          futures.add(
              pool.submit(
                  () -> {
                    int n = upsertBatch(backend, collection, base, start, end);
                    if (bar != null) {
                      bar.stepBy(n);
                    }
                  }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while indexing " + collection, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("indexing " + collection + " failed", e.getCause());
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
  }

  private static int upsertBatch(
      LuceneBackend backend, String collection, float[][] base, int from, int to) {
    List<Item> items = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      // A copy, so a backend that normalizes in place cannot change the data the truth came from.
      items.add(Item.builder(Integer.toString(i), "vector").vector(SPACE, base[i].clone()).build());
    }
    return backend.upsert(collection, items);
  }

  private EfRun measure(
      LuceneBackend backend, String collection, float[][] queries, int[][] truth, int ef) {
    KnnQuery[] qs = new KnnQuery[queries.length];
    for (int i = 0; i < queries.length; i++) {
      // One vector per item, so grouping by parent would change nothing but its own overhead.
      qs[i] = new KnnQuery(SPACE, queries[i], options.k(), null, ef, SearchMode.AUTO, false);
    }
    warmUp(backend, collection, qs);
    SearchResult[] results = new SearchResult[qs.length];
    long[] latencies = new long[qs.length];
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long threadCpuStart = threads.getCurrentThreadCpuTime();
    long cpuStart = ProcessCpuClock.nanos();
    long start = System.nanoTime();
    for (int i = 0; i < qs.length; i++) {
      long t = System.nanoTime();
      results[i] = backend.knn(collection, qs[i]);
      latencies[i] = System.nanoTime() - t;
    }
    double wallSeconds = seconds(System.nanoTime() - start);
    // The process's CPU time, not this thread's: the query cost without the time other processes
    // held the core, but with the garbage collection and compilation the queries cause, which a
    // thread's CPU time would leave out. Nothing else runs in this JVM meanwhile.
    double cpuSeconds = seconds(ProcessCpuClock.nanos() - cpuStart);
    if (cpuSeconds <= 0) {
      // The process clock advances in scheduler ticks (10 ms here): a pass shorter than one tick
      // reads 0. This thread's clock has nanosecond resolution and ran every query.
      cpuSeconds = seconds(Math.max(1, threads.getCurrentThreadCpuTime() - threadCpuStart));
    }

    double recall = 0;
    double visited = 0;
    double rescored = 0;
    Map<String, Integer> strategies = new TreeMap<>();
    int segments = 0;
    for (int i = 0; i < results.length; i++) {
      recall += RecallAtK.of(results[i].hits(), truth[i], options.k());
      visited += results[i].visited();
      rescored += results[i].rescored();
      strategies.merge(results[i].strategy().name(), 1, Integer::sum);
      segments = Math.max(segments, results[i].segments());
    }
    Arrays.sort(latencies);
    int n = results.length;
    return new EfRun(
        ef,
        recall / n,
        n / wallSeconds,
        n / cpuSeconds,
        visited / n,
        rescored / n,
        percentileMs(latencies, 0.50),
        percentileMs(latencies, 0.99),
        segments,
        strategies);
  }

  /** Nearest-rank percentile of sorted nanosecond latencies, in milliseconds. */
  private static double percentileMs(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  /** Most untimed warm-up passes over the queries at one ef. */
  static final int MAX_WARM_UP_PASSES = 6;

  /**
   * Untimed passes over the queries (JIT, page cache, Lucene's lazy structures) until the JIT
   * compiler has settled: a pass during which compilation took under 2% of the pass's time, or
   * {@link #MAX_WARM_UP_PASSES}. Without this, compiler threads still busy with the query path land
   * in the timed pass's process CPU time (up to twice the elapsed time at small ef on two cores),
   * which is warm-up, not query cost.
   */
  private void warmUp(LuceneBackend backend, String collection, KnnQuery[] qs) {
    for (int pass = 1; pass <= MAX_WARM_UP_PASSES; pass++) {
      boolean settled =
          JitSettling.settledDuring(
              () -> {
                for (KnnQuery q : qs) {
                  backend.knn(collection, q);
                }
              });
      if (settled) {
        return;
      }
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
