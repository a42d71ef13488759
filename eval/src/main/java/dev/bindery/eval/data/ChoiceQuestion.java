package dev.bindery.eval.data;

import java.util.List;
import java.util.Objects;

/**
 * A multiple-choice question about an image (MMBench).
 *
 * @param id the question's index in its file
 * @param question the question
 * @param hint context given with the question, or null
 * @param options the options in file order (A, B, ...)
 * @param answer position of the right option (0 is A)
 * @param category the ability it tests, or null
 * @param imageId the dataset item id of its image
 */
public record ChoiceQuestion(
    String id,
    String question,
    String hint,
    List<String> options,
    int answer,
    String category,
    String imageId) {

  public ChoiceQuestion {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(imageId, "imageId");
    options = List.copyOf(options);
    if (options.size() < 2 || answer < 0 || answer >= options.size()) {
      throw new IllegalArgumentException(
          "question "
              + id
              + ": needs 2+ options and an answer among them; options="
              + options
              + ", answer="
              + answer);
    }
  }
}
