package dev.bindery.eval.regression;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one regression file: its metrics, or the error that stopped it.
 *
 * @param name the regression's name
 * @param file its YAML file
 * @param dataset what was loaded (loader, path, split), or the spec's path if it failed first
 * @param model the model package
 * @param queries queries run (retrieval) plus items classified, over all tasks
 * @param outcomes one per expected metric, in file order (empty on error)
 * @param error why it could not run, or null
 * @param seconds how long it took (reported, never asserted)
 */
public record RegressionResult(
    String name,
    Path file,
    String dataset,
    String model,
    int queries,
    List<MetricOutcome> outcomes,
    String error,
    double seconds) {

  public RegressionResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    outcomes = List.copyOf(outcomes);
  }

  /** True when it ran and every metric was within tolerance. */
  public boolean passed() {
    return error == null && outcomes.stream().allMatch(MetricOutcome::passed);
  }

  /** The metrics outside their tolerance. */
  public List<MetricOutcome> failures() {
    return outcomes.stream().filter(o -> !o.passed()).toList();
  }
}
