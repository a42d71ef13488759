package dev.bindery.encoders.text;

import dev.bindery.encoders.FloatTensor;
import java.util.Arrays;
import java.util.Locale;

/** How a text tower turns the model output into one vector per text. */
public enum Pooling {
  /** The output already is [batch, dim]. */
  NONE,
  /**
   * Mean of the hidden states [batch, tokens, dim] over the attention mask (sentence-transformers).
   */
  MEAN,
  /** The hidden state of the first token ([CLS]). */
  CLS,
  /**
   * The hidden state at the position of the highest token id, first occurrence: CLIP's end-of-text
   * token has the highest id in its vocabulary, and CLIP pools there.
   */
  EOS;

  /** Parses a manifest name, rejecting unknown ones with the valid names. */
  public static Pooling fromName(String name) {
    String n = (name == null ? "none" : name).trim().toUpperCase(Locale.ROOT);
    for (Pooling p : values()) {
      if (p.name().equals(n)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown pooling '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(Pooling::wireName).toList());
  }

  /** Lower-case manifest name. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Rank of the model output this pooling reads: 2 for {@link #NONE}, else 3. */
  public int inputRank() {
    return this == NONE ? 2 : 3;
  }

  /**
   * Pools a model output.
   *
   * @param output [batch, dim] for {@link #NONE}, else [batch, tokens, dim]
   * @param batch the tokens that produced it
   * @return one vector per row of the batch
   */
  public float[][] pool(FloatTensor output, TokenBatch batch) {
    long[] s = output.shape();
    if (s.length != inputRank()
        || s[0] != batch.batchSize()
        || (s.length == 3 && s[1] != batch.length())) {
      throw new IllegalStateException(
          wireName()
              + " pooling needs a "
              + (this == NONE ? "[batch, dim]" : "[batch, tokens, dim]")
              + " output for "
              + batch
              + ", got "
              + Arrays.toString(s));
    }
    int b = batch.batchSize();
    int dim = (int) s[s.length - 1];
    float[] x = output.data();
    float[][] out = new float[b][dim];
    if (this == NONE) {
      for (int i = 0; i < b; i++) {
        System.arraycopy(x, i * dim, out[i], 0, dim);
      }
      return out;
    }
    int t = batch.length();
    for (int i = 0; i < b; i++) {
      switch (this) {
        case CLS -> System.arraycopy(x, i * t * dim, out[i], 0, dim);
        case EOS -> {
          int at = 0;
          for (int p = 1; p < t; p++) {
            if (batch.id(i, p) > batch.id(i, at)) {
              at = p;
            }
          }
          System.arraycopy(x, (i * t + at) * dim, out[i], 0, dim);
        }
        case MEAN -> {
          // Sum in double: 512 tokens of float noise otherwise cost a few ulps per component.
          double[] sum = new double[dim];
          long count = 0;
          for (int p = 0; p < t; p++) {
            if (batch.mask(i, p) != 0) {
              count++;
              int base = (i * t + p) * dim;
              for (int d = 0; d < dim; d++) {
                sum[d] += x[base + d];
              }
            }
          }
          // sentence-transformers clamps the token count at 1e-9 so an all-padding row gives 0s.
          double n = Math.max(count, 1e-9);
          for (int d = 0; d < dim; d++) {
            out[i][d] = (float) (sum[d] / n);
          }
        }
        default -> throw new IllegalStateException("unreachable: " + this);
      }
    }
    return out;
  }

  /** L2-normalizes in place (a zero vector stays zero, as with torch's eps of 1e-12). */
  public static void normalize(float[] v) {
    double ss = 0;
    for (float f : v) {
      ss += (double) f * f;
    }
    double norm = Math.max(Math.sqrt(ss), 1e-12);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / norm);
    }
  }
}
