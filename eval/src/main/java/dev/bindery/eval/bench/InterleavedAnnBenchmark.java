package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bindery.indexer.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bindery bench ann --rounds N}: engines measured in alternation, so that a shared machine's
 * drift (other processes, frequency, page cache) lands on every engine alike instead of on
 * whichever ran last. Builds run {@code buildRounds} times per engine, alternated (A B C, B C A,
 * ...); then, after untimed warm-up passes at every ef, each round answers every query once per ef
 * per engine (A B C at ef 10, A B C at ef 20, ...; the engine order rotates each round). Every
 * ratio against the reference engine (the first) is computed within a round and reported as the
 * median of the per-round ratios with their min and max; QPS at the target recall is read off each
 * round's own recall curve. Elapsed and CPU time are both reported: CPU time is what other
 * processes on the machine do not inflate.
 */
public final class InterleavedAnnBenchmark {

  /**
   * Parameters.
   *
   * @param efs candidate list sizes, each >= k
   * @param k neighbours per query
   * @param rounds timed rounds (each covers every ef and every engine)
   * @param buildRounds builds per engine, alternated
   * @param warmUpPasses untimed passes per engine and ef before the first round
   * @param recallTarget recall the ratios are read at
   */
  public record Options(
      List<Integer> efs,
      int k,
      int rounds,
      int buildRounds,
      int warmUpPasses,
      double recallTarget) {
    public Options {
      efs = List.copyOf(efs);
      if (efs.isEmpty()) {
        throw new IllegalArgumentException("at least one ef is needed");
      }
      for (int ef : efs) {
        if (ef < k) {
          throw new IllegalArgumentException("every ef must be >= k=" + k + ", got " + efs);
        }
      }
      if (rounds < 1 || buildRounds < 1 || warmUpPasses < 0) {
        throw new IllegalArgumentException(
            "rounds and build rounds must be >= 1 and warm-up passes >= 0, got rounds="
                + rounds
                + " build rounds="
                + buildRounds
                + " warm-up="
                + warmUpPasses);
      }
      if (!(recallTarget > 0 && recallTarget <= 1)) {
        throw new IllegalArgumentException("recall target must be in (0, 1], got " + recallTarget);
      }
    }
  }

  /**
   * A median with the range it came from.
   *
   * @param median median of the values (mean of the middle two for an even count)
   * @param min smallest value
   * @param max largest value
   * @param n how many values
   */
  public record Spread(double median, double min, double max, int n) {
    static Spread of(double[] values) {
      double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
      if (v.length == 0) {
        return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
      }
      int h = v.length / 2;
      double median = v.length % 2 == 1 ? v[h] : (v[h - 1] + v[h]) / 2;
      return new Spread(median, v[0], v[v.length - 1], v.length);
    }

    String format(String unit) {
      if (n == 0) {
        return "n/a";
      }
      return String.format("%.3g%s [%.3g-%.3g]", median, unit, min, max);
    }
  }

  /** Everything one engine did: builds, recall per ef, and per-round QPS per ef. */
  public record EngineRounds(
      String name,
      String description,
      int buildThreads,
      List<RoundEngine.Build> builds,
      Map<Integer, Double> recallByEf,
      Map<Integer, RoundEngine.Cost> costByEf,
      Map<Integer, double[]> qpsByEf,
      Map<Integer, double[]> cpuQpsByEf) {

    /** Median QPS per ef over the rounds, elapsed or CPU. */
    double medianQps(int ef, boolean cpu) {
      return Spread.of((cpu ? cpuQpsByEf : qpsByEf).get(ef)).median();
    }

    /** Per round, the QPS at {@code target} read off that round's curve (NaN when unreached). */
    double[] qpsAt(double target, boolean cpu) {
      int rounds = qpsByEf.values().iterator().next().length;
      double[] out = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        List<RecallCurve.Point> points = new ArrayList<>();
        for (var e : recallByEf.entrySet()) {
          double q = (cpu ? cpuQpsByEf : qpsByEf).get(e.getKey())[r];
          if (q > 0 && Double.isFinite(q)) {
            points.add(new RecallCurve.Point(e.getKey(), e.getValue(), q));
          }
        }
        Optional<RecallCurve.AtRecall> at =
            points.isEmpty() ? Optional.empty() : new RecallCurve(points).qpsAt(target);
        out[r] = at.map(RecallCurve.AtRecall::qps).orElse(Double.NaN);
      }
      return out;
    }

    double[] buildSeconds() {
      return builds.stream().mapToDouble(RoundEngine.Build::seconds).toArray();
    }

