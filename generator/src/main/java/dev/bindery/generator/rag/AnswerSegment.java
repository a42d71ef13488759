package dev.bindery.generator.rag;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;

/**
 * A piece of an interleaved answer: generated text, or the items a {@code [RET]} marker retrieved
 * (in JSON, {@code {"type":"text","text":...}} or {@code {"type":"retrieval","query":...,
 * "markerIndex":...,"items":[...]}}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AnswerSegment.Text.class, name = "text"),
  @JsonSubTypes.Type(value = AnswerSegment.Retrieval.class, name = "retrieval")
})
public sealed interface AnswerSegment permits AnswerSegment.Text, AnswerSegment.Retrieval {

  /** Generated text between markers. */
  record Text(String text) implements AnswerSegment {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * What one {@code [RET]} marker retrieved.
   *
   * @param query the span before the marker used as the query
   * @param markerIndex the marker's 0-based ordinal in the answer
   * @param items the items retrieved, best first
   */
  record Retrieval(String query, int markerIndex, List<RetrievedItem> items)
      implements AnswerSegment {
    public Retrieval {
      Objects.requireNonNull(query, "query");
      items = List.copyOf(items);
    }
  }
}
