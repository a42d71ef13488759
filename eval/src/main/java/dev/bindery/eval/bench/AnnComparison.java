package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.eval.bench.AnnReport.EfRun;
import dev.bindery.eval.bench.AnnReport.StorageResult;
import dev.bindery.eval.bench.EngineResult.Clock;
import dev.bindery.indexer.AtomicFiles;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bindery's storages and the ANN peers side by side, from one run: per engine the recall-QPS curve,
 * build time and size, the QPS each reaches at the target recall (read off its curve, see {@link
 * RecallCurve}), and the two ratios the README reports: Bindery float32 QPS at the target recall
 * over hnswlib's, and Bindery float32 build time over hnswlib's. Both are given twice: in elapsed
 * (wall-clock) time, what a user waits, and in CPU time, which other processes on a shared machine
 * do not inflate (see {@link EngineResult.Clock}). Writes JSON, Markdown and the PNG plots.
 *
 * @param bindery the full Bindery report of the run (storages, files, visited counts)
 * @param engines Bindery's storages then the peers, as one list
 * @param peerVersions versions the peer script reported (empty without peers)
 * @param command the command line that regenerates this report
 */
public record AnnComparison(
    AnnReport bindery,
    List<EngineResult> engines,
    Map<String, String> peerVersions,
    String command) {

  /** The engine whose figures are the numerator of the headline ratios. */
  public static final String BASELINE = "bindery float32";

  /** The peer the headline ratios divide by. */
  public static final String PEER = "hnswlib";

  public AnnComparison {
    java.util.Objects.requireNonNull(bindery, "bindery");
    java.util.Objects.requireNonNull(command, "command");
    engines = List.copyOf(engines);
    peerVersions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peerVersions));
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("a comparison needs at least one engine");
    }
  }

  /** Bindery's storages of {@code report} as engines, followed by {@code peers}. */
  public static AnnComparison of(
      AnnReport report,
      List<EngineResult> peers,
      Map<String, String> peerVersions,
      String command) {
    List<EngineResult> all = new ArrayList<>();
    int buildThreads = ((Number) report.params().getOrDefault("build_threads", 1)).intValue();
    String lucene = String.valueOf(report.machine().getOrDefault("lucene_version", "?"));
    for (StorageResult s : report.storages()) {
      all.add(fromStorage(s, buildThreads, lucene));
    }
    all.addAll(peers);
    return new AnnComparison(report, all, peerVersions, command);
  }

  /**
   * The report name of a Bindery storage: {@code bindery float32}, {@code bindery binary+rescore}.
   */
  static String engineName(VectorStorage storage) {
    return "bindery " + storage.wireName() + (storage == VectorStorage.BINARY ? "+rescore" : "");
  }

  static EngineResult fromStorage(StorageResult s, int buildThreads, String luceneVersion) {
    Map<String, Long> f = s.filesByExtension();
    long graph = f.getOrDefault("vex", 0L);
    // A quantized search walks the graph over the quantized vectors (veq) and rescores a few
    // candidates from the float32 copy (vec); float32 reads vec alone.
    long vectors =
        s.storage() == VectorStorage.FLOAT32
            ? f.getOrDefault("vec", 0L)
            : f.getOrDefault("veq", 0L);
    String note =
        String.format(
            Locale.ROOT,
            "%d writer thread%s: ingest + commit %.1f s (%d segment%s), then forceMerge(1) %.1f s"
                + " on Lucene's merge thread",
            buildThreads,
            buildThreads == 1 ? "" : "s",
            s.buildSeconds(),
            s.segmentsBeforeMerge(),
            s.segmentsBeforeMerge() == 1 ? "" : "s",
            s.mergeSeconds());
    List<EngineResult.Run> runs = new ArrayList<>();
    for (EfRun r : s.runs()) {
      runs.add(
          new EngineResult.Run(
              r.ef(), r.recall(), r.qps(), r.cpuQps(), r.p50Ms(), r.p99Ms(), Double.NaN));
    }
    return new EngineResult(
        engineName(s.storage()),
        "Lucene " + luceneVersion,
        s.count(),
        s.buildSeconds() + s.mergeSeconds(),
        s.buildCpuSeconds() + s.mergeCpuSeconds(),
        buildThreads,
        note,
        s.indexBytes(),
        graph + vectors,
        runs);
  }

  /** The engine called {@code name}, if it ran. */
  public Optional<EngineResult> engine(String name) {
    return engines.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /**
   * The QPS of {@code engine} at the report's target recall, read off its curve in {@code clock}.
   */
  public Optional<RecallCurve.AtRecall> atTarget(EngineResult engine, Clock clock) {
    return engine.curve(clock).qpsAt(bindery.recallTarget());
  }

  /** Bindery float32 QPS at the target recall divided by hnswlib's, if both reach it. */
  public Optional<Double> qpsRatio(Clock clock) {
    return ratio(BASELINE, PEER, e -> atTarget(e, clock).map(RecallCurve.AtRecall::qps));
  }

  /** Bindery float32 build time divided by hnswlib's (above 1: Bindery builds slower). */
  public Optional<Double> buildTimeRatio(Clock clock) {
    return ratio(BASELINE, PEER, e -> Optional.of(e.buildSeconds(clock)));
  }

  private Optional<Double> ratio(
      String num, String den, java.util.function.Function<EngineResult, Optional<Double>> value) {
    Optional<Double> a = engine(num).flatMap(value);
    Optional<Double> b = engine(den).flatMap(value);
    return a.isPresent() && b.isPresent() && b.get() > 0
        ? Optional.of(a.get() / b.get())
        : Optional.empty();
  }

  private int k() {
    return ((Number) bindery.params().getOrDefault("k", 10)).intValue();
  }

  // ---- JSON ----

  /** The report as a JSON tree; {@code bindery} holds the full Bindery report of the same run. */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("benchmark", "ann-peers");
    root.put("command", command);
    root.set("dataset", mapper.valueToTree(bindery.dataset()));
    root.set("params", mapper.valueToTree(bindery.params()));
    root.set("machine", mapper.valueToTree(bindery.machine()));
    root.set("peer_versions", mapper.valueToTree(peerVersions));
    root.put("recall_target", bindery.recallTarget());
    String key = "qps_ratio_at_recall_" + trim(bindery.recallTarget());
    String atKey = "qps_at_recall_" + trim(bindery.recallTarget());
    ObjectNode summary = root.putObject("summary");
    summary.put("baseline", BASELINE);
    summary.put("peer", PEER);
    putOptional(summary, key, qpsRatio(Clock.WALL));
    putOptional(summary, "build_time_ratio", buildTimeRatio(Clock.WALL));
    putOptional(summary, "build_speed_ratio", buildTimeRatio(Clock.WALL).map(r -> 1 / r));
    putOptional(summary, "cpu_" + key, qpsRatio(Clock.CPU));
    putOptional(summary, "cpu_build_time_ratio", buildTimeRatio(Clock.CPU));
    summary.put(
        "how",
        key
            + " = QPS of "
            + BASELINE
            + " / QPS of "
            + PEER
            + ", each read off its own recall-QPS curve at recall "
            + trim(bindery.recallTarget())
            + " (Pareto frontier, straight line in recall vs log QPS between the bracketing efs);"
            + " build_time_ratio = build seconds of "
            + BASELINE
            + " / "
            + PEER
            + " (above 1: Bindery builds slower); build_speed_ratio = its inverse; the cpu_"
            + " variants use the CPU time of the querying or building process instead of elapsed time");
    ArrayNode list = root.putArray("engines");
    Optional<EngineResult> peer = engine(PEER);
    for (EngineResult e : engines) {
      ObjectNode o = list.addObject();
      o.put("name", e.name());
      o.put("version", e.version());
      o.put("count", e.count());
      o.put("build_seconds", e.buildSeconds());
      o.put("build_cpu_seconds", e.buildCpuSeconds());
      o.put("build_threads", e.buildThreads());
      o.put("build_note", e.buildNote());
      o.put("build_vectors_per_s", e.buildVectorsPerSecond());
      o.put("index_bytes", e.indexBytes());
      o.put("bytes_per_vector", e.bytesPerVector());
      o.put("search_bytes_per_vector", e.searchBytesPerVector());
      for (Clock clock : Clock.values()) {
        String prefix = clock == Clock.WALL ? "" : "cpu_";
        Optional<RecallCurve.AtRecall> at = atTarget(e, clock);
        if (at.isPresent()) {
          ObjectNode a = o.putObject(prefix + atKey);
          a.put("qps", at.get().qps());
          a.put("method", at.get().method().name().toLowerCase(Locale.ROOT));
          putPoint(a, "below", at.get().below());
          putPoint(a, "above", at.get().above());
        } else {
          o.putNull(prefix + atKey);
        }
        putOptional(
            o,
            prefix + "qps_ratio_vs_" + PEER,
            peer.flatMap(p -> atTarget(p, clock)).flatMap(p -> at.map(a -> a.qps() / p.qps())));
        putOptional(
            o,
            prefix + "build_time_ratio_vs_" + PEER,
            peer.map(p -> e.buildSeconds(clock) / p.buildSeconds(clock)));
      }
      ArrayNode runs = o.putArray("runs");
      for (EngineResult.Run r : e.runs()) {
        ObjectNode j = runs.addObject();
        j.put("ef", r.ef());
        j.put("recall", r.recall());
        j.put("qps", r.qps());
        j.put("cpu_qps", r.cpuQps());
        j.put("p50_ms", r.p50Ms());
        j.put("p99_ms", r.p99Ms());
        if (!Double.isNaN(r.batchQps())) {
          j.put("batch_qps", r.batchQps());
        }
      }
    }
    root.set("bindery", bindery.toJson(mapper));
    return root;
  }

  private static void putPoint(ObjectNode o, String key, RecallCurve.Point p) {
    if (p == null) {
      o.putNull(key);
      return;
    }
    ObjectNode n = o.putObject(key);
    n.put("ef", p.ef());
    n.put("recall", p.recall());
    n.put("qps", p.qps());
  }

  private static void putOptional(ObjectNode o, String key, Optional<Double> v) {
    if (v.isPresent()) {
      o.put(key, v.get());
    } else {
      o.putNull(key);
    }
  }

  // ---- Markdown ----

  /**
   * The report as Markdown, linking the plots of {@code files} by file name (they sit beside the
   * Markdown file).
   */
  public String toMarkdown(ReportFiles files) {
    StringBuilder md = new StringBuilder();
    String t = trim(bindery.recallTarget());
    Map<String, Object> d = bindery.dataset();
    Map<String, Object> p = bindery.params();
    Map<String, Object> m = bindery.machine();
    md.append("# ANN side by side: Bindery (Lucene HNSW) and its peers\n\n");
    md.append("Generated by `bindery bench ann`; do not edit by hand. Regenerate with:\n\n```\n");
    if (command.contains("--peers")) {
      md.append(
          "eval/bench-peers/install-peers.sh   # once per machine: python3-hnswlib, python3-faiss\n");
    }
    if (command.contains("--dataset")) {
      md.append("eval/bench-peers/prepare-sentences.sh   # once: the dataset, cached\n");
    }
    md.append(command).append("\n```\n\n");
    md.append("**Data**: ")
        .append(fmt("%,d", ((Number) d.get("count")).intValue()))
        .append(" base vectors and ")
        .append(fmt("%,d", ((Number) d.get("query_count")).intValue()))
        .append(" held-out queries, ")
        .append(d.get("dim"))
        .append("-d");
    if (d.containsKey("text")) {
      md.append(": ").append(d.get("text"));
    }
    md.append(". Dataset fields: `").append(compact(d)).append("`.\n\n");
    md.append("**Index**: HNSW M=")
        .append(p.get("m"))
        .append(", efConstruction (Bindery's beam width)=")
        .append(p.get("beam_width"))
        .append(" for every engine; ")
        .append(p.get("similarity"))
        .append(" similarity; recall@")
        .append(k())
        .append(" against exact brute-force neighbours computed once")
        .append(bindery.groundTruthCached() ? " (read from the cache this run)" : "")
        .append(". ef sweep ")
        .append(p.get("ef"))
        .append(
            ". Queries one at a time on one thread for every engine, after untimed warm-up"
                + " passes at each ef (Bindery: until the JIT compiler has settled, at most "
                + AnnBenchmark.MAX_WARM_UP_PASSES
                + " passes; the peers: one).\n\n");
    md.append("**Machine**: ")
        .append(m.get("cores"))
        .append(" cores (")
        .append(m.get("cpu"))
        .append("), ")
        .append(m.get("os"))
        .append("; Java ")
        .append(m.get("java_version"))
        .append(", Lucene ")
        .append(m.get("lucene_version"))
        .append(", Panama vector module ")
        .append(Boolean.TRUE.equals(m.get("vector_incubator_module")) ? "on" : "off");
    if (!peerVersions.isEmpty()) {
      md.append("; peers: Python ")
          .append(peerVersions.getOrDefault("python", "?"))
          .append(", ")
          .append(peerVersions.getOrDefault("hnswlib", "hnswlib ?"))
          .append(", ")
          .append(peerVersions.getOrDefault("faiss", "faiss ?"));
    }
    md.append(". Load average when the peers started: ")
        .append(peerVersions.getOrDefault("load_average_at_start", "-"))
        .append("; after Bindery's runs: ")
        .append(m.getOrDefault("load_average_at_report", "-"))
        .append(".\n\n");

    md.append("## Headline ratios\n\n");
    md.append("| ratio | elapsed time | CPU time |\n|---|---|---|\n");
    md.append("| ")
        .append(BASELINE)
        .append(" QPS at recall@")
        .append(k())
        .append(" = ")
        .append(t)
        .append(" / ")
        .append(PEER)
        .append(" QPS at the same recall | ")
        .append(qpsRatio(Clock.WALL).map(r -> fmt("%.2f", r)).orElse("n/a"))
        .append(" | ")
        .append(qpsRatio(Clock.CPU).map(r -> fmt("%.2f", r)).orElse("n/a"))
        .append(" |\n");
    md.append("| ")
        .append(BASELINE)
        .append(" build time / ")
        .append(PEER)
        .append(" build time (above 1: Bindery slower) | ")
        .append(buildTimeRatio(Clock.WALL).map(r -> fmt("%.2f", r)).orElse("n/a"))
        .append(" | ")
        .append(buildTimeRatio(Clock.CPU).map(r -> fmt("%.2f", r)).orElse("n/a"))
        .append(" |\n");
    md.append("| the same as build speed (")
        .append(BASELINE)
        .append(" / ")
        .append(PEER)
        .append(" vectors per second) | ")
        .append(buildTimeRatio(Clock.WALL).map(r -> fmt("%.2f", 1 / r)).orElse("n/a"))
        .append(" | ")
        .append(buildTimeRatio(Clock.CPU).map(r -> fmt("%.2f", 1 / r)).orElse("n/a"))
        .append(" |\n\n");
    md.append(
            "Elapsed time is what a user waits. CPU time counts every thread of the querying or"
                + " building process (for the JVM that includes its garbage collector and JIT"
                + " compiler), so it is not inflated when other processes hold the core; on an idle"
                + " machine the two are close for single-threaded work. QPS at recall ")
        .append(t)
        .append(
            " is read off each engine's own curve: the Pareto frontier of its (recall, QPS)"
                + " points, joined by straight lines in recall against log QPS (the axes of the"
                + " plot), read at the target between the two efs that bracket it. When an"
                + " engine's smallest ef already exceeds the target, its QPS there is given as a"
                + " lower bound (\u2265).\n\n");
    md.append("![recall vs QPS](").append(name(files.recallPng())).append(")\n\n");
    md.append("![recall vs CPU QPS](").append(name(files.recallCpuPng())).append(")\n\n");
    md.append("![build time](").append(name(files.buildPng())).append(")\n\n");

    md.append("## QPS at recall@").append(k()).append(" = ").append(t).append("\n\n");
    md.append("| engine | clock | QPS at ")
        .append(t)
        .append(" | read between | QPS vs ")
        .append(PEER)
        .append(" |\n|---|---|---|---|---|\n");
    for (EngineResult e : engines) {
      for (Clock clock : Clock.values()) {
        md.append("| ").append(e.name()).append(" | ").append(clockName(clock)).append(" | ");
        Optional<RecallCurve.AtRecall> at = atTarget(e, clock);
        if (at.isEmpty()) {
          md.append("not reached (best recall ")
              .append(
                  fmt(
                      "%.4f",
                      e.runs().stream().mapToDouble(EngineResult.Run::recall).max().orElse(0)))
              .append(") | - | - |\n");
          continue;
        }
        RecallCurve.AtRecall a = at.get();
        Optional<Double> peerQps =
            engine(PEER).flatMap(x -> atTarget(x, clock)).map(RecallCurve.AtRecall::qps);
        md.append(a.method() == RecallCurve.Method.FIRST_ABOVE ? "\u2265 " : "")
            .append(fmt("%,.0f", a.qps()))
            .append(" | ");
        if (a.below() != null) {
          md.append(pointText(a.below())).append(" and ");
        }
        md.append(pointText(a.above())).append(" | ");
        md.append(peerQps.map(q -> fmt("%.2f", a.qps() / q)).orElse("-")).append(" |\n");
      }
    }
    md.append("\n");

    md.append("## Build and size\n\n");
    md.append(
        "| engine | version | build s (elapsed) | build s (CPU) | threads | vectors/s (elapsed)"
            + " | build time vs "
            + PEER
            + " (elapsed / CPU) | bytes/vector (index files) | bytes/vector (searched: graph +"
            + " vectors) |\n|---|---|---|---|---|---|---|---|---|\n");
    Optional<EngineResult> peer = engine(PEER);
    for (EngineResult e : engines) {
      md.append("| ")
          .append(e.name())
          .append(" | ")
          .append(e.version())
          .append(" | ")
          .append(fmt("%.1f", e.buildSeconds()))
          .append(" | ")
          .append(fmt("%.1f", e.buildCpuSeconds()))
          .append(" | ")
          .append(e.buildThreads())
          .append(" | ")
          .append(fmt("%,.0f", e.buildVectorsPerSecond()))
          .append(" | ")
          .append(
              peer.map(
                      x ->
                          fmt(
                              "%.2f / %.2f",
                              e.buildSeconds() / x.buildSeconds(),
                              e.buildCpuSeconds() / x.buildCpuSeconds()))
                  .orElse("-"))
          .append(" | ")
          .append(fmt("%,.0f", e.bytesPerVector()))
          .append(" | ")
          .append(fmt("%,.0f", e.searchBytesPerVector()))
          .append(" |\n");
    }
    md.append("\nHow each build time is made up:\n\n");
    for (EngineResult e : engines) {
      md.append("- ").append(e.name()).append(": ").append(e.buildNote()).append("\n");
    }
    md.append("\n");

    md.append("## Recall and QPS per ef\n\n");
    List<Integer> efs = new ArrayList<>();
    for (EngineResult e : engines) {
      for (EngineResult.Run r : e.runs()) {
        if (!efs.contains(r.ef())) {
          efs.add(r.ef());
        }
      }
    }
    efs.sort(Integer::compare);
    md.append(
        "| engine | ef | recall@"
            + k()
            + " | QPS (elapsed) | QPS (CPU) | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n");
    for (EngineResult e : engines) {
      for (int ef : efs) {
        e.runs().stream()
            .filter(x -> x.ef() == ef)
            .findFirst()
            .ifPresent(
                r ->
                    md.append("| ")
                        .append(e.name())
                        .append(" | ")
                        .append(ef)
                        .append(
                            fmt(
                                " | %.4f | %,.0f | %,.0f | %.3f | %.3f |\n",
                                r.recall(), r.qps(), r.cpuQps(), r.p50Ms(), r.p99Ms())));
      }
    }
    md.append("\n## How to read this\n\n");
    md.append(
        "- **Same work for everyone**: the same vectors (row i is id i), the same queries, the same"
            + " exact neighbours, the same M and efConstruction, one query per call on one thread."
            + " Lucene's level 0 keeps 2\u00b7M links like hnswlib and FAISS.\n");
    md.append(
        "- **Bindery's timings go through its public backend** (`LuceneBackend.knn`: a searcher"
            + " from Lucene's SearcherManager, a `KnnFloatVectorQuery`, hits with string ids),"
            + " the peers' through their Python bindings (`knn_query` / `search` with one row);"
            + " each side pays its own per-call overhead. The peers' `batch_qps` in the JSON is"
            + " all queries in one call on one thread, for reference.\n");
    md.append(
        "- **Bindery's build** is ingest through the backend (documents with an id field, in"
            + " batches), Lucene's flushes, a commit, and `forceMerge(1)` to one segment, so the"
            + " graph searched is one graph like the peers'. The merge reuses the largest segment's"
            + " graph and inserts the rest. Its CPU time counts every JVM thread (writer, merge,"
            + " garbage collector, JIT compiler).\n");
    md.append(
        "- **Quantized storages** (int8, int4, binary) walk the graph over quantized vectors and"
            + " rescore an oversampled candidate set with the float32 vectors, which they keep"
            + " beside the quantized ones; so their index files are larger than float32's while"
            + " what a search reads (graph + quantized vectors) is smaller.\n");
    md.append(
        "- **Noise**: the machine may be shared (see the load averages above); elapsed-time QPS"
            + " can move by 10-20% or more between runs, CPU-time QPS much less. Recall and sizes"
            + " are deterministic for a given build. Compare ratios from one run, not absolute"
            + " numbers across runs.\n");
    return md.toString();
  }

  private static String clockName(Clock clock) {
    return clock == Clock.WALL ? "elapsed" : "CPU";
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  private static String pointText(RecallCurve.Point p) {
    return fmt("ef %d (%.4f, %,.0f QPS)", p.ef(), p.recall(), p.qps());
  }

  private static String compact(Map<String, Object> d) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : d.entrySet()) {
      if (e.getKey().equals("text")) {
        continue;
      }
      sb.append(sb.isEmpty() ? "" : ", ").append(e.getKey()).append("=").append(e.getValue());
    }
    return sb.toString();
  }

  // ---- Files ----

  /** The files {@link #writeAll} writes for one report. */
  public record ReportFiles(
      Path markdown, Path json, Path recallPng, Path recallCpuPng, Path buildPng) {}

  /**
   * Writes {@code name}.md, {@code name}.json, {@code name}-recall-qps.png, {@code
   * name}-recall-cpu-qps.png and {@code name}-build.png into {@code dir}, each replaced atomically.
   */
  public ReportFiles writeAll(Path dir, String name) throws IOException {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "report name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    Files.createDirectories(dir);
    ReportFiles out =
        new ReportFiles(
            dir.resolve(name + ".md"),
            dir.resolve(name + ".json"),
            dir.resolve(name + "-recall-qps.png"),
            dir.resolve(name + "-recall-cpu-qps.png"),
            dir.resolve(name + "-build.png"));
    String subtitle =
        fmt(
            "%,d x %s-d, M=%s, efC=%s",
            ((Number) bindery.dataset().get("count")).intValue(),
            bindery.dataset().get("dim"),
            bindery.params().get("m"),
            bindery.params().get("beam_width"));
    AnnPlots.writeRecallQps(
        out.recallPng(), engines, Clock.WALL, k(), bindery.recallTarget(), subtitle);
    AnnPlots.writeRecallQps(
        out.recallCpuPng(), engines, Clock.CPU, k(), bindery.recallTarget(), subtitle);
    AnnPlots.writeBuildBars(out.buildPng(), engines, subtitle);
    writeJson(out.json());
    writeAtomically(out.markdown(), toMarkdown(out));
    return out;
  }

  /** Writes {@link #toJson} pretty-printed to {@code path}, replacing it atomically. */
  public void writeJson(Path path) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    writeAtomically(path, mapper.writeValueAsString(toJson(mapper)) + "\n");
  }

  /** Prints the QPS-at-target and build table to {@code out}. */
  public void printSummary(PrintWriter out) {
    String t = trim(bindery.recallTarget());
    out.printf(
        Locale.ROOT,
        "%n%-24s %12s %12s %10s %10s %10s %8s %10s%n",
        "engine",
        "QPS@" + t,
        "CPU QPS@" + t,
        "vs " + PEER,
        "build s",
        "build cpu",
        "threads",
        "bytes/vec");
    for (EngineResult e : engines) {
      out.printf(
          Locale.ROOT,
          "%-24s %12s %12s %10s %10.1f %10.1f %8d %10.0f%n",
          e.name(),
          qpsText(e, Clock.WALL),
          qpsText(e, Clock.CPU),
          atTarget(e, Clock.WALL)
              .flatMap(
                  a ->
                      engine(PEER)
                          .flatMap(x -> atTarget(x, Clock.WALL))
                          .map(q -> fmt("%.2f", a.qps() / q.qps())))
              .orElse("-"),
          e.buildSeconds(),
          e.buildCpuSeconds(),
          e.buildThreads(),
          e.bytesPerVector());
    }
    out.printf(
        Locale.ROOT,
        "%s / %s: QPS at recall %s %s (CPU %s), build time %s (CPU %s)%n",
        BASELINE,
        PEER,
        t,
        qpsRatio(Clock.WALL).map(r -> fmt("%.2f", r)).orElse("n/a"),
        qpsRatio(Clock.CPU).map(r -> fmt("%.2f", r)).orElse("n/a"),
        buildTimeRatio(Clock.WALL).map(r -> fmt("%.2f", r)).orElse("n/a"),
        buildTimeRatio(Clock.CPU).map(r -> fmt("%.2f", r)).orElse("n/a"));
    out.flush();
  }

  private String qpsText(EngineResult e, Clock clock) {
    return atTarget(e, clock)
        .map(a -> (a.method() == RecallCurve.Method.FIRST_ABOVE ? ">=" : "") + fmt("%.0f", a.qps()))
        .orElse("not reached");
  }

  private static void writeAtomically(Path path, String text) throws IOException {
    AtomicFiles.write(path, text.getBytes(StandardCharsets.UTF_8));
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String trim(double d) {
    String s = String.format(Locale.ROOT, "%.4f", d);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }
}
