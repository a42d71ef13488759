package dev.bindery.fusion.query;

import java.util.Arrays;
import java.util.Objects;

/**
 * The result of embedding arithmetic: one L2-normalized vector in one space.
 *
 * @param space the space every term of the expression lives in
 * @param vector the normalized weighted sum
 */
public record QueryVector(String space, float[] vector) {
  public QueryVector {
    Objects.requireNonNull(space, "space");
    vector = Objects.requireNonNull(vector, "vector").clone();
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueryVector q && space.equals(q.space) && Arrays.equals(vector, q.vector);
  }

  @Override
  public int hashCode() {
    return 31 * space.hashCode() + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "QueryVector[" + space + ", dim=" + vector.length + "]";
  }
}
