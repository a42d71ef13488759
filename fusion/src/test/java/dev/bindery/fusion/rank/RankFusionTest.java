package dev.bindery.fusion.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.Hit;
import dev.bindery.indexer.SearchResult.Strategy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rank fusion against naive reference implementations on random legs. A run's seed is printed in
 * every failure; rerun with {@code -Dtests.seed=N} to reproduce it.
 */
class RankFusionTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  static Hit hit(String id, double score) {
    return new Hit(id, (float) score, "text", null, Map.of(), null);
  }

  static LegResult leg(String name, Hit... hits) {
    return new LegResult(name, List.of(hits), Strategy.HNSW, 7);
  }

  /** 1..4 legs over 30 ids, overlapping at random, scores drawn so that ties are common. */
  static List<LegResult> randomLegs(Random r) {
    int n = 1 + r.nextInt(4);
    List<LegResult> legs = new ArrayList<>();
    for (int l = 0; l < n; l++) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        ids.add(String.format("id%02d", i));
      }
      Collections.shuffle(ids, r);
      int size = r.nextInt(5) == 0 ? r.nextInt(2) : r.nextInt(21);
      boolean coarse = r.nextBoolean(); // few distinct values -> many ties
      double scale = r.nextBoolean() ? 1 : 25; // cosine-like or BM25-like
      List<Hit> hits = new ArrayList<>();
      for (String id : ids.subList(0, size)) {
        double s = coarse ? r.nextInt(4) * 0.25 : r.nextDouble();
        hits.add(hit(id, (s - (scale == 1 ? 0.5 : 0)) * scale));
      }
      hits.sort(Hit.RANKING);
      legs.add(new LegResult("leg" + l, hits, Strategy.HNSW, r.nextInt(1000)));
    }
    return legs;
  }

  static Map<String, Double> randomWeights(Random r, List<LegResult> legs) {
    Map<String, Double> w = new HashMap<>();
    for (LegResult leg : legs) {
      switch (r.nextInt(4)) {
        case 0 -> {} // default 1
        case 1 -> w.put(leg.leg(), 0.0);
        default -> w.put(leg.leg(), r.nextInt(4) * 0.5 + r.nextDouble() * 0.1);
      }
    }
    return w;
  }

  static FusionConfig randomConfig(Random r, List<LegResult> legs) {
    FusionConfig base =
        switch (r.nextInt(4)) {
          case 0 -> FusionConfig.rrf(r.nextInt(3) == 0 ? r.nextInt(3) : 60);
          case 1 -> FusionConfig.weighted(Normalization.MIN_MAX);
          case 2 -> FusionConfig.weighted(Normalization.Z_SCORE);
          default -> FusionConfig.dbsf();
        };
    return base.withWeights(randomWeights(r, legs));
  }

  // ---- naive reference, written from the definitions ----

  /** The unweighted contribution of each id in one leg. */
  static Map<String, Double> naiveContributions(LegResult leg, FusionConfig cfg) {
    Map<String, Double> out = new HashMap<>();
    List<Hit> hits = leg.hits();
    int n = hits.size();
    double sum = 0;
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (Hit h : hits) {
      sum += h.score();
      min = Math.min(min, h.score());
      max = Math.max(max, h.score());
    }
    double mean = n == 0 ? 0 : sum / n;
    double sq = 0;
    for (Hit h : hits) {
      sq += (h.score() - mean) * (h.score() - mean);
    }
    for (int i = 0; i < n; i++) {
      double s = hits.get(i).score();
      double c;
      if (cfg.method() == FusionMethod.RRF) {
        c = 1.0 / (cfg.rrfK() + i + 1);
      } else if (cfg.method() == FusionMethod.DBSF) {
        // Qdrant: sample std, mean +- 3 std as the 0 and 1 bounds; 0.5 when degenerate.
        double std = n < 2 ? 0 : Math.sqrt(sq / (n - 1));
        double lo = mean - 3 * std;
        double hi = mean + 3 * std;
        c = (n < 2 || hi == lo) ? 0.5 : Math.max(0, Math.min(1, (s - lo) / (hi - lo)));
      } else if (cfg.normalization() == Normalization.MIN_MAX) {
        c = max == min ? 1.0 : (s - min) / (max - min);
      } else {
        double std = Math.sqrt(sq / n);
        c = std == 0 ? 0.5 : 1 / (1 + Math.exp(-(s - mean) / std));
      }
      out.put(hits.get(i).id(), c);
    }
    return out;
  }

  static List<FusedHit> naiveFuse(List<LegResult> legs, FusionConfig cfg, int k) {
    List<LegResult> used = new ArrayList<>();
    double wsum = 0;
    for (LegResult l : legs) {
      if (cfg.weight(l.leg()) != 0) {
        used.add(l);
        wsum += cfg.weight(l.leg());
      }
    }
    Set<String> ids = new LinkedHashSet<>();
    for (LegResult l : used) {
      for (Hit h : l.hits()) {
        ids.add(h.id());
      }
    }
    List<Map<String, Double>> contrib = new ArrayList<>();
    for (LegResult l : used) {
      contrib.add(naiveContributions(l, cfg));
    }
    List<FusedHit> all = new ArrayList<>();
    for (String id : ids) {
      double score = 0;
      Hit representative = null;
      Map<String, LegScore> legScores = new LinkedHashMap<>();
      for (int li = 0; li < used.size(); li++) {
        LegResult l = used.get(li);
        LegScore ls = LegScore.ABSENT;
        for (int i = 0; i < l.hits().size(); i++) {
          Hit h = l.hits().get(i);
          if (h.id().equals(id)) {
            if (representative == null) {
              representative = h;
            }
            ls = new LegScore(i + 1, h.score(), contrib.get(li).get(id));
            score += cfg.weight(l.leg()) * ls.normalized();
          }
        }
        legScores.put(l.leg(), ls);
      }
      if (cfg.method() != FusionMethod.RRF) {
        score /= wsum;
      }
      all.add(new FusedHit(representative, score, legScores));
    }
    all.sort(
        (a, b) ->
            a.score() != b.score()
                ? Double.compare(b.score(), a.score())
                : a.id().compareTo(b.id()));
    return all.subList(0, Math.min(k, all.size()));
  }

  // ---- properties ----

  @Test
  void allMethodsEqualNaiveOnRandomLegs() {
    Random r = new Random(SEED);
    for (int t = 0; t < 2000; t++) {
      List<LegResult> legs = randomLegs(r);
      FusionConfig cfg = randomConfig(r, legs);
      int k = 1 + r.nextInt(40);
      String where = "seed=" + SEED + " trial=" + t + " " + cfg + " k=" + k;
      List<FusedHit> expected = naiveFuse(legs, cfg, k);
      List<FusedHit> actual = RankFusion.fuse(legs, cfg, k);
      assertEquals(ids(expected), ids(actual), where);
      for (int i = 0; i < expected.size(); i++) {
        FusedHit e = expected.get(i);
        FusedHit a = actual.get(i);
        assertEquals(e.score(), a.score(), 1e-12, where + " score of " + e.id());
        assertEquals(e.hit(), a.hit(), where + " representative of " + e.id());
        assertEquals(
            e.legs().keySet().stream().toList(), a.legs().keySet().stream().toList(), where);
        for (String l : e.legs().keySet()) {
          LegScore el = e.legs().get(l);
          LegScore al = a.legs().get(l);
          assertEquals(el.rank(), al.rank(), where + " rank in " + l);
          assertEquals(el.raw(), al.raw(), where + " raw in " + l);
          assertEquals(el.normalized(), al.normalized(), 1e-12, where + " normalized in " + l);
        }
      }
    }
  }

  @Test
  void rrfWithOneLegIsThatLegsRanking() {
    Random r = new Random(SEED);
    for (int t = 0; t < 500; t++) {
      LegResult leg = randomLegs(r).get(0);
      double w = 0.1 + r.nextDouble() * 3;
      FusionConfig cfg = FusionConfig.rrf(r.nextInt(100)).withWeights(Map.of(leg.leg(), w));
      int k = 1 + r.nextInt(25);
      List<String> expected = new ArrayList<>();
      for (Hit h : leg.hits().subList(0, Math.min(k, leg.hits().size()))) {
        expected.add(h.id());
      }
      assertEquals(
          expected, ids(RankFusion.fuse(List.of(leg), cfg, k)), "seed=" + SEED + " trial=" + t);
    }
  }

  @Test
  void zeroWeightRemovesTheLeg() {
    Random r = new Random(SEED);
    for (int t = 0; t < 1000; t++) {
      List<LegResult> legs = randomLegs(r);
      FusionConfig cfg = randomConfig(r, legs);
      int drop = r.nextInt(legs.size());
      String dropped = legs.get(drop).leg();
      Map<String, Double> weights = new HashMap<>(cfg.weights());
      weights.put(dropped, 0.0);
      List<LegResult> without = new ArrayList<>(legs);
      without.remove(drop);
      Map<String, Double> weightsWithout = new HashMap<>(cfg.weights());
      weightsWithout.remove(dropped);
      int k = 1 + r.nextInt(40);
      assertEquals(
          RankFusion.fuse(without, cfg.withWeights(weightsWithout), k),
          RankFusion.fuse(legs, cfg.withWeights(weights), k),
          "seed=" + SEED + " trial=" + t + " dropping " + dropped);
    }
  }

  @Test
  void normalizedMethodsScoreWithinZeroAndOne() {
    Random r = new Random(SEED);
    int checked = 0;
    for (int t = 0; t < 2000; t++) {
      List<LegResult> legs = randomLegs(r);
      FusionConfig cfg = randomConfig(r, legs);
      if (!cfg.method().normalized()) {
        continue;
      }
      for (FusedHit h : RankFusion.fuse(legs, cfg, 100)) {
        checked++;
        assertTrue(
            h.score() >= 0 && h.score() <= 1, "seed=" + SEED + " trial=" + t + " " + cfg + " " + h);
        for (LegScore ls : h.legs().values()) {
          assertTrue(ls.normalized() >= 0 && ls.normalized() <= 1, "seed=" + SEED + " " + h);
        }
      }
    }
    assertTrue(checked > 1000, "too few hits checked: " + checked);
  }

  @Test
  void resultIsSortedByScoreThenId() {
    Random r = new Random(SEED);
    for (int t = 0; t < 500; t++) {
      List<LegResult> legs = randomLegs(r);
      List<FusedHit> out = RankFusion.fuse(legs, randomConfig(r, legs), 100);
      for (int i = 1; i < out.size(); i++) {
        FusedHit a = out.get(i - 1);
        FusedHit b = out.get(i);
        assertTrue(
            a.score() > b.score() || (a.score() == b.score() && a.id().compareTo(b.id()) < 0),
            "seed=" + SEED + " trial=" + t + " " + a + " before " + b);
      }
    }
  }

  // ---- worked examples ----

  @Test
  void rrfWorkedExample() {
    LegResult text = leg("text", hit("a", 9), hit("b", 5), hit("c", 1));
    LegResult image = leg("image", hit("c", 0.9), hit("a", 0.8));
    List<FusedHit> out = RankFusion.fuse(List.of(text, image), FusionConfig.rrf(), 10);
    // a: 1/61 + 1/62; c: 1/63 + 1/61; b: 1/62
    assertEquals(List.of("a", "c", "b"), ids(out));
    assertEquals(1.0 / 61 + 1.0 / 62, out.get(0).score(), 1e-15);
    assertEquals(1.0 / 63 + 1.0 / 61, out.get(1).score(), 1e-15);
    assertEquals(new LegScore(0, 0f, 0), out.get(2).legs().get("image"));
    // The representative hit comes from the first leg that has it.
    assertEquals(9f, out.get(0).hit().score());
    assertEquals(1f, out.get(1).hit().score());
  }

  @Test
  void equalRrfScoresBreakTiesById() {
    LegResult x = leg("x", hit("b", 1), hit("a", 0.5));
    LegResult y = leg("y", hit("a", 1), hit("b", 0.5));
    assertEquals(List.of("a", "b"), ids(RankFusion.fuse(List.of(x, y), FusionConfig.rrf(), 5)));
  }

  @Test
  void weightedMinMaxWorkedExample() {
    LegResult bm25 = leg("bm25", hit("a", 12), hit("b", 8), hit("c", 4));
    LegResult knn = leg("knn", hit("b", 0.9), hit("d", 0.5));
    FusionConfig cfg =
        FusionConfig.weighted(Normalization.MIN_MAX).withWeights(Map.of("bm25", 1.0, "knn", 3.0));
    List<FusedHit> out = RankFusion.fuse(List.of(bm25, knn), cfg, 10);
    // b: (1*0.5 + 3*1)/4 = 0.875; a: 1/4; d: 0; c: 0
    assertEquals(List.of("b", "a", "c", "d"), ids(out));
    assertEquals(0.875, out.get(0).score(), 1e-12);
    assertEquals(0.25, out.get(1).score(), 1e-12);
    assertEquals(0.0, out.get(2).score());
  }

  @Test
  void dbsfWorkedExample() {
    // scores 3, 2, 1: mean 2, sample std 1, bounds [-1, 5]: (s + 1) / 6
    LegResult one = leg("one", hit("a", 3), hit("b", 2), hit("c", 1));
    // a single hit gets 0.5 (Qdrant)
    LegResult two = leg("two", hit("c", 7));
    List<FusedHit> out = RankFusion.fuse(List.of(one, two), FusionConfig.dbsf(), 10);
    // c is last in "one" but the only hit of "two": (2/6 + 0.5) / 2 beats a's (4/6) / 2.
    assertEquals(List.of("c", "a", "b"), ids(out));
    assertEquals((2.0 / 6 + 0.5) / 2, out.get(0).score(), 1e-12);
    assertEquals((4.0 / 6) / 2, out.get(1).score(), 1e-12);
    assertEquals((3.0 / 6) / 2, out.get(2).score(), 1e-12);
  }

  @Test
  void zScoreMapsMeanToOneHalf() {
    LegResult l = leg("l", hit("a", 3), hit("b", 2), hit("c", 1));
    List<FusedHit> out =
        RankFusion.fuse(List.of(l), FusionConfig.weighted(Normalization.Z_SCORE), 10);
    assertEquals(0.5, out.get(1).score(), 1e-12);
    double std = Math.sqrt(2.0 / 3);
    assertEquals(1 / (1 + Math.exp(-1 / std)), out.get(0).score(), 1e-12);
  }

  @Test
  void noLegsOrOnlyZeroWeightsGiveNoHits() {
    assertEquals(List.of(), RankFusion.fuse(List.of(), FusionConfig.rrf(), 10));
    LegResult l = leg("l", hit("a", 1));
    assertEquals(
        List.of(),
        RankFusion.fuse(List.of(l), FusionConfig.dbsf().withWeights(Map.of("l", 0.0)), 10));
  }

  @Test
  void explanationIsOrderedAndCarriesLegFacts() {
    LegResult text = new LegResult("text", List.of(hit("a", 2), hit("b", 1)), Strategy.BM25, 0);
    LegResult image = new LegResult("image", List.of(hit("b", 0.5)), Strategy.HNSW, 321);
    List<LegResult> legs = List.of(text, image);
    FusedHit a =
        RankFusion.fuse(legs, FusionConfig.rrf(), 10).stream()
            .filter(h -> h.id().equals("a"))
            .findFirst()
            .orElseThrow();
    Explanation m = a.explain(legs);
    assertEquals(a.score(), m.score());
    assertEquals(List.of("text", "image"), List.copyOf(m.legs().keySet()));
    LegExplanation t = m.legs().get("text");
    assertEquals(1, t.score().rank());
    assertTrue(t.score().present());
    assertEquals(2f, t.score().raw());
    assertEquals(1.0 / (FusionConfig.DEFAULT_RRF_K + 1), t.score().normalized(), 1e-12);
    assertEquals(Strategy.BM25, t.strategy());
    assertEquals(0L, t.visited());
    LegExplanation i = m.legs().get("image");
    assertEquals(0, i.score().rank());
    assertFalse(i.score().present());
    assertEquals(Strategy.HNSW, i.strategy());
    assertEquals(321L, i.visited());
    // Without the leg results: scores only, no strategy or visited.
    Explanation plain = a.explain();
    assertEquals(LegScore.ABSENT, plain.legs().get("image").score());
    assertNull(plain.legs().get("image").strategy());
    assertNull(plain.legs().get("text").visited());
    assertEquals(2.0, plain.rawScore("te").orElseThrow());
    assertTrue(plain.rawScore("image").isEmpty(), "an absent leg has no raw score");
  }

  // ---- bad input ----

  @Test
  void unknownMethodNameListsValidOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FusionMethod.fromName("borda"));
    assertTrue(e.getMessage().contains("'borda'"), e.getMessage());
    assertTrue(e.getMessage().contains("rrf, weighted, dbsf"), e.getMessage());
    assertEquals(FusionMethod.DBSF, FusionMethod.fromName(" DBSF "));
    IllegalArgumentException n =
        assertThrows(IllegalArgumentException.class, () -> Normalization.fromName("l2"));
    assertTrue(n.getMessage().contains("'l2'") && n.getMessage().contains("minmax, zscore"));
    assertEquals(Normalization.Z_SCORE, Normalization.fromName("zscore"));
    assertThrows(IllegalArgumentException.class, () -> FusionMethod.fromName(null));
  }

  @Test
  void negativeOrNanWeightIsRejected() {
    Map<String, Double> neg = Map.of("text", -0.5);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FusionConfig.rrf().withWeights(neg));
    assertTrue(
        e.getMessage().contains("'text'") && e.getMessage().contains("-0.5"), e.getMessage());
    Map<String, Double> nan = Map.of("image", Double.NaN);
    e = assertThrows(IllegalArgumentException.class, () -> FusionConfig.dbsf().withWeights(nan));
    assertTrue(
        e.getMessage().contains("'image'") && e.getMessage().contains("NaN"), e.getMessage());
    Map<String, Double> inf = Map.of("image", Double.POSITIVE_INFINITY);
    assertThrows(IllegalArgumentException.class, () -> FusionConfig.dbsf().withWeights(inf));
    e = assertThrows(IllegalArgumentException.class, () -> FusionConfig.rrf(-1));
    assertTrue(e.getMessage().contains("rrfK") && e.getMessage().contains("-1"), e.getMessage());
  }

  @Test
  void badFuseArgumentsAreRejectedAndInputsKept() {
    LegResult l = leg("l", hit("a", 1), hit("b", 0.5));
    List<LegResult> legs = List.of(l);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RankFusion.fuse(legs, FusionConfig.rrf(), 0));
    assertTrue(e.getMessage().contains("k must be >= 1: 0"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> RankFusion.fuse(null, FusionConfig.rrf(), 3));
    assertTrue(e.getMessage().contains("legs must not be null"), e.getMessage());
    List<LegResult> withNull = new ArrayList<>(legs);
    withNull.add(null);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> RankFusion.fuse(withNull, FusionConfig.rrf(), 3));
    assertTrue(e.getMessage().contains("leg 1 is null"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RankFusion.fuse(List.of(l, leg("l", hit("c", 1))), FusionConfig.rrf(), 3));
    assertTrue(e.getMessage().contains("duplicate leg name 'l'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RankFusion.fuse(
                    List.of(leg("d", hit("a", 1), hit("a", 0.5))), FusionConfig.rrf(), 3));
    assertTrue(e.getMessage().contains("'a' twice, at ranks 1 and 2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RankFusion.fuse(legs, FusionConfig.rrf().withWeights(Map.of("txt", 2.0)), 3));
    assertTrue(e.getMessage().contains("'txt'") && e.getMessage().contains("[l]"), e.getMessage());
    List<LegResult> nan = List.of(leg("n", hit("a", Double.NaN)));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> RankFusion.fuse(nan, FusionConfig.dbsf(), 3));
    assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("NaN"), e.getMessage());
    // RRF uses ranks only, so a NaN score does not matter there.
    assertEquals(List.of("a"), ids(RankFusion.fuse(nan, FusionConfig.rrf(), 3)));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LegResult("x", List.of(hit("a", 1)), Strategy.EXACT, -3));
    assertTrue(e.getMessage().contains("visited") && e.getMessage().contains("-3"), e.getMessage());
    // Nothing was lost: the inputs are untouched and still fuse.
    assertEquals(List.of("a", "b"), ids(RankFusion.fuse(legs, FusionConfig.rrf(), 3)));
  }

  static List<String> ids(List<FusedHit> hits) {
    List<String> out = new ArrayList<>();
    for (FusedHit h : hits) {
      out.add(h.id());
    }
    return out;
  }
}
