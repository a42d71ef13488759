package dev.bindery.encoders;

/**
 * The embedding of one time window of an audio or video input, ready to become a segment of a
 * multi-vector item.
 *
 * @param start window start in seconds
 * @param end window end in seconds
 * @param vector the window's embedding
 */
public record TimedEmbedding(double start, double end, float[] vector) {
  public TimedEmbedding {
    if (!(start >= 0) || !(end >= start)) {
      throw new IllegalArgumentException("bad window [" + start + ", " + end + "]");
    }
  }
}
