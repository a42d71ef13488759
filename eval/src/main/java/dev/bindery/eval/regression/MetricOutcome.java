package dev.bindery.eval.regression;

import java.util.Objects;

/**
 * One metric of one task: what was measured against what was expected.
 *
 * @param task the task's label (its query set, or {@code classification})
 * @param metric the metric's name
 * @param actual the measured value
 * @param expected the pinned value
 * @param tolerance the allowed absolute difference
 * @param passed whether {@code |actual - expected| <= tolerance}
 */
public record MetricOutcome(
    String task, String metric, double actual, double expected, double tolerance, boolean passed) {
  public MetricOutcome {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(metric, "metric");
  }
}
