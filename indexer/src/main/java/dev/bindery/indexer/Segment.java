package dev.bindery.indexer;

import java.util.Map;
import java.util.Objects;

/**
 * One timed or positioned piece of a multi-vector item: a window of audio or video (seconds) or a
 * chunk of a long text (characters), with its own vectors.
 *
 * @param start where the segment starts (seconds or characters), finite, >= 0
 * @param end where it ends, >= start
 * @param text optional text of the segment (a transcript line, a chunk), searchable with BM25
 *     through its parent
 * @param vectors the segment's vectors by space name
 */
public record Segment(double start, double end, String text, Map<String, float[]> vectors) {

  public Segment {
    if (!Double.isFinite(start) || !Double.isFinite(end) || start < 0 || end < start) {
      throw new BadArgumentException(
          "segment offsets must be finite with 0 <= start <= end, got ["
              + start
              + ", "
              + end
              + "]");
    }
    Objects.requireNonNull(vectors, "vectors");
    if (vectors.isEmpty()) {
      throw new BadArgumentException("segment [" + start + ", " + end + "] has no vectors");
    }
    vectors = Map.copyOf(vectors);
  }

  /** A segment with vectors and no text. */
  public static Segment of(double start, double end, Map<String, float[]> vectors) {
    return new Segment(start, end, null, vectors);
  }

  @Override
  public String toString() {
    return "Segment[" + start + ", " + end + ", spaces=" + vectors.keySet() + "]";
  }
}
