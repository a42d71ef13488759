package dev.bindery.eval.metrics;

import java.util.Objects;

/**
 * Zero-shot classification: each input is given the class whose prompt embedding scores highest
 * (top-1); accuracy is the fraction of inputs given their true class. Ties go to the lower class
 * index, so results are deterministic.
 */
public final class ZeroShotClassification {

  private ZeroShotClassification() {}

  /** The index of the highest score; the lowest index among equal scores. */
  public static int predict(float[] classScores) {
    Objects.requireNonNull(classScores, "classScores");
    if (classScores.length == 0) {
      throw new IllegalArgumentException("no class scores");
    }
    int best = 0;
    for (int c = 0; c < classScores.length; c++) {
      if (Float.isNaN(classScores[c])) {
        throw new IllegalArgumentException("class score " + c + " is NaN");
      }
      if (classScores[c] > classScores[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Top-1 accuracy.
   *
   * @param scores per input, one similarity per class (all rows the same length)
   * @param labels per input, the true class index
   */
  public static double accuracy(float[][] scores, int[] labels) {
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(labels, "labels");
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          "scores and labels differ in length: " + scores.length + "!=" + labels.length);
    }
    if (scores.length == 0) {
      throw new IllegalArgumentException("accuracy of no inputs");
    }
    int classes = scores[0].length;
    int right = 0;
    for (int i = 0; i < scores.length; i++) {
      if (scores[i].length != classes) {
        throw new IllegalArgumentException(
            "input " + i + " has " + scores[i].length + " class scores, input 0 has " + classes);
      }
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException(
            "label of input " + i + " is " + labels[i] + ", outside 0.." + (classes - 1));
      }
      if (predict(scores[i]) == labels[i]) {
        right++;
      }
    }
    return (double) right / scores.length;
  }

  /** Cosine similarities of one unit-length input vector to unit-length class vectors. */
  public static float[] scores(float[] input, float[][] classVectors) {
    float[] out = new float[classVectors.length];
    for (int c = 0; c < classVectors.length; c++) {
      if (classVectors[c].length != input.length) {
        throw new IllegalArgumentException(
            "vector dimensions differ: " + input.length + "!=" + classVectors[c].length);
      }
      double dot = 0;
      for (int d = 0; d < input.length; d++) {
        dot += (double) input[d] * classVectors[c][d];
      }
      out[c] = (float) dot;
    }
    return out;
  }
}
