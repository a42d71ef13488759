package dev.bindery.eval.data;

import dev.bindery.eval.metrics.Judgments;
import java.util.Objects;

/**
 * One query of a query set: its input (a caption, an image, a class prompt) and which corpus items
 * are relevant to it, with grades.
 */
public record EvalQuery(String id, EvalItem input, Judgments judgments) {

  public EvalQuery {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(judgments, "judgments");
    if (judgments.relevantCount() == 0) {
      throw new IllegalArgumentException("query '" + id + "' has no relevant items");
    }
  }
}
