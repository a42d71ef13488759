package dev.bindery.eval.bench;

import dev.bindery.eval.bench.InterleavedAnnBenchmark.EngineRounds;
import dev.bindery.eval.bench.InterleavedAnnBenchmark.Spread;
import dev.bindery.indexer.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files {@code bench ann --rounds N --report-dir DIR} writes, each atomically: {@code NAME.md}
 * (the command, the machine and its load at the start and the end, every engine's settings, builds,
 * queries per ef, per-query cost and the ratios against the reference as medians of per-round
 * ratios with their range), {@code NAME.json} (every round's raw numbers), and three XChart plots:
 * recall against the median QPS over rounds, elapsed and CPU, and the median build time per engine.
 */
final class AnnRoundsReport {

  /** Where the files went. */
  record ReportFiles(Path markdown, Path json, Path recallQps, Path recallCpuQps, Path build) {}

  private AnnRoundsReport() {}

  static ReportFiles write(
      Path dir,
      String name,
      InterleavedAnnBenchmark bench,
      InterleavedAnnBenchmark.Options options,
      List<EngineRounds> results,
      Map<String, Object> context)
      throws IOException {
    Files.createDirectories(dir);
    ReportFiles f =
        new ReportFiles(
            dir.resolve(name + ".md"),
            dir.resolve(name + ".json"),
            dir.resolve(name + "-recall-qps.png"),
            dir.resolve(name + "-recall-cpu-qps.png"),
            dir.resolve(name + "-build.png"));
    bench.writeJson(results, context, f.json());
    List<EngineResult> plotted = asEngineResults(results, count(context));
    String subtitle = count(context) + " vectors, medians of " + options.rounds() + " rounds";
    AnnPlots.writeRecallQps(
        f.recallQps(),
        plotted,
        EngineResult.Clock.WALL,
        options.k(),
        options.recallTarget(),
        subtitle);
    AnnPlots.writeRecallQps(
        f.recallCpuQps(),
        plotted,
        EngineResult.Clock.CPU,
        options.k(),
        options.recallTarget(),
        subtitle);
    AnnPlots.writeBuildBars(f.build(), plotted, subtitle);
    AtomicFiles.write(
        f.markdown(),
        markdown(name, options, results, context, f).getBytes(StandardCharsets.UTF_8));
    return f;
  }

  private static int count(Map<String, Object> context) {
    Object d = context.get("dataset");
    if (d instanceof Map<?, ?> m && m.get("count") instanceof Number n) {
      return n.intValue();
    }
    return 1;
  }

  /**
   * One {@link EngineResult} per engine for the plots: the median build and, per ef, the recall and
   * the median QPS over rounds (latency percentiles are not measured per query here: NaN).
   */
  static List<EngineResult> asEngineResults(List<EngineRounds> results, int count) {
    List<EngineResult> out = new ArrayList<>();
    for (EngineRounds e : results) {
      List<EngineResult.Run> runs = new ArrayList<>();
      for (var r : e.recallByEf().entrySet()) {
        double qps = e.medianQps(r.getKey(), false);
        double cpu = e.medianQps(r.getKey(), true);
        if (qps > 0 && Double.isFinite(qps) && cpu > 0 && Double.isFinite(cpu)) {
          runs.add(
              new EngineResult.Run(
                  r.getKey(), r.getValue(), qps, cpu, Double.NaN, Double.NaN, Double.NaN));
        }
      }
      out.add(
          new EngineResult(
              e.name(),
              e.description(),
              count,
              Spread.of(e.buildSeconds()).median(),
              Spread.of(e.buildCpuSeconds()).median(),
              e.buildThreads(),
              "",
              e.builds().get(e.builds().size() - 1).indexBytes(),
              -1,
              runs));
    }
    return out;
  }

  private static String markdown(
      String name,
      InterleavedAnnBenchmark.Options o,
      List<EngineRounds> results,
      Map<String, Object> context,
      ReportFiles f) {
    StringBuilder b = new StringBuilder();
    EngineRounds ref = results.get(0);
    double t = o.recallTarget();
    b.append("# ANN engines in interleaved rounds: ").append(name).append("\n\n");
    b.append("Written by `bindery bench ann --rounds`; see `docs/benchmarks/ann-rounds.md` for")
        .append(" how the rounds alternate engines.\n\n");
    b.append("```\n").append(context.get("command")).append("\n```\n\n");
    b.append("- dataset: `").append(context.get("dataset")).append("`\n");
    b.append("- machine: `").append(MachineFacts.describe()).append("`\n");
    b.append("- load average: **")
        .append(context.get("load_average_at_start"))
        .append("** at the start, **")
        .append(context.get("load_average_at_end"))
        .append("** at the end\n");
    b.append(
        String.format(
            Locale.ROOT,
            "- k = %d, recall target %.2f, %d build round(s) per engine, %d warm-up pass(es),"
                + " %d query round(s), ef %s%n%n",
            o.k(),
            t,
            ref.builds().size(),
            o.warmUpPasses(),
            o.rounds(),
            o.efs()));
    b.append("| engine | settings |\n|---|---|\n");
    for (EngineRounds e : results) {
      b.append("| ").append(e.name()).append(" | ").append(e.description()).append(" |\n");
    }
    b.append("\n## Builds (median [min-max] over build rounds)\n\n");
    b.append("| engine | threads | elapsed s | CPU s | index bytes |\n|---|---:|---|---|---:|\n");
    for (EngineRounds e : results) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %d |%n",
              e.name(),
              e.buildThreads(),
              Spread.of(e.buildSeconds()).format(""),
              Spread.of(e.buildCpuSeconds()).format(""),
              e.builds().get(e.builds().size() - 1).indexBytes()));
    }
    b.append("\n## Queries, one thread (QPS: median [min-max] over rounds)\n\n");
    b.append("| engine | ef | recall@").append(o.k()).append(" | QPS | CPU QPS |\n");
    b.append("|---|---:|---:|---|---|\n");
    for (EngineRounds e : results) {
      for (int ef : o.efs()) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.4f | %s | %s |%n",
                e.name(),
                ef,
                e.recallByEf().get(ef),
                Spread.of(e.qpsByEf().get(ef)).format(""),
                Spread.of(e.cpuQpsByEf().get(ef)).format("")));
      }
    }
    if (results.stream().anyMatch(e -> !e.costByEf().isEmpty())) {
      b.append("\n## What a query reads (Bindery engines)\n\n");
      b.append(
          "Vector bytes = visited x one stored vector (quantized code with its corrections, or"
              + " float32) + rescored x one float32 vector; graph neighbour lists and doc values"
              + " are not counted.\n\n");
      b.append("| engine | ef | visited | rescored | vector bytes |\n|---|---:|---:|---:|---:|\n");
      for (EngineRounds e : results) {
        for (var c : e.costByEf().entrySet()) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %.1f | %.1f | %.0f |%n",
                  e.name(),
                  c.getKey(),
                  c.getValue().visited(),
                  c.getValue().rescored(),
                  c.getValue().vectorBytes()));
        }
      }
    }
    b.append("\n## Ratios ")
        .append(ref.name())
        .append(" / engine, per round (> 1: ")
        .append(ref.name())
        .append(" faster); median [min-max]\n\n");
    b.append("| engine | QPS at recall ")
        .append(t)
        .append(" | CPU QPS at recall ")
        .append(t)
        .append(" | build, elapsed | build, CPU |\n|---|---|---|---|---|\n");
    for (EngineRounds e : results.subList(1, results.size())) {
      b.append("| ")
          .append(e.name())
          .append(" | ")
          .append(InterleavedAnnBenchmark.ratio(ref.qpsAt(t, false), e.qpsAt(t, false)).format("x"))
          .append(" | ")
          .append(InterleavedAnnBenchmark.ratio(ref.qpsAt(t, true), e.qpsAt(t, true)).format("x"))
          .append(" | ")
          .append(InterleavedAnnBenchmark.ratio(e.buildSeconds(), ref.buildSeconds()).format("x"))
          .append(" | ")
          .append(
              InterleavedAnnBenchmark.ratio(e.buildCpuSeconds(), ref.buildCpuSeconds()).format("x"))
          .append(" |\n");
    }
    b.append(
        "\nQPS at the target recall is read off each round's own recall curve (log-linear"
            + " between the efs that bracket it); where an engine's lowest ef already exceeds"
            + " the target, its QPS there is a lower bound.\n\n");
    b.append("![recall vs QPS](").append(f.recallQps().getFileName()).append(")\n\n");
    b.append("![recall vs CPU QPS](").append(f.recallCpuQps().getFileName()).append(")\n\n");
    b.append("![build time](").append(f.build().getFileName()).append(")\n");
    return b.toString();
  }
}
