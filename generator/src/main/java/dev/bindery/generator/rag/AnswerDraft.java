package dev.bindery.generator.rag;

import dev.bindery.generator.FinishReason;
import dev.bindery.generator.Usage;
import java.util.Objects;

/**
 * An answerer's raw answer, before the pipeline checks citations, reads boxes and interleaves.
 *
 * @param text the answer with its {@code [id]} citations
 * @param abstained whether the answerer declined to answer for lack of evidence
 * @param finishReason why generation stopped ({@link FinishReason#NONE} for the extractive one)
 * @param usage tokens the model counted, or {@link Usage#UNKNOWN}
 * @param context what the answerer read
 */
public record AnswerDraft(
    String text, boolean abstained, FinishReason finishReason, Usage usage, ContextReport context) {
  public AnswerDraft {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(context, "context");
  }
}
