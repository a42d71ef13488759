package dev.bindery.fusion.rank;

import java.util.Objects;

/**
 * One {@code [RET]} marker of generated text and the retrieval query it stands for.
 *
 * @param textBefore the text since the previous marker (or the start), as written, escapes resolved
 * @param query the retrieval query derived from {@code textBefore} (see {@link
 *     RetrievalInterleaver}); never blank
 * @param markerIndex the 0-based ordinal of the marker among all markers of the text, skipped ones
 *     included
 */
public record RetSpan(String textBefore, String query, int markerIndex) {

  public RetSpan {
    Objects.requireNonNull(textBefore, "textBefore");
    Objects.requireNonNull(query, "query");
    if (query.isBlank()) {
      throw new IllegalArgumentException("query of marker " + markerIndex + " is blank");
    }
    if (markerIndex < 0) {
      throw new IllegalArgumentException("markerIndex must be >= 0: " + markerIndex);
    }
  }
}
