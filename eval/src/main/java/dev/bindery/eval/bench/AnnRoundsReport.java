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
    b.append(AnnRoundsTables.settings(results).markdown());
    b.append("\n## Builds (median [min-max] over build rounds)\n\n");
    b.append(AnnRoundsTables.builds(results).markdown());
    b.append("\n## Queries, one thread (QPS: median [min-max] over rounds)\n\n");
    b.append(AnnRoundsTables.queries(results, o.efs(), o.k()).markdown());
    AnnRoundsTables.costs(results)
        .ifPresent(
            costs ->
                b.append("\n## What a query reads (Bindery engines)\n\n")
                    .append(
                        "Vector bytes = visited x one stored vector (quantized code with its"
                            + " corrections, or float32) + rescored x one float32 vector; graph"
                            + " neighbour lists and doc values are not counted.\n\n")
                    .append(costs.markdown()));
    b.append("\n## Ratios ")
        .append(ref.name())
        .append(" / engine, per round (> 1: ")
        .append(ref.name())
        .append(" faster); median [min-max]\n\n");
    b.append(AnnRoundsTables.ratios(results, t).markdown());
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
