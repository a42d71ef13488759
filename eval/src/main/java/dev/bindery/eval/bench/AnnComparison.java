package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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

  /** Neighbours per query in the run. */
  int k() {
    return ((Number) bindery.params().getOrDefault("k", 10)).intValue();
  }

  /** The report as a JSON tree ({@link AnnComparisonJson}). */
  public ObjectNode toJson(ObjectMapper mapper) {
    return AnnComparisonJson.of(this, mapper);
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
    writeAtomically(out.markdown(), AnnComparisonMarkdown.of(this, out));
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
