package dev.bindery.fusion.rank;

import dev.bindery.indexer.Hit;
import java.util.List;
import java.util.Objects;

/**
 * Generated text with its retrievals in place: the result of {@link
 * RetrievalInterleaver#interleave}.
 *
 * @param parts text and retrieval parts in reading order; text parts are never empty and never
 *     adjacent (the text around a skipped marker is one part)
 * @param text the generated text with every marker removed (escaped markers kept as literal text)
 * @param skipped markers that were not used for retrieval, and why
 */
public record Interleaved(List<Part> parts, String text, List<Skipped> skipped) {

  public Interleaved {
    parts = List.copyOf(parts);
    Objects.requireNonNull(text, "text");
    skipped = List.copyOf(skipped);
  }

  /** A piece of the interleaved output. */
  public sealed interface Part permits TextPart, RetrievalPart {}

  /** Generated text between markers. */
  public record TextPart(String text) implements Part {
    public TextPart {
      Objects.requireNonNull(text, "text");
    }
  }

  /** The retrieval a marker stands for: its query and at most {@code perMarker} hits. */
  public record RetrievalPart(RetSpan span, List<Hit> hits) implements Part {
    public RetrievalPart {
      Objects.requireNonNull(span, "span");
      hits = List.copyOf(hits);
    }
  }

  /** A marker that did not retrieve. */
  public record Skipped(int markerIndex, String reason) {}
}
