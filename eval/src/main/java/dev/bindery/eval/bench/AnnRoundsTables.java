package dev.bindery.eval.bench;

import dev.bindery.eval.bench.InterleavedAnnBenchmark.EngineRounds;
import dev.bindery.eval.bench.InterleavedAnnBenchmark.Spread;
import dev.bindery.server.cli.TextTable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tables of an interleaved ANN run ({@code bench ann --rounds}): each engine's settings, its
 * builds, recall and QPS per ef, what a query reads, and the ratios against the reference engine.
 * Built once from the results, so the terminal ({@link InterleavedAnnBenchmark#print}) and the
 * Markdown report ({@link AnnRoundsReport}) show the same columns and figures.
 */
final class AnnRoundsTables {

  /**
   * A table's columns and rows.
   *
   * @param headers column titles; a title starting with {@code >} (not shown) marks a right-aligned
   *     column
   * @param rows cells, one list per row, as many as there are headers
   */
  record Table(List<String> headers, List<List<String>> rows) {
    Table {
      headers = List.copyOf(headers);
      rows = rows.stream().map(List::copyOf).toList();
      for (List<String> row : rows) {
        if (row.size() != headers.size()) {
          throw new IllegalArgumentException(
              "row " + row + " has " + row.size() + " cells for " + headers.size() + " columns");
        }
      }
    }

    /** A GitHub Markdown table, right-aligned columns marked {@code ---:}. */
    String markdown() {
      StringBuilder b = new StringBuilder("|");
      StringBuilder rule = new StringBuilder("|");
      for (String h : headers) {
        boolean right = h.startsWith(">");
        b.append(' ').append(right ? h.substring(1) : h).append(" |");
        rule.append(right ? "---:|" : "---|");
      }
      b.append('\n').append(rule).append('\n');
      for (List<String> row : rows) {
        b.append("| ").append(String.join(" | ", row)).append(" |\n");
      }
      return b.toString();
    }

    /** Padded columns for a terminal, each line starting with {@code indent}. */
    void print(PrintWriter out, String indent) {
      TextTable t = new TextTable(headers.toArray(String[]::new));
      for (List<String> row : rows) {
        t.row(row.toArray());
      }
      t.print(out, indent);
    }
  }

  private AnnRoundsTables() {}

  /** Each engine's name and settings. */
  static Table settings(List<EngineRounds> results) {
    List<List<String>> rows = new ArrayList<>();
    for (EngineRounds e : results) {
      rows.add(List.of(e.name(), e.description()));
    }
    return new Table(List.of("engine", "settings"), rows);
  }

  /** Build threads, elapsed and CPU seconds (median [min-max]) and the last build's bytes. */
  static Table builds(List<EngineRounds> results) {
    List<List<String>> rows = new ArrayList<>();
    for (EngineRounds e : results) {
      rows.add(
          List.of(
              e.name(),
              Integer.toString(e.buildThreads()),
              Spread.of(e.buildSeconds()).format(""),
              Spread.of(e.buildCpuSeconds()).format(""),
              Long.toString(e.builds().get(e.builds().size() - 1).indexBytes())));
    }
    return new Table(List.of("engine", ">threads", "elapsed s", "CPU s", ">index bytes"), rows);
  }

  /** Per engine and ef: recall@k and QPS, elapsed and CPU (median [min-max] over rounds). */
  static Table queries(List<EngineRounds> results, List<Integer> efs, int k) {
    List<List<String>> rows = new ArrayList<>();
    for (EngineRounds e : results) {
      for (int ef : efs) {
        rows.add(
            List.of(
                e.name(),
                Integer.toString(ef),
                String.format(Locale.ROOT, "%.4f", e.recallByEf().get(ef)),
                Spread.of(e.qpsByEf().get(ef)).format(""),
                Spread.of(e.cpuQpsByEf().get(ef)).format("")));
      }
    }
    return new Table(List.of("engine", ">ef", ">recall@" + k, "QPS", "CPU QPS"), rows);
  }

  /** Per engine and ef, what a query reads; empty when no engine reported it. */
  static Optional<Table> costs(List<EngineRounds> results) {
    List<List<String>> rows = new ArrayList<>();
    for (EngineRounds e : results) {
      for (var c : e.costByEf().entrySet()) {
        rows.add(
            List.of(
                e.name(),
                Integer.toString(c.getKey()),
                String.format(Locale.ROOT, "%.1f", c.getValue().visited()),
                String.format(Locale.ROOT, "%.1f", c.getValue().rescored()),
                String.format(Locale.ROOT, "%.0f", c.getValue().vectorBytes())));
      }
    }
    return rows.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Table(List.of("engine", ">ef", ">visited", ">rescored", ">vector bytes"), rows));
  }

  /**
   * Per engine after the first (the reference): the per-round ratios reference/engine of QPS at
   * {@code target} recall, elapsed and CPU, and engine/reference of build seconds (build speed is
   * 1/seconds, so that is the ratio of speeds), each as median [min-max].
   */
  static Table ratios(List<EngineRounds> results, double target) {
    EngineRounds ref = results.get(0);
    List<List<String>> rows = new ArrayList<>();
    for (EngineRounds e : results.subList(1, results.size())) {
      rows.add(
          List.of(
              e.name(),
              InterleavedAnnBenchmark.ratio(ref.qpsAt(target, false), e.qpsAt(target, false))
                  .format("x"),
              InterleavedAnnBenchmark.ratio(ref.qpsAt(target, true), e.qpsAt(target, true))
                  .format("x"),
              InterleavedAnnBenchmark.ratio(e.buildSeconds(), ref.buildSeconds()).format("x"),
              InterleavedAnnBenchmark.ratio(e.buildCpuSeconds(), ref.buildCpuSeconds())
                  .format("x")));
    }
    return new Table(
        List.of(
            "engine",
            "QPS at recall " + target,
            "CPU QPS at recall " + target,
            "build, elapsed",
            "build, CPU"),
        rows);
  }
}
