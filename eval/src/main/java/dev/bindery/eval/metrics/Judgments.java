package dev.bindery.eval.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Graded relevance judgments of one query: item id to grade. A grade of 0 (or an id not listed)
 * means not relevant; any grade above 0 is relevant, and higher grades matter more to nDCG.
 *
 * @param grades grade per judged item id, each >= 0
 */
public record Judgments(Map<String, Integer> grades) {

  public Judgments {
    Objects.requireNonNull(grades, "grades");
    for (Map.Entry<String, Integer> e : grades.entrySet()) {
      Objects.requireNonNull(e.getKey(), "judged id");
      if (e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException(
            "relevance grade of '" + e.getKey() + "' must be >= 0, got " + e.getValue());
      }
    }
    grades = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grades));
  }

  /** Binary judgments: every given id relevant with grade 1. */
  public static Judgments binary(Iterable<String> relevantIds) {
    Map<String, Integer> g = new LinkedHashMap<>();
    for (String id : relevantIds) {
      g.put(id, 1);
    }
    return new Judgments(g);
  }

  /** The grade of {@code id}, 0 when it was not judged. */
  public int grade(String id) {
    return grades.getOrDefault(id, 0);
  }

  /** True when {@code id} has a grade above 0. */
  public boolean isRelevant(String id) {
    return grade(id) > 0;
  }

  /** Number of ids with a grade above 0. */
  public int relevantCount() {
    return (int) grades.values().stream().filter(g -> g > 0).count();
  }
}
