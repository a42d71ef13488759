package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.Similarity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InterleavedAnnBenchmarkTest {

  /** An engine with scripted timings that records the order it was called in. */
  private static final class ScriptedEngine implements RoundEngine {
    final String name;
    final double secondsPerPass;
    final int[][] ids;
    final List<String> calls;
    int queries;

    ScriptedEngine(String name, double secondsPerPass, int[][] ids, List<String> calls) {
      this.name = name;
      this.secondsPerPass = secondsPerPass;
      this.ids = ids;
      this.calls = calls;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String describe() {
      return "scripted";
    }

    @Override
    public Build build() {
      calls.add("build " + name);
      return new Build(secondsPerPass * 10, secondsPerPass * 10, 1);
    }

    @Override
    public Round query(int ef) {
      calls.add("query " + name + " " + ef);
      queries++;
      // Drifts upwards pass by pass, as a machine getting busier would.
      return new Round(ids, secondsPerPass * (1 + 0.1 * queries), secondsPerPass);
    }

    @Override
    public void close() {}
  }

  @Test
  void alternatesEnginesAndReportsPerRoundRatios() throws Exception {
    int[][] truth = {{0, 1}, {2, 3}};
    List<String> calls = new ArrayList<>();
    ScriptedEngine a = new ScriptedEngine("a", 1.0, truth, calls);
    ScriptedEngine b = new ScriptedEngine("b", 2.0, new int[][] {{0, 9}, {2, 3}}, calls);
    var options = new InterleavedAnnBenchmark.Options(List.of(2, 4), 2, 3, 2, 1, 0.5);
    var bench = new InterleavedAnnBenchmark(options, new PrintWriter(new StringWriter()));
    var results = bench.run(List.of(a, b), truth);

    // Builds alternate and rotate: a b, then b a; query rounds rotate the same way.
    assertEquals(List.of("build a", "build b", "build b", "build a"), calls.subList(0, 4));
    int firstRound = 4 + 2 * 2; // after the builds and one warm-up pass per engine and ef
    assertEquals(
        List.of("query a 2", "query b 2", "query a 4", "query b 4", "query b 2", "query a 2"),
        calls.subList(firstRound, firstRound + 6));

    assertEquals(1.0, results.get(0).recallByEf().get(2), 1e-12);
    assertEquals(0.75, results.get(1).recallByEf().get(4), 1e-12);
    // b takes twice a's time in every pass's scripted base time, so its CPU QPS is half of a's.
    var cpu =
        InterleavedAnnBenchmark.ratio(
            results.get(0).cpuQpsByEf().get(2), results.get(1).cpuQpsByEf().get(2));
    assertEquals(2.0, cpu.median(), 1e-9);
    assertEquals(3, cpu.n());
  }

  @Test
  void spreadIsTheMedianOfTheValuesWithTheirRange() {
    var odd = InterleavedAnnBenchmark.Spread.of(new double[] {3, 1, 2, Double.NaN});
    assertEquals(2, odd.median());
    assertEquals(1, odd.min());
    assertEquals(3, odd.max());
    assertEquals(3, odd.n());
    var even = InterleavedAnnBenchmark.Spread.of(new double[] {4, 1, 2, 10});
    assertEquals(3, even.median());
    assertEquals(0, InterleavedAnnBenchmark.Spread.of(new double[] {Double.NaN}).n());
  }

  @Test
  void ratiosArePairedWithinRounds() {
    // Paired per round, the ratio is exactly 2 every round, though both drift 10x across rounds.
    var r =
        InterleavedAnnBenchmark.ratio(new double[] {200, 2000, 20}, new double[] {100, 1000, 10});
    assertEquals(2, r.median(), 1e-12);
    assertEquals(2, r.min(), 1e-12);
    assertEquals(2, r.max(), 1e-12);
  }

  @Test
  void rejectsBadOptions() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new InterleavedAnnBenchmark.Options(List.of(5), 10, 1, 1, 1, 0.9));
    assertThrows(
        IllegalArgumentException.class,
        () -> new InterleavedAnnBenchmark.Options(List.of(10), 10, 0, 1, 1, 0.9));
  }

  @Test
  void jvectorFindsTheExactNeighboursOfAClusteredSet() throws Exception {
    long seed = 19;
    Random random = new Random(seed);
    int n = 2000;
    int dim = 24;
    float[][] base = new float[n][dim];
    for (float[] v : base) {
      for (int j = 0; j < dim; j++) {
        v[j] = (float) random.nextGaussian();
      }
    }
    float[][] queries = java.util.Arrays.copyOf(base, 50);
    int[][] truth = ExactNeighbors.topK(base, queries, 10, Similarity.COSINE, 1);
    try (JVectorRoundEngine engine =
        new JVectorRoundEngine(Similarity.COSINE, base, queries, 16, 100, 10, 1)) {
      engine.build();
      RoundEngine.Round round = engine.query(100);
      double recall = InterleavedAnnBenchmark.meanRecall(round.ids(), truth);
      assertTrue(recall >= 0.95, "JVector recall " + recall + " at ef 100, seed " + seed);
      // Queries are base rows, so each one's nearest neighbour is itself.
      for (int q = 0; q < queries.length; q++) {
        assertEquals(q, round.ids()[q][0], "query " + q + ", seed " + seed);
      }
      assertArrayEquals(round.ids()[0], engine.query(100).ids()[0]);
    }
  }
}
