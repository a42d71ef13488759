package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one {@code bench ann} run measured: per storage the build, merge and size figures and, per
 * ef, recall and single-thread query speed; plus a summary that compares every storage with the
 * float32 baseline of the same run. Renders as a human table and as JSON.
 *
 * @param dataset where the vectors came from and their shape
 * @param params the benchmark parameters
 * @param machine cores, JVM, OS and Lucene version the numbers were taken on
 * @param groundTruthSeconds time to compute (or load) the exact neighbours
 * @param groundTruthCached whether the exact neighbours came from the cache
 * @param recallTarget the recall the summary looks for (0.95 by default)
 * @param storages one result per storage, in the order asked for
 */
public record AnnReport(
    Map<String, Object> dataset,
    Map<String, Object> params,
    Map<String, Object> machine,
    double groundTruthSeconds,
    boolean groundTruthCached,
    double recallTarget,
    List<StorageResult> storages) {

  /** The baseline every other storage is compared with. */
  public static final VectorStorage BASELINE = VectorStorage.FLOAT32;

  public AnnReport {
    dataset = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dataset));
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    machine = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(machine));
    storages = List.copyOf(storages);
  }

  /**
   * One storage's figures.
   *
   * @param storage the vector storage
   * @param oversample graph candidates per unit of ef, all rescored exactly (quantized storages)
   * @param count vectors indexed
   * @param buildSeconds ingest plus commit
   * @param segmentsBeforeMerge index segments after the commit (1 means the merge had nothing to
   *     do)
   * @param mergeSeconds force-merge to one segment
   * @param buildCpuSeconds CPU time of the whole process (all threads: writer, GC, JIT) during
   *     ingest plus commit; on a shared machine this moves less than wall time
   * @param mergeCpuSeconds CPU time of the whole process during the force-merge
   * @param indexBytes bytes of the collection's index files after the merge
   * @param filesByExtension bytes of the collection's files by extension, after the merge
   * @param runs one per ef, in the order asked for
   */
  public record StorageResult(
      VectorStorage storage,
      float oversample,
      int count,
      double buildSeconds,
      int segmentsBeforeMerge,
      double mergeSeconds,
      double buildCpuSeconds,
      double mergeCpuSeconds,
      long indexBytes,
      Map<String, Long> filesByExtension,
      List<EfRun> runs) {
    public StorageResult {
      filesByExtension =
          java.util.Collections.unmodifiableMap(new LinkedHashMap<>(filesByExtension));
      runs = List.copyOf(runs);
    }

    /** Most index segments any query saw (1 after a successful merge). */
    public int segments() {
      return runs.stream().mapToInt(EfRun::segments).max().orElse(0);
    }

    public double buildDocsPerSecond() {
      return count / buildSeconds;
    }

    public double bytesPerVector() {
      return (double) indexBytes / count;
    }

    /** The run with the lowest ef whose recall reaches {@code target}, if any. */
    public Optional<EfRun> firstReaching(double target) {
      return runs.stream().filter(r -> r.recall() >= target).min((a, b) -> a.ef() - b.ef());
    }
  }

  /**
   * Queries at one ef, timed single-threaded after a warm-up pass.
   *
   * @param ef HNSW candidate list size asked for
   * @param recall mean over queries of |hits ∩ exact top k| / k
   * @param qps queries per second
   * @param cpuQps queries per CPU second of the whole process (the query thread plus the garbage
   *     collection and compilation the queries cause); unlike {@code qps}, not inflated when other
   *     processes hold the core
   * @param meanVisited mean vector comparisons per query (Lucene's visited count)
   * @param meanRescored mean candidates rescored with float32 vectors
   * @param p50Ms median latency
   * @param p99Ms 99th-percentile latency
   * @param segments most index segments a query searched
   * @param strategies how many queries each {@code SearchResult.Strategy} answered
   */
  public record EfRun(
      int ef,
      double recall,
      double qps,
      double cpuQps,
      double meanVisited,
      double meanRescored,
      double p50Ms,
      double p99Ms,
      int segments,
      Map<String, Integer> strategies) {
    public EfRun {
      strategies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(strategies));
    }
  }

  /** The float32 result, if float32 was among the storages. */
  public Optional<StorageResult> baseline() {
    return storages.stream().filter(s -> s.storage() == BASELINE).findFirst();
  }

  /** The summary key, e.g. {@code qps_at_recall_0.95}. */
  public String targetKey() {
    return "qps_at_recall_" + trim(recallTarget);
  }

  /** The report as a JSON tree (snake_case keys; absent values are null). */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("benchmark", "ann");
    root.set("dataset", mapper.valueToTree(dataset));
    root.set("params", mapper.valueToTree(params));
    root.set("machine", mapper.valueToTree(machine));
    ObjectNode gt = root.putObject("ground_truth");
    gt.put("seconds", groundTruthSeconds);
    gt.put("cached", groundTruthCached);
    ObjectNode st = root.putObject("storages");
    for (StorageResult s : storages) {
      ObjectNode o = st.putObject(s.storage().wireName());
      o.put("oversample", s.oversample());
      o.put("count", s.count());
      o.put("build_seconds", s.buildSeconds());
      o.put("build_docs_per_s", s.buildDocsPerSecond());
      o.put("segments_before_merge", s.segmentsBeforeMerge());
      o.put("merge_seconds", s.mergeSeconds());
      o.put("build_cpu_seconds", s.buildCpuSeconds());
      o.put("merge_cpu_seconds", s.mergeCpuSeconds());
      o.put("index_bytes", s.indexBytes());
      o.put("bytes_per_vector", s.bytesPerVector());
      o.set("files_by_extension", mapper.valueToTree(s.filesByExtension()));
      o.put("segments", s.segments());
      var runs = o.putArray("runs");
      for (EfRun r : s.runs()) {
        ObjectNode j = runs.addObject();
        j.put("ef", r.ef());
        j.put("recall", r.recall());
        j.put("qps", r.qps());
        j.put("cpu_qps", r.cpuQps());
        j.put("mean_visited", r.meanVisited());
        j.put("mean_rescored", r.meanRescored());
        j.put("p50_ms", r.p50Ms());
        j.put("p99_ms", r.p99Ms());
        j.set("strategies", mapper.valueToTree(r.strategies()));
      }
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("baseline", BASELINE.wireName());
    summary.put("recall_target", recallTarget);
    Optional<StorageResult> base = baseline();
    Optional<EfRun> baseAtTarget = base.flatMap(b -> b.firstReaching(recallTarget));
    ObjectNode per = summary.putObject("storages");
    for (StorageResult s : storages) {
      ObjectNode o = per.putObject(s.storage().wireName());
      Optional<EfRun> at = s.firstReaching(recallTarget);
      if (at.isPresent()) {
        ObjectNode a = o.putObject(targetKey());
        a.put("ef", at.get().ef());
        a.put("recall", at.get().recall());
        a.put("qps", at.get().qps());
      } else {
        o.putNull(targetKey());
      }
      putRatio(
          o,
          "qps_ratio_vs_" + BASELINE.wireName(),
          at.map(EfRun::qps),
          baseAtTarget.map(EfRun::qps));
      putRatio(
          o,
          "bytes_ratio_vs_" + BASELINE.wireName(),
          Optional.of((double) s.indexBytes()),
          base.map(b -> (double) b.indexBytes()));
      putRatio(
          o,
          "build_seconds_ratio_vs_" + BASELINE.wireName(),
          Optional.of(s.buildSeconds()),
          base.map(StorageResult::buildSeconds));
    }
    return root;
  }

  /** Writes {@link #toJson} pretty-printed to {@code path}. */
  public void writeJson(Path path) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    mapper.writeValue(path.toFile(), toJson(mapper));
  }

  /** Prints the per-ef table, the per-storage build figures and the summary. */
  public void printTable(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "dataset: %s%nmachine: %s%nparams: %s%nground truth: %.2f s%s%n%n",
        dataset,
        machine,
        params,
        groundTruthSeconds,
        groundTruthCached ? " (cached)" : "");
    out.printf(
        Locale.ROOT,
        "%-8s %10s %10s %11s %9s %10s %12s %12s %10s%n",
        "storage",
        "build s",
        "docs/s",
        "segs built",
        "merge s",
        "index MB",
        "bytes/vec",
        "oversample",
        "segments");
    for (StorageResult s : storages) {
      out.printf(
          Locale.ROOT,
          "%-8s %10.2f %10.0f %11d %9.2f %10.2f %12.1f %12.1f %10d%n",
          s.storage().wireName(),
          s.buildSeconds(),
          s.buildDocsPerSecond(),
          s.segmentsBeforeMerge(),
          s.mergeSeconds(),
          s.indexBytes() / 1e6,
          s.bytesPerVector(),
          s.oversample(),
          s.segments());
    }
    out.println();
    // Quantized storages keep the float32 vectors (vec) for rescoring beside the quantized ones
    // (veq), so their index is larger on disk; what the graph search reads is vex + veq.
    out.printf(
        Locale.ROOT,
        "%-8s %10s %10s %10s %10s   (MB: vec raw float32, veq quantized, vex graph)%n",
        "storage",
        "vec",
        "veq",
        "vex",
        "other");
    for (StorageResult s : storages) {
      Map<String, Long> f = s.filesByExtension();
      long vec = f.getOrDefault("vec", 0L);
      long veq = f.getOrDefault("veq", 0L);
      long vex = f.getOrDefault("vex", 0L);
      long other = f.values().stream().mapToLong(Long::longValue).sum() - vec - veq - vex;
      out.printf(
          Locale.ROOT,
          "%-8s %10.2f %10.2f %10.2f %10.2f%n",
          s.storage().wireName(),
          vec / 1e6,
          veq / 1e6,
          vex / 1e6,
          other / 1e6);
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "%-8s %6s %8s %10s %10s %10s %9s %9s%n",
        "storage",
        "ef",
        "recall",
        "QPS",
        "visited",
        "rescored",
        "p50 ms",
        "p99 ms");
    for (StorageResult s : storages) {
      for (EfRun r : s.runs()) {
        out.printf(
            Locale.ROOT,
            "%-8s %6d %8.4f %10.1f %10.1f %10.1f %9.3f %9.3f%n",
            s.storage().wireName(),
            r.ef(),
            r.recall(),
            r.qps(),
            r.meanVisited(),
            r.meanRescored(),
            r.p50Ms(),
            r.p99Ms());
      }
    }
    out.println();
    Optional<StorageResult> base = baseline();
    Optional<EfRun> baseAtTarget = base.flatMap(b -> b.firstReaching(recallTarget));
    out.printf(
        Locale.ROOT,
        "summary at recall >= %s (ratios vs %s in this run)%n",
        trim(recallTarget),
        BASELINE.wireName());
    out.printf(
        Locale.ROOT,
        "%-8s %6s %8s %10s %10s %12s%n",
        "storage",
        "ef",
        "recall",
        "QPS",
        "QPS ratio",
        "bytes ratio");
    for (StorageResult s : storages) {
      Optional<EfRun> at = s.firstReaching(recallTarget);
      String qpsRatio =
          at.isPresent() && baseAtTarget.isPresent()
              ? String.format(Locale.ROOT, "%.2f", at.get().qps() / baseAtTarget.get().qps())
              : "-";
      String bytesRatio =
          base.map(
                  b -> String.format(Locale.ROOT, "%.3f", (double) s.indexBytes() / b.indexBytes()))
              .orElse("-");
      out.printf(
          Locale.ROOT,
          "%-8s %6s %8s %10s %10s %12s%n",
          s.storage().wireName(),
          at.map(r -> Integer.toString(r.ef())).orElse("-"),
          at.map(r -> String.format(Locale.ROOT, "%.4f", r.recall())).orElse("not reached"),
          at.map(r -> String.format(Locale.ROOT, "%.1f", r.qps())).orElse("-"),
          qpsRatio,
          bytesRatio);
    }
    out.flush();
  }

  private static void putRatio(
      ObjectNode o, String key, Optional<Double> value, Optional<Double> baseline) {
    if (value.isPresent() && baseline.isPresent() && baseline.get() > 0) {
      o.put(key, value.get() / baseline.get());
    } else {
      o.putNull(key);
    }
  }

  private static String trim(double d) {
    String s = String.format(Locale.ROOT, "%.4f", d);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }
}
