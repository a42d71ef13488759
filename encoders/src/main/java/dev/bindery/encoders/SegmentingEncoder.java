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
}
