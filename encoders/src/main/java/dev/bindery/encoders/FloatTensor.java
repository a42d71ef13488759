package dev.bindery.encoders;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float tensor in row-major (C) order: what preprocessing produces and models consume.
 *
 * @param shape dimensions, each >= 1
 * @param data values; length is the product of the shape
 */
public record FloatTensor(long[] shape, float[] data) {
  public FloatTensor {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    long n = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "tensor shape " + Arrays.toString(shape) + " has a dimension < 1");
      }
      n = Math.multiplyExact(n, d);
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "tensor shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  /** A tensor of the given shape over {@code data} (not copied). */
  public static FloatTensor of(float[] data, long... shape) {
    return new FloatTensor(shape.clone(), data);
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /**
   * Stacks tensors of equal shape along a new leading batch dimension.
   *
   * @throws IllegalArgumentException if the shapes differ
   */
  public static FloatTensor stack(java.util.List<FloatTensor> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("cannot stack zero tensors");
    }
    long[] first = items.get(0).shape();
    int per = items.get(0).data().length;
    float[] all = new float[Math.multiplyExact(per, items.size())];
    for (int i = 0; i < items.size(); i++) {
      FloatTensor t = items.get(i);
      if (!Arrays.equals(first, t.shape())) {
        throw new IllegalArgumentException(
            "cannot stack shape " + Arrays.toString(t.shape()) + " with " + Arrays.toString(first));
      }
      System.arraycopy(t.data(), 0, all, i * per, per);
    }
    long[] shape = new long[first.length + 1];
    shape[0] = items.size();
    System.arraycopy(first, 0, shape, 1, first.length);
    return new FloatTensor(shape, all);
  }

  /**
   * Splits along the leading dimension, the inverse of {@link #stack}: {@code [N, ...]} gives N
   * tensors of shape {@code [...]} (copies).
   *
   * @throws IllegalArgumentException if this tensor has rank 1
   */
  public java.util.List<FloatTensor> unstack() {
    if (shape.length < 2) {
      throw new IllegalArgumentException(
          "cannot unstack a tensor of shape " + Arrays.toString(shape));
    }
    int n = Math.toIntExact(shape[0]);
    int per = data.length / n;
    long[] itemShape = Arrays.copyOfRange(shape, 1, shape.length);
    java.util.List<FloatTensor> items = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(
          new FloatTensor(itemShape.clone(), Arrays.copyOfRange(data, i * per, (i + 1) * per)));
    }
    return items;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
