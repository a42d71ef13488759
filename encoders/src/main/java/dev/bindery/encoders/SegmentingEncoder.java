package dev.bindery.encoders;

import java.util.List;

/**
 * A tower for time-based inputs (audio, video, IMU) that can also embed each time window of one
 * input separately, for the indexer's multi-vector (segment) items.
 *
 * @param <I> decoded input type
 */
public interface SegmentingEncoder<I> extends Encoder<I> {
  /**
   * Cuts one input into time windows and embeds each one.
   *
   * @return one embedding per window, in time order, each with its start and end in seconds
   */
  List<TimedEmbedding> encodeSegments(I input);

  /**
   * The input's own vector ({@link #encode}) and its windows ({@link #encodeSegments}) together;
   * towers that decode an input once for both (video) override this.
   */
  default Segmented encodeWithSegments(I input) {
    return new Segmented(encode(input), encodeSegments(input));
  }

  /**
   * An input's vector and its windows' vectors.
   *
   * @param vector the whole input's embedding
   * @param segments one embedding per window, in time order
   */
  record Segmented(float[] vector, List<TimedEmbedding> segments) {
    public Segmented {
      java.util.Objects.requireNonNull(vector, "vector");
      segments = List.copyOf(segments);
    }
  }
}