    double[] buildCpuSeconds() {
      return builds.stream().mapToDouble(RoundEngine.Build::cpuSeconds).toArray();
    }
  }

  private final Options options;
  private final PrintWriter log;

  public InterleavedAnnBenchmark(Options options, PrintWriter log) {
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.log = java.util.Objects.requireNonNull(log, "log");
  }

  /** Runs {@code engines} (the first is the reference) against {@code truth}. */
  List<EngineRounds> run(List<RoundEngine> engines, int[][] truth) throws Exception {
    int n = engines.size();
    List<List<RoundEngine.Build>> builds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      builds.add(new ArrayList<>());
    }
    for (int b = 0; b < options.buildRounds(); b++) {
      for (int j = 0; j < n; j++) {
        int i = (j + b) % n;
        log.printf("build round %d/%d: %s%n", b + 1, options.buildRounds(), engines.get(i).name());
        log.flush();
        RoundEngine.Build build = engines.get(i).build();
        builds.get(i).add(build);
        log.printf(
            "  %s: %.2f s elapsed, %.2f s CPU%n",
            engines.get(i).name(), build.seconds(), build.cpuSeconds());
        log.flush();
      }
    }
    List<Map<Integer, Double>> recall = new ArrayList<>();
    List<Map<Integer, RoundEngine.Cost>> costs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<Integer, Double> byEf = new LinkedHashMap<>();
      Map<Integer, RoundEngine.Cost> costByEf = new LinkedHashMap<>();
      for (int ef : options.efs()) {
        RoundEngine.Round first = null;
        for (int p = 0; p < Math.max(1, options.warmUpPasses()); p++) {
          first = engines.get(i).query(ef);
        }
        byEf.put(ef, meanRecall(first.ids(), truth));
        if (first.cost() != null) {
          costByEf.put(ef, first.cost());
        }
      }
      recall.add(byEf);
      costs.add(costByEf);
      log.printf("warmed up %s; recall by ef %s%n", engines.get(i).name(), byEf);
      log.flush();
    }
    List<Map<Integer, double[]>> qps = new ArrayList<>();
    List<Map<Integer, double[]>> cpuQps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<Integer, double[]> a = new LinkedHashMap<>();
      Map<Integer, double[]> c = new LinkedHashMap<>();
      for (int ef : options.efs()) {
        a.put(ef, new double[options.rounds()]);
        c.put(ef, new double[options.rounds()]);
      }
      qps.add(a);
      cpuQps.add(c);
    }
    for (int r = 0; r < options.rounds(); r++) {
      log.printf("query round %d/%d%n", r + 1, options.rounds());
      log.flush();
      for (int ef : options.efs()) {
        for (int j = 0; j < n; j++) {
          int i = (j + r) % n;
          RoundEngine.Round round = engines.get(i).query(ef);
          qps.get(i).get(ef)[r] = round.qps();
          cpuQps.get(i).get(ef)[r] = round.cpuQps();
        }
      }
    }
    List<EngineRounds> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new EngineRounds(
              engines.get(i).name(),
              engines.get(i).describe(),
              engines.get(i).buildThreads(),
              List.copyOf(builds.get(i)),
              recall.get(i),
              costs.get(i),
              qps.get(i),
              cpuQps.get(i)));
    }
    return out;
  }

  static double meanRecall(int[][] ids, int[][] truth) {
    if (ids.length != truth.length) {
      throw new IllegalStateException(
          "an engine answered " + ids.length + " queries, expected " + truth.length);
    }
    double sum = 0;
    for (int q = 0; q < ids.length; q++) {
      sum += RecallAtK.of(ids[q], truth[q], truth[q].length);
    }
    return sum / ids.length;
  }

  /** Per-round ratio reference/engine of {@code ref} and {@code other} (same rounds). */
  static Spread ratio(double[] ref, double[] other) {
    double[] r = new double[Math.min(ref.length, other.length)];
    for (int i = 0; i < r.length; i++) {
      r[i] = ref[i] / other[i];
    }
    return Spread.of(r);
  }

  /** Prints the tables: builds, QPS per ef, and ratios against the first engine. */
  void print(List<EngineRounds> results, PrintWriter out) {
    EngineRounds ref = results.get(0);
    out.printf(
        "%nInterleaved: %d build round(s), %d query round(s); medians with [min-max] over"
            + " rounds%n",
        ref.builds().size(), ref.qpsByEf().values().iterator().next().length);
    AnnRoundsTables.settings(results).print(out, "  ");
    out.printf("%nBuild%n");
    AnnRoundsTables.builds(results).print(out, "  ");
    out.printf("%nQueries (one thread)%n");
    AnnRoundsTables.queries(results, options.efs(), options.k()).print(out, "  ");
    AnnRoundsTables.costs(results)
        .ifPresent(
            costs -> {
              out.printf(
                  "%nPer query (vector bytes: visited x stored vector + rescored x float32"
                      + " vector)%n");
              costs.print(out, "  ");
            });
    out.printf(
        "%nRatios, %s / engine, per round (>1: %s faster); median [min-max]%n",
        ref.name(), ref.name());
    AnnRoundsTables.ratios(results, options.recallTarget()).print(out, "  ");
    out.flush();
  }

  /** Writes every round's raw numbers and the summary ratios as JSON. */
  void writeJson(List<EngineRounds> results, Map<String, Object> context, Path file)
      throws IOException {
    Map<String, Object> root = new LinkedHashMap<>(context);
    root.put("options", options);
    List<Map<String, Object>> engines = new ArrayList<>();
    EngineRounds ref = results.get(0);
    double t = options.recallTarget();
    for (EngineRounds e : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", e.name());
      m.put("description", e.description());
      m.put("builds", e.builds());
      m.put("build_seconds", Spread.of(e.buildSeconds()));
      m.put("recall_by_ef", e.recallByEf());
      if (!e.costByEf().isEmpty()) {
        m.put("per_query_cost_by_ef", e.costByEf());
      }
      m.put("qps_by_ef_per_round", e.qpsByEf());
      m.put("cpu_qps_by_ef_per_round", e.cpuQpsByEf());
      m.put("qps_at_target_per_round", e.qpsAt(t, false));
      m.put("cpu_qps_at_target_per_round", e.qpsAt(t, true));
      if (e != ref) {
        m.put(
            "ratio_reference_over_engine_qps_at_target",
            ratio(ref.qpsAt(t, false), e.qpsAt(t, false)));
        m.put(
            "ratio_reference_over_engine_cpu_qps_at_target",
            ratio(ref.qpsAt(t, true), e.qpsAt(t, true)));
        m.put(
            "ratio_engine_over_reference_build_seconds",
            ratio(e.buildSeconds(), ref.buildSeconds()));
      }
      engines.add(m);
    }
    root.put("reference", ref.name());
    root.put("engines", engines);
    root.put("machine", MachineFacts.describe());
    AtomicFiles.write(
        file,
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root));
  }
}
