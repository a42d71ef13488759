package dev.bindery.generator.rag;

import dev.bindery.generator.FinishReason;
import dev.bindery.generator.Usage;
import dev.bindery.generator.grounding.MalformedBox;
import dev.bindery.generator.grounding.Region;
import java.util.List;
import java.util.Objects;

/**
 * The answer to an {@link AskRequest}. Serializes to JSON with Jackson as is (a record of records,
 * lists, strings and numbers).
 *
 * @param question the question
 * @param text the answer as written, with its {@code [id]} citations and boxes ({@code [RET]}
 *     markers removed when interleaving)
 * @param plainText {@code text} without citations of retrieved ids and without box tags ({@code
 *     <ref>} labels kept), whitespace collapsed: the bare answer, e.g. for scoring
 * @param abstained whether the answerer said it does not know
 * @param citations retrieved ids the answer cites, in order of first citation
 * @param droppedCitations bracketed ids in the answer that were not retrieved (never in {@code
 *     citations}): the model made them up or misspelled them
 * @param hits the retrieved items, best first
 * @param segments the answer as text and {@code [RET]} retrievals in reading order (one text
 *     segment without interleaving; none for an empty answer)
 * @param regions boxes drawn by the answer, attached to the cited item before each
 * @param malformedBoxes boxes that could not be read
 * @param context what the answerer read
 * @param answeredBy {@code extractive}, or the generator's protocol, model and endpoint
 * @param finishReason why generation stopped
 * @param usage tokens the model counted, or -1s
 * @param timings where the time went
 */
public record Answer(
    String question,
    String text,
    String plainText,
    boolean abstained,
    List<String> citations,
    List<String> droppedCitations,
    List<RetrievedItem> hits,
    List<AnswerSegment> segments,
    List<Region> regions,
    List<MalformedBox> malformedBoxes,
    ContextReport context,
    String answeredBy,
    FinishReason finishReason,
    Usage usage,
    Timings timings) {
  public Answer {
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(plainText, "plainText");
    citations = List.copyOf(citations);
    droppedCitations = List.copyOf(droppedCitations);
    hits = List.copyOf(hits);
    segments = List.copyOf(segments);
    regions = List.copyOf(regions);
    malformedBoxes = List.copyOf(malformedBoxes);
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(answeredBy, "answeredBy");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(timings, "timings");
  }
}
