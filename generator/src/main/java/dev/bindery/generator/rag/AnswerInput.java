package dev.bindery.generator.rag;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * What an answerer works from.
 *
 * @param question the question
 * @param questionImage the question's image, decoded, or null
 * @param items the retrieved items, best first
 * @param interleave whether the answer may use {@code [RET]} markers
 */
public record AnswerInput(
    String question, BufferedImage questionImage, List<RetrievedItem> items, boolean interleave) {
  public AnswerInput {
    Objects.requireNonNull(question, "question");
    items = List.copyOf(items);
  }
}
