package dev.bindery.encoders;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense int64 tensor in row-major order (token ids, attention masks).
 *
 * @param shape dimensions, each >= 1
 * @param data values; length is the product of the shape
 */
public record LongTensor(long[] shape, long[] data) {
  public LongTensor {
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

  @Override
  public boolean equals(Object o) {
    return o instanceof LongTensor t
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "LongTensor" + Arrays.toString(shape);
  }
}
