package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.eval.bench.RecallCurve.AtRecall;
import dev.bindery.eval.bench.RecallCurve.Method;
import dev.bindery.eval.bench.RecallCurve.Point;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading QPS off a recall curve: hand-computed cases and a naive version on random curves. */
class RecallCurveTest {

  @Test
  void interpolatesLogQpsLinearlyInRecall() {
    // The bracket for 0.95 is recall 0.90 (4000 QPS) .. 1.00 (1000 QPS); 0.95 is half way, so log
    // QPS is half way too: sqrt(4000 * 1000) = 2000.
    RecallCurve c =
        new RecallCurve(
            List.of(
                new Point(10, 0.80, 8000), new Point(20, 0.90, 4000), new Point(40, 1.0, 1000)));
    AtRecall at = c.qpsAt(0.95).orElseThrow();
    assertEquals(2000, at.qps(), 1e-9);
    assertEquals(Method.INTERPOLATED, at.method());
    assertEquals(20, at.below().ef());
    assertEquals(40, at.above().ef());

    // A quarter of the way: 4000 * (1000/4000)^0.25 = 4000 / sqrt(2) = 2828.43
    assertEquals(4000 / Math.sqrt(2), c.qpsAt(0.925).orElseThrow().qps(), 1e-9);
  }

  @Test
  void exactPointFirstPointAboveAndNotReached() {
    RecallCurve c = new RecallCurve(List.of(new Point(10, 0.96, 3000), new Point(20, 0.99, 1500)));
    AtRecall first = c.qpsAt(0.95).orElseThrow();
    assertEquals(Method.FIRST_ABOVE, first.method());
    assertEquals(3000, first.qps());
    assertNull(first.below());

    AtRecall exact = c.qpsAt(0.99).orElseThrow();
    assertEquals(Method.EXACT, exact.method());
    assertEquals(1500, exact.qps());

    assertTrue(c.qpsAt(0.995).isEmpty());
  }

  @Test
  void noisyPointsOffTheFrontierAreIgnored() {
    // ef 40 is slower than ef 80 at lower recall (timing noise): it is dominated and dropped, so
    // the bracket for 0.95 is ef 20 .. ef 80.
    RecallCurve c =
        new RecallCurve(
            List.of(
                new Point(20, 0.90, 4000),
                new Point(40, 0.94, 900),
                new Point(80, 0.98, 1000),
                new Point(160, 0.98, 700)));
    assertEquals(List.of(new Point(20, 0.90, 4000), new Point(80, 0.98, 1000)), c.frontier());
    AtRecall at = c.qpsAt(0.95).orElseThrow();
    assertEquals(20, at.below().ef());
    assertEquals(80, at.above().ef());
    double t = (0.95 - 0.90) / (0.98 - 0.90);
    assertEquals(Math.exp(Math.log(4000) + t * (Math.log(1000) - Math.log(4000))), at.qps(), 1e-9);
  }

  @Test
  void badInputIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new RecallCurve(List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Point(10, 1.2, 100));
    assertThrows(IllegalArgumentException.class, () -> new Point(10, 0.5, 0));
    assertThrows(IllegalArgumentException.class, () -> new Point(10, 0.5, Double.NaN));
    RecallCurve c = new RecallCurve(List.of(new Point(10, 0.5, 100)));
    assertThrows(IllegalArgumentException.class, () -> c.qpsAt(0));
    assertThrows(IllegalArgumentException.class, () -> c.qpsAt(1.5));
  }

  @Test
  void matchesANaiveReadingOnRandomCurves() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + rnd.nextInt(8);
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        // Coarse values so ties in recall and QPS happen.
        points.add(
            new Point(
                10 * (i + 1), Math.round(rnd.nextDouble() * 20) / 20.0, 1 + rnd.nextInt(20) * 100));
      }
      double target = 0.05 + Math.round(rnd.nextDouble() * 19) / 20.0;
      RecallCurve c = new RecallCurve(points);
      String ctx = "seed " + seed + " trial " + trial + " points " + points + " target " + target;
      assertEquals(naiveFrontier(points), c.frontier(), ctx);
      Optional<Double> want = naiveQpsAt(points, target);
      Optional<AtRecall> got = c.qpsAt(target);
      assertEquals(want.isPresent(), got.isPresent(), ctx);
      if (want.isPresent()) {
        assertEquals(want.get(), got.get().qps(), 1e-9 * want.get(), ctx);
      }
    }
  }

  /**
   * O(n^2): keep a point unless another is at least as good on recall and QPS and better on one; of
   * exact duplicates keep one.
   */
  private static List<Point> naiveFrontier(List<Point> points) {
    List<Point> out = new ArrayList<>();
    for (Point p : points) {
      boolean dominated = false;
      for (Point q : points) {
        if (q.recall() >= p.recall()
            && q.qps() >= p.qps()
            && (q.recall() > p.recall() || q.qps() > p.qps())) {
          dominated = true;
        }
      }
      boolean duplicate =
          out.stream().anyMatch(o -> o.recall() == p.recall() && o.qps() == p.qps());
      if (!dominated && !duplicate) {
        out.add(p);
      }
    }
    // Among exact duplicates the smallest ef is kept, as the real frontier does.
    out.replaceAll(
        p ->
            points.stream()
                .filter(q -> q.recall() == p.recall() && q.qps() == p.qps())
                .min(Comparator.comparingInt(Point::ef))
                .orElseThrow());
    out.sort(Comparator.comparingDouble(Point::recall));
    return out;
  }

  private static Optional<Double> naiveQpsAt(List<Point> points, double target) {
    List<Point> f = naiveFrontier(points);
    Point below = null;
    Point above = null;
    for (Point p : f) {
      if (p.recall() < target && (below == null || p.recall() > below.recall())) {
        below = p;
      }
      if (p.recall() >= target && (above == null || p.recall() < above.recall())) {
        above = p;
      }
    }
    if (above == null) {
      return Optional.empty();
    }
    if (below == null || above.recall() == target) {
      return Optional.of(above.qps());
    }
    double t = (target - below.recall()) / (above.recall() - below.recall());
    return Optional.of(below.qps() * Math.pow(above.qps() / below.qps(), t));
  }
}
