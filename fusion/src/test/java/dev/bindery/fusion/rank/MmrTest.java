package dev.bindery.fusion.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.Hit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * MMR against a naive implementation on random candidates. A run's seed is printed in every
 * failure; rerun with {@code -Dtests.seed=N} to reproduce it.
 */
class MmrTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  static FusedHit fused(String id, double score) {
    return new FusedHit(new Hit(id, (float) score, "image", null, Map.of(), null), score, Map.of());
  }

  record Case(List<FusedHit> candidates, Map<String, float[]> vectors) {}

  /** Shuffled candidates with tied scores and unit vectors, some of them near-duplicates. */
  static Case randomCase(Random r) {
    int n = r.nextInt(30);
    int dim = 2 + r.nextInt(6);
    List<FusedHit> c = new ArrayList<>();
    Map<String, float[]> v = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = "c" + (char) ('a' + r.nextInt(26)) + i;
      double score = r.nextBoolean() ? r.nextInt(4) / 4.0 : r.nextDouble();
      c.add(fused(id, score));
      float[] x = new float[dim];
      if (i > 0 && r.nextInt(4) == 0) {
        float[] other = v.get(c.get(r.nextInt(i)).id());
        for (int d = 0; d < dim; d++) {
          x[d] = other[d] + (float) (r.nextGaussian() * 0.01);
        }
      } else {
        for (int d = 0; d < dim; d++) {
          x[d] = (float) r.nextGaussian();
        }
      }
      v.put(id, unit(x));
    }
    Collections.shuffle(c, r);
    return new Case(c, v);
  }

  static float[] unit(float[] x) {
    double s = 0;
    for (float f : x) {
      s += f * f;
    }
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) (x[i] / Math.sqrt(s));
    }
    return out;
  }

  /** Straight from the definition: every step recomputes max similarity over the selection. */
  static List<FusedHit> naiveMmr(
      List<FusedHit> candidates, Map<String, float[]> vectors, double lambda, int k) {
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (FusedHit c : candidates) {
      min = Math.min(min, c.score());
      max = Math.max(max, c.score());
    }
    List<FusedHit> selected = new ArrayList<>();
    List<FusedHit> left = new ArrayList<>(candidates);
    while (selected.size() < k && !left.isEmpty()) {
      FusedHit best = null;
      double bestValue = 0;
      for (FusedHit c : left) {
        double rel = max == min ? 1 : (c.score() - min) / (max - min);
        double maxSim = 0;
        for (int j = 0; j < selected.size(); j++) {
          double sim = cosine(vectors.get(c.id()), vectors.get(selected.get(j).id()));
          maxSim = j == 0 ? sim : Math.max(maxSim, sim);
        }
        double value = lambda * rel - (1 - lambda) * maxSim;
        boolean better =
            best == null
                || value > bestValue
                || (value == bestValue
                    && (c.score() > best.score()
                        || (c.score() == best.score() && c.id().compareTo(best.id()) < 0)));
        if (better) {
          best = c;
          bestValue = value;
        }
      }
      selected.add(best);
      left.remove(best);
    }
    return selected;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / (Math.sqrt(na) * Math.sqrt(nb));
  }

  @Test
  void lambdaOneIsPlainRanking() {
    Random r = new Random(SEED);
    for (int t = 0; t < 500; t++) {
      Case c = randomCase(r);
      int k = 1 + r.nextInt(35);
      List<FusedHit> plain = new ArrayList<>(c.candidates());
      plain.sort(RankFusion.RANKING);
      assertEquals(
          plain.subList(0, Math.min(k, plain.size())),
          Mmr.rerank(c.candidates(), c.vectors()::get, 1.0, k),
          "seed=" + SEED + " trial=" + t);
    }
  }

  @Test
  void equalsNaiveOnRandomCandidates() {
    Random r = new Random(SEED);
    for (int t = 0; t < 1000; t++) {
      Case c = randomCase(r);
      double lambda = r.nextInt(5) == 0 ? r.nextInt(2) : r.nextDouble();
      int k = 1 + r.nextInt(35);
      assertEquals(
          naiveMmr(c.candidates(), c.vectors(), lambda, k),
          Mmr.rerank(c.candidates(), c.vectors()::get, lambda, k),
          "seed=" + SEED + " trial=" + t + " lambda=" + lambda + " k=" + k);
    }
  }

  @Test
  void nearDuplicatesArePushedDown() {
    List<FusedHit> candidates =
        List.of(fused("cat1", 1.0), fused("cat1-copy", 0.99), fused("dog", 0.9));
    Map<String, float[]> v =
        Map.of(
            "cat1", unit(new float[] {1, 0, 0}),
            "cat1-copy", unit(new float[] {1, 0.01f, 0}),
            "dog", unit(new float[] {0, 1, 0}));
    assertEquals(
        List.of("cat1", "cat1-copy", "dog"),
        RankFusionTest.ids(Mmr.rerank(candidates, v::get, 1.0, 3)));
    List<FusedHit> diverse = Mmr.rerank(candidates, v::get, 0.5, 3);
    assertEquals(List.of("cat1", "dog", "cat1-copy"), RankFusionTest.ids(diverse));
    // Fused scores are kept, in MMR order.
    assertEquals(0.9, diverse.get(1).score());
    assertEquals(
        List.of("cat1", "dog"), RankFusionTest.ids(Mmr.rerank(candidates, v::get, 0.5, 2)));
  }

  @Test
  void emptyCandidatesGiveNothing() {
    assertEquals(List.of(), Mmr.rerank(List.of(), id -> new float[] {1}, 0.5, 3));
  }

  @Test
  void badArgumentsAreRejected() {
    List<FusedHit> candidates = List.of(fused("a", 1), fused("b", 0.5));
    Map<String, float[]> v = Map.of("a", new float[] {1, 0}, "b", new float[] {0, 1});
    for (double lambda : new double[] {-0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> Mmr.rerank(candidates, v::get, lambda, 2));
      assertTrue(e.getMessage().contains("lambda must be in [0,1]: " + lambda), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Mmr.rerank(candidates, v::get, 0.5, 0));
    assertTrue(e.getMessage().contains("k must be >= 1: 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Mmr.rerank(null, v::get, 0.5, 2));
    assertTrue(e.getMessage().contains("candidates must not be null"), e.getMessage());
    Function<String, float[]> missing = id -> id.equals("a") ? v.get("a") : null;
    e = assertThrows(IllegalArgumentException.class, () -> Mmr.rerank(candidates, missing, 0.5, 2));
    assertTrue(e.getMessage().contains("no vector for candidate 'b'"), e.getMessage());
    Function<String, float[]> ragged = id -> id.equals("a") ? new float[3] : new float[2];
    e = assertThrows(IllegalArgumentException.class, () -> Mmr.rerank(candidates, ragged, 0.5, 2));
    assertTrue(e.getMessage().contains("'a' has 3, 'b' has 2"), e.getMessage());
    List<FusedHit> dup = List.of(fused("a", 1), fused("a", 0.5));
    e = assertThrows(IllegalArgumentException.class, () -> Mmr.rerank(dup, v::get, 0.5, 2));
    assertTrue(e.getMessage().contains("duplicate candidate id 'a'"), e.getMessage());
    // Nothing was lost: the candidates still rerank.
    assertEquals(List.of("a", "b"), RankFusionTest.ids(Mmr.rerank(candidates, v::get, 0.5, 2)));
  }
}
