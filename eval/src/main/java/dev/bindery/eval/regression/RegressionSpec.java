package dev.bindery.eval.regression;

import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.VectorStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One regression file, parsed and validated: the data (with its checksum), the model package, the
 * index settings, and the tasks with their expected metrics. See docs/eval.md for the YAML form.
 *
 * @param file the YAML file it came from
 * @param name short name, used in reports
 * @param description what it checks, or empty
 * @param dataset where the data is and what it must hash to
 * @param model model package location ({@code classpath:/...} or a folder)
 * @param index how the temporary index is built and searched
 * @param tasks what is run and what is expected
 */
public record RegressionSpec(
    Path file,
    String name,
    String description,
    DatasetSpec dataset,
    String model,
    IndexSpec index,
    List<TaskSpec> tasks) {

  public RegressionSpec {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(index, "index");
    description = description == null ? "" : description;
    tasks = List.copyOf(tasks);
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException(file + ": no tasks");
    }
  }

  /**
   * The dataset.
   *
   * @param kind loader kind (see {@code DatasetLoaders})
   * @param path the data file or folder, resolved against the YAML file's folder
   * @param sha256 expected checksum of {@code path} (see {@link DataChecksum})
   * @param options loader options
   */
  public record DatasetSpec(String kind, Path path, String sha256, Map<String, String> options) {
    public DatasetSpec {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sha256, "sha256");
      options = Map.copyOf(options);
    }
  }

  /**
   * Index settings of the temporary collection each retrieval task builds.
   *
   * @param storage vector storage
   * @param similarity vector similarity
   * @param m HNSW max connections
   * @param beam HNSW beam width while building
   * @param ef candidate list size at query time (0: the default)
   * @param exact true to search by brute force instead of HNSW
   */
  public record IndexSpec(
      VectorStorage storage, Similarity similarity, int m, int beam, int ef, boolean exact) {
    public IndexSpec {
      Objects.requireNonNull(storage, "storage");
      Objects.requireNonNull(similarity, "similarity");
    }
  }

  /** What a task runs. */
  public enum TaskType {
    /** Each query of a query set searches its corpus in a temporary index. */
    RETRIEVAL,
    /** Zero-shot classification of the labelled items against class prompts. */
    CLASSIFICATION
  }

  /**
   * One task.
   *
   * @param type retrieval or classification
   * @param querySet the dataset's query set (retrieval), e.g. {@code text->image}
   * @param prompts class prompt templates with {@code {}} for the class name (classification); with
   *     several, a class's vector is the normalized mean of its prompts' vectors (CLIP's prompt
   *     ensembling)
   * @param classNames how a class is written in its prompts (classification; classes not named here
   *     are written as they are)
   * @param depth hits fetched per query (retrieval)
   * @param expectations expected metrics
   */
  public record TaskSpec(
      TaskType type,
      String querySet,
      List<String> prompts,
      Map<String, String> classNames,
      int depth,
      List<Expectation> expectations) {
    public TaskSpec {
      Objects.requireNonNull(type, "type");
      prompts = prompts == null ? List.of() : List.copyOf(prompts);
      classNames = classNames == null ? Map.of() : Map.copyOf(classNames);
      expectations = List.copyOf(expectations);
    }

    /** The prompts for one class, its name filled in. */
    public List<String> promptsFor(String className) {
      String written = classNames.getOrDefault(className, className);
      return prompts.stream().map(p -> p.replace("{}", written)).toList();
    }

    /** The task's name in reports. */
    public String label() {
      return type == TaskType.RETRIEVAL ? querySet : "classification";
    }
  }

  /**
   * An expected metric value: passes when {@code |actual - expected| <= tolerance}.
   *
   * @param metric metric name ({@code recall@1}, {@code mrr}, {@code accuracy}, ...)
   * @param expected the pinned value
   * @param tolerance allowed absolute difference, >= 0
   */
  public record Expectation(String metric, double expected, double tolerance) {
    public Expectation {
      Objects.requireNonNull(metric, "metric");
      if (!Double.isFinite(expected) || !Double.isFinite(tolerance) || tolerance < 0) {
        throw new IllegalArgumentException(
            metric
                + ": expected and tolerance must be finite and tolerance >= 0, got expected="
                + expected
                + ", tolerance="
                + tolerance);
      }
    }

    /** Whether {@code actual} is within tolerance (with a little slack for rounding). */
    public boolean accepts(double actual) {
      return Math.abs(actual - expected) <= tolerance + 1e-9;
    }
  }
}
