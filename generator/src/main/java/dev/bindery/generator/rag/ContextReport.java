package dev.bindery.generator.rag;

import java.util.List;

/**
 * What an answerer put in front of the model (or read, for the extractive answerer).
 *
 * @param itemIds items whose text was in the context, in order
 * @param truncatedIds items whose text was cut to fit the budget
 * @param omittedIds retrieved items left out for lack of budget
 * @param approxTokens approximate tokens of the context text (characters / 4)
 * @param imageIds items whose image was sent, in order ({@code question} is not an id: see {@code
 *     questionImage})
 * @param questionImage whether the question's own image was sent
 * @param imageProblems images that could not be sent and why (one line each)
 */
public record ContextReport(
    List<String> itemIds,
    List<String> truncatedIds,
    List<String> omittedIds,
    int approxTokens,
    List<String> imageIds,
    boolean questionImage,
    List<String> imageProblems) {
  public ContextReport {
    itemIds = List.copyOf(itemIds);
    truncatedIds = List.copyOf(truncatedIds);
    omittedIds = List.copyOf(omittedIds);
    imageIds = List.copyOf(imageIds);
    imageProblems = List.copyOf(imageProblems);
  }
}
