package dev.bindery.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

  private static final double EPS = 1e-9;

  @Test
  void successIsOneWhenAnyRelevantItemIsInTheCutOff() {
    Judgments j = Judgments.binary(List.of("b", "z"));
    List<String> ranked = List.of("a", "b", "c");
    assertEquals(0.0, RankingMetrics.success(ranked, j, 1), EPS);
    assertEquals(1.0, RankingMetrics.success(ranked, j, 2), EPS);
    assertEquals(1.0, RankingMetrics.success(ranked, j, 5), EPS, "a short ranking is fine");
    assertEquals(0.5, RankingMetrics.recall(ranked, j, 5), EPS, "recall counts both relevant");
    assertEquals(1.0, RankingMetric.parse("success@5").of(ranked, j), EPS);
    assertThrows(IllegalArgumentException.class, () -> RankingMetric.parse("success"));
    assertThrows(
        IllegalArgumentException.class,
        () -> RankingMetrics.success(ranked, Judgments.binary(List.of()), 5));
  }

  /** Wikipedia, "Discounted cumulative gain", example: D1..D6 graded 3, 2, 3, 0, 1, 2. */
  @Test
  void wikipediaNdcgExampleWithLinearGain() {
    List<String> ranked = List.of("D1", "D2", "D3", "D4", "D5", "D6");
    Map<String, Integer> g = new LinkedHashMap<>();
    g.put("D1", 3);
    g.put("D2", 2);
    g.put("D3", 3);
    g.put("D4", 0);
    g.put("D5", 1);
    g.put("D6", 2);
    Judgments j = new Judgments(g);
    // The article's figures, rounded to 3 places: DCG6 = 6.861, IDCG6 = 7.141, nDCG6 = 0.961.
    assertEquals(6.861, RankingMetrics.dcg(ranked, j, 6, Gain.LINEAR), 5e-4);
    assertEquals(0.961, RankingMetrics.ndcg(ranked, j, 6, Gain.LINEAR), 5e-4);
    // ... and with D7 (grade 3) and D8 (grade 2) judged but not retrieved: IDCG6 = 8.740, 0.785.
    g.put("D7", 3);
    g.put("D8", 2);
    Judgments more = new Judgments(g);
    assertEquals(0.785, RankingMetrics.ndcg(ranked, more, 6, Gain.LINEAR), 5e-4);
  }

  @Test
  void exponentialGainIsTheDefaultAndHandComputed() {
    List<String> ranked = List.of("D1", "D2", "D3");
    Judgments j = new Judgments(Map.of("D1", 1, "D2", 0, "D3", 2));
    // DCG = 1/log2(2) + 0 + 3/log2(4) = 2.5; ideal 3, 1: 3 + 1/log2(3)
    double ideal = 3 + 1 / (Math.log(3) / Math.log(2));
    assertEquals(2.5, RankingMetrics.dcg(ranked, j, 3, Gain.EXPONENTIAL), EPS);
    assertEquals(2.5 / ideal, RankingMetrics.ndcg(ranked, j, 3), EPS);
    assertEquals(2.5 / ideal, RankingMetric.parse("ndcg@3").of(ranked, j), EPS);
  }

  /**
   * Average precision, worked by hand (the usual lecture layout): query 1 has 5 relevant items
   * found at ranks 1, 3, 6, 10, 20; query 2 has 3 found at ranks 2, 5, 7.
   */
  @Test
  void meanAveragePrecisionWorkedExample() {
    List<String> r1 = ranking(20);
    Judgments j1 = Judgments.binary(List.of("d1", "d3", "d6", "d10", "d20"));
    List<String> r2 = ranking(10);
    Judgments j2 = Judgments.binary(List.of("d2", "d5", "d7"));
    double ap1 = (1.0 + 2.0 / 3 + 3.0 / 6 + 4.0 / 10 + 5.0 / 20) / 5; // 0.5633
    double ap2 = (1.0 / 2 + 2.0 / 5 + 3.0 / 7) / 3; // 0.4429
    assertEquals(0.5633, ap1, 1e-4);
    assertEquals(ap1, RankingMetrics.averagePrecision(r1, j1), EPS);
    assertEquals(ap2, RankingMetrics.averagePrecision(r2, j2), EPS);
    assertEquals(
        0.5031,
        RankingMetrics.mean(
            List.of(
                RankingMetrics.averagePrecision(r1, j1), RankingMetrics.averagePrecision(r2, j2))),
        1e-4);
    // A relevant item never retrieved counts 0: AP halves when a second relevant one is missing.
    assertEquals(
        0.5, RankingMetrics.averagePrecision(List.of("d1"), Judgments.binary(List.of("d1", "x"))));
  }

  @Test
  void recallPrecisionAndReciprocalRankByHand() {
    List<String> ranked = List.of("a", "b", "c", "d");
    Judgments j = Judgments.binary(List.of("b", "d", "z"));
    assertEquals(0.0, RankingMetrics.recall(ranked, j, 1));
    assertEquals(1.0 / 3, RankingMetrics.recall(ranked, j, 2), EPS);
    assertEquals(2.0 / 3, RankingMetrics.recall(ranked, j, 10), EPS);
    assertEquals(0.5, RankingMetrics.precision(ranked, j, 2), EPS);
    // ranks past the end count as not relevant
    assertEquals(0.2, RankingMetrics.precision(ranked, j, 10), EPS);
    assertEquals(0.5, RankingMetrics.reciprocalRank(ranked, j), EPS);
    assertEquals(0.0, RankingMetrics.reciprocalRank(ranked, j, 1), EPS);
    assertEquals(0.5, RankingMetric.parse("MRR").of(ranked, j), EPS);
    assertEquals(0.0, RankingMetric.parse("mrr@1").of(ranked, j), EPS);
  }

  @Test
  void badInputIsRejectedWithTheFacts() {
    Judgments none = Judgments.binary(List.of());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RankingMetrics.recall(List.of("a"), none, 1));
    assertTrue(e.getMessage().contains("no relevant items"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RankingMetrics.precision(
                    List.of("a", "b", "a"), Judgments.binary(List.of("a")), 2));
    assertTrue(e.getMessage().contains("'a' twice (rank 3)"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RankingMetrics.recall(List.of("a"), Judgments.binary(List.of("a")), 0));
    assertTrue(e.getMessage().contains("k must be >= 1, got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Judgments(Map.of("x", -1)));
    assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("-1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RankingMetric.parse("recal@3"));
    assertTrue(e.getMessage().contains("unknown metric 'recal@3'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RankingMetric.parse("ndcg"));
    assertTrue(e.getMessage().contains("needs a cut-off"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RankingMetric.parse("map@5"));
    assertTrue(e.getMessage().contains("map takes no cut-off"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Gain.fromName("log"));
    assertTrue(e.getMessage().contains("unknown gain 'log'"), e.getMessage());
  }

  @Test
  void randomRankingsAgreeWithNaiveDefinitions() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    String msg = "seed " + seed;
    for (int trial = 0; trial < 500; trial++) {
      int corpus = 1 + rnd.nextInt(40);
      List<String> ids = ranking(corpus);
      Map<String, Integer> grades = new HashMap<>();
      for (String id : ids) {
        if (rnd.nextInt(3) == 0) {
          grades.put(id, rnd.nextInt(4));
        }
      }
      grades.put("d" + (1 + rnd.nextInt(corpus)), 1 + rnd.nextInt(3)); // at least one relevant
      Judgments j = new Judgments(grades);
      Collections.shuffle(ids, rnd);
      List<String> ranked = ids.subList(0, 1 + rnd.nextInt(corpus));
      int k = 1 + rnd.nextInt(corpus + 3);

      assertEquals(naiveRecall(ranked, grades, k), RankingMetrics.recall(ranked, j, k), EPS, msg);
      assertEquals(
          naivePrecision(ranked, grades, k), RankingMetrics.precision(ranked, j, k), EPS, msg);
      assertEquals(
          naiveRr(ranked, grades, k), RankingMetrics.reciprocalRank(ranked, j, k), EPS, msg);
      assertEquals(naiveAp(ranked, grades), RankingMetrics.averagePrecision(ranked, j), EPS, msg);
      for (Gain gain : Gain.values()) {
        double n = RankingMetrics.ndcg(ranked, j, k, gain);
        assertEquals(naiveNdcg(ranked, grades, k, gain), n, EPS, msg);
        assertTrue(n >= 0 && n <= 1 + EPS, msg);
      }
    }
  }

  private static List<String> ranking(int n) {
    List<String> r = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      r.add("d" + i);
    }
    return r;
  }

  private static boolean rel(Map<String, Integer> g, String id) {
    return g.containsKey(id) && g.get(id) > 0;
  }

  private static double naiveRecall(List<String> ranked, Map<String, Integer> g, int k) {
    long relevant = g.keySet().stream().filter(id -> rel(g, id)).count();
    long found = ranked.stream().limit(k).filter(id -> rel(g, id)).count();
    return (double) found / relevant;
  }

  private static double naivePrecision(List<String> ranked, Map<String, Integer> g, int k) {
    return (double) ranked.stream().limit(k).filter(id -> rel(g, id)).count() / k;
  }

  private static double naiveRr(List<String> ranked, Map<String, Integer> g, int k) {
    for (int r = 1; r <= k && r <= ranked.size(); r++) {
      if (rel(g, ranked.get(r - 1))) {
        return 1.0 / r;
      }
    }
    return 0;
  }

  private static double naiveAp(List<String> ranked, Map<String, Integer> g) {
    double sum = 0;
    int relevant = 0;
    for (String id : g.keySet()) {
      if (!rel(g, id)) {
        continue;
      }
      relevant++;
      int r = ranked.indexOf(id) + 1;
      if (r > 0) {
        sum += naivePrecision(ranked, g, r);
      }
    }
    return sum / relevant;
  }

  private static double naiveNdcg(List<String> ranked, Map<String, Integer> g, int k, Gain gain) {
    double dcg = 0;
    for (int r = 1; r <= k && r <= ranked.size(); r++) {
      int grade = g.getOrDefault(ranked.get(r - 1), 0);
      double gv = gain == Gain.LINEAR ? grade : Math.pow(2, grade) - 1;
      dcg += gv * Math.log(2) / Math.log(r + 1);
    }
    List<Integer> best = new ArrayList<>(g.values());
    best.sort(Collections.reverseOrder());
    double idcg = 0;
    for (int r = 1; r <= k && r <= best.size(); r++) {
      int grade = best.get(r - 1);
      idcg +=
          (gain == Gain.LINEAR ? grade : Math.pow(2, grade) - 1) * Math.log(2) / Math.log(r + 1);
    }
    return dcg / idcg;
  }
}
