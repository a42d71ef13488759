package dev.bindery.encoders;

import java.util.List;

/**
 * The postprocessing arithmetic the ImageBind-style towers share: L2 normalisation and the mean of
 * several embeddings (clips of a sound, crops of a video clip). Both work in float with a double
 * sum of squares, so every tower rounds the same way.
 */
public final class EmbeddingMath {
  private EmbeddingMath() {}

  /**
   * L2-normalises {@code v} in place and returns it; a zero vector stays zero.
   *
   * <p>Multiplies by the float reciprocal of the norm; text towers use {@code
   * text.Pooling#normalize}, which divides like sentence-transformers, and the two can differ in
   * the last bit.
   */
  public static float[] l2Normalize(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    if (s > 0) {
      float inv = (float) (1.0 / Math.sqrt(s));
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
    return v;
  }

  /**
   * The element-wise mean of {@code rows[from..to)}, summed in float in row order, as a new array.
   *
   * @throws IllegalArgumentException if the range is empty or the rows differ in length
   */
  public static float[] mean(List<float[]> rows, int from, int to) {
    if (from < 0 || to > rows.size() || from >= to) {
      throw new IllegalArgumentException(
          "mean of rows [" + from + ", " + to + ") out of " + rows.size() + " rows");
    }
    float[] mean = new float[rows.get(from).length];
    for (int r = from; r < to; r++) {
      float[] row = rows.get(r);
      if (row.length != mean.length) {
        throw new IllegalArgumentException(
            "row " + r + " has " + row.length + " values, row " + from + " has " + mean.length);
      }
      for (int d = 0; d < mean.length; d++) {
        mean[d] += row[d];
      }
    }
    int count = to - from;
    for (int d = 0; d < mean.length; d++) {
      mean[d] /= count;
    }
    return mean;
  }
}
