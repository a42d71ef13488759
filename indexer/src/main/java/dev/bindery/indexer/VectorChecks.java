package dev.bindery.indexer;

/**
 * Checks and prepares vectors for a space, shared by every backend so that each rejects the same
 * bad input with the same message.
 */
public final class VectorChecks {
  /** Unit-length tolerance for dot-product spaces. */
  static final double UNIT_TOLERANCE = 1e-3;

  /**
   * Under cosine, a vector whose squared length is within this of 1 is taken as already normalized
   * (float rounding of a unit vector): its self-similarity is then within 1e-6 of 1.
   */
  static final double UNIT_ROUNDING = 1e-6;

  private VectorChecks() {}

  /**
   * Returns the vector as it will be stored for {@code space}: a normalized copy for cosine (a copy
   * as given when it is unit length up to float rounding), the same array otherwise. Rejects a
   * wrong dimension, NaN or infinite components, a zero vector under cosine, and a non-unit vector
   * under dot product.
   *
   * @param what names the vector in the message, e.g. {@code "item 'a' vector"}
   */
  public static float[] prepare(SpaceConfig space, float[] vector, String what) {
    if (vector == null) {
      throw new IllegalArgumentException(what + " for space '" + space.name() + "' is null");
    }
    if (vector.length != space.dim()) {
      throw new IllegalArgumentException(
          what
              + " has dimension "
              + vector.length
              + " but space '"
              + space.name()
              + "' has dimension "
              + space.dim());
    }
    double sumSq = 0;
    for (int i = 0; i < vector.length; i++) {
      float v = vector[i];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(
            what + " has a non-finite component: [" + i + "] = " + v);
      }
      sumSq += (double) v * v;
    }
    switch (space.similarity()) {
      case COSINE -> {
        if (sumSq == 0 || !Double.isFinite(sumSq)) {
          throw new IllegalArgumentException(
              what + " is a zero vector, which has no direction under cosine similarity");
        }
        if (Math.abs(sumSq - 1) <= UNIT_ROUNDING) {
          // already unit length up to float rounding (an encoder's normalized output): stored as
          // given, so that what was added comes back bit for bit; rescaling would move ulps only
          return vector.clone();
        }
        float[] out = new float[vector.length];
        double inv = 1.0 / Math.sqrt(sumSq);
        for (int i = 0; i < vector.length; i++) {
          out[i] = (float) (vector[i] * inv);
        }
        return out;
      }
      case DOT_PRODUCT -> {
        double norm = Math.sqrt(sumSq);
        if (Math.abs(norm - 1) > UNIT_TOLERANCE) {
          throw new IllegalArgumentException(
              what
                  + " has L2 norm "
                  + norm
                  + " but space '"
                  + space.name()
                  + "' uses dot-product similarity, which needs unit vectors; normalize them or"
                  + " use cosine");
        }
        return vector;
      }
      case L2 -> {
        return vector;
      }
      default -> throw new IllegalStateException("unhandled similarity " + space.similarity());
    }
  }
}
