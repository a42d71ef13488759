package dev.bindery.eval.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One engine's recall-versus-speed curve (a point per ef) and the speed it reaches at a given
 * recall, read off the curve so that engines whose ef sweeps land on different recalls can be
 * compared at the same recall.
 *
 * <p>How the speed at a target recall is read: first the Pareto frontier is taken (a point is
 * dropped when another point is at least as good on both recall and QPS and better on one, as
 * ann-benchmarks plots do), so timing noise that makes a larger ef look faster cannot bend the
 * curve backwards. Then the two frontier points that bracket the target are joined by a straight
 * line in (recall, log QPS), the axes the curves are plotted on, and the line is read at the
 * target. A frontier point exactly at the target is used as is. When even the smallest ef already
 * exceeds the target, nothing brackets it: that point's QPS is reported as a lower bound ({@link
 * Method#FIRST_ABOVE}). When no ef reaches the target, there is no value.
 *
 * @param points the measured points, in any order
 */
public record RecallCurve(List<Point> points) {

  /**
   * One measured point.
   *
   * @param ef the query-time candidate list size
   * @param recall mean recall@k over the queries, in [0, 1]
   * @param qps queries per second, positive
   */
  public record Point(int ef, double recall, double qps) {
    public Point {
      if (!(recall >= 0 && recall <= 1)) {
        throw new IllegalArgumentException("recall must be in [0, 1], got " + recall);
      }
      if (!(qps > 0) || !Double.isFinite(qps)) {
        throw new IllegalArgumentException("qps must be finite and > 0, got " + qps);
      }
    }
  }

  /** How {@link #qpsAt} found its value. */
  public enum Method {
    /** A frontier point lies exactly at the target. */
    EXACT,
    /** Log-linear interpolation between the frontier points below and above the target. */
    INTERPOLATED,
    /** Every point is above the target; the value is the fastest point's QPS, a lower bound. */
    FIRST_ABOVE
  }

  /**
   * The QPS read off the curve at {@code recall}.
   *
   * @param recall the target recall
   * @param qps the QPS there
   * @param method how it was found
   * @param below the frontier point just below the target (null for EXACT and FIRST_ABOVE)
   * @param above the frontier point at or just above the target
   */
  public record AtRecall(double recall, double qps, Method method, Point below, Point above) {
    public AtRecall {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(above, "above");
    }
  }

  public RecallCurve {
    points = List.copyOf(points);
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a recall curve needs at least one point");
    }
  }

  /**
   * The Pareto frontier, by recall ascending: points that no other point matches on both recall and
   * QPS while beating it on one (of exact duplicates, the smallest ef).
   */
  public List<Point> frontier() {
    List<Point> byRecallDesc = new ArrayList<>(points);
    byRecallDesc.sort(
        Comparator.comparingDouble(Point::recall)
            .reversed()
            .thenComparing(Comparator.comparingDouble(Point::qps).reversed())
            .thenComparingInt(Point::ef));
    List<Point> out = new ArrayList<>();
    double bestQps = Double.NEGATIVE_INFINITY;
    for (Point p : byRecallDesc) {
      if (p.qps() > bestQps) {
        out.add(p);
        bestQps = p.qps();
      }
    }
    return out.reversed();
  }

  /** The QPS at {@code target} recall, or empty when no point reaches it. */
  public Optional<AtRecall> qpsAt(double target) {
    if (!(target > 0 && target <= 1)) {
      throw new IllegalArgumentException("target recall must be in (0, 1], got " + target);
    }
    List<Point> f = frontier();
    Point below = null;
    for (Point p : f) {
      if (p.recall() == target) {
        return Optional.of(new AtRecall(target, p.qps(), Method.EXACT, null, p));
      }
      if (p.recall() > target) {
        if (below == null) {
          return Optional.of(new AtRecall(target, p.qps(), Method.FIRST_ABOVE, null, p));
        }
        double t = (target - below.recall()) / (p.recall() - below.recall());
        double logQps = Math.log(below.qps()) + t * (Math.log(p.qps()) - Math.log(below.qps()));
        return Optional.of(new AtRecall(target, Math.exp(logQps), Method.INTERPOLATED, below, p));
      }
      below = p;
    }
    return Optional.empty();
  }
}
