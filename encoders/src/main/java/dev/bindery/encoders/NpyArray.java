package dev.bindery.encoders;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array (format versions 1 to 3, header by {@link NpyHeader}) read into
 * floats: dtypes {@code f4}, {@code f8}, {@code u1}, {@code u2}, {@code i2}, {@code i4} in either
 * byte order, C or Fortran order. Reads depth/thermal maps, IMU traces and test goldens; anything
 * else is rejected with what the header says.
 *
 * @param shape dimensions as stored
 * @param dtype the dtype code without byte order, e.g. {@code u2}
 * @param data values in C (row-major) order
 */
public record NpyArray(long[] shape, String dtype, float[] data) {
  private static final List<String> DTYPES = List.of("f4", "f8", "u1", "u2", "i2", "i4");
  private static final Pattern TYPESTR = Pattern.compile("([<>|=])([a-z])(\\d+)");

  /** Whether the bytes start with the {@code .npy} magic string. */
  public static boolean isNpy(byte[] b) {
    return NpyHeader.isNpy(b);
  }

  /**
   * Parses an array of any size that fits in a Java array; see {@link #parse(byte[], String,
   * long)}.
   */
  public static NpyArray parse(byte[] b, String name) {
    return parse(b, name, Integer.MAX_VALUE);
  }

  /**
   * Parses an array.
   *
   * @param name names the bytes in messages
   * @param maxValues the largest element count accepted (checked before allocating)
   * @throws IllegalArgumentException naming {@code name} for a missing magic string, a bad header
   *     (see {@link NpyHeader#read}), an unsupported dtype, a shape above the limit or data shorter
   *     than the header says
   */
  public static NpyArray parse(byte[] b, String name, long maxValues) {
    NpyHeader header = NpyHeader.parse(b, name);
    int dataStart = header.dataOffset();
    String descr = header.descr();
    Matcher t = TYPESTR.matcher(descr);
    if (!t.matches() || !DTYPES.contains(t.group(2) + t.group(3))) {
      throw new IllegalArgumentException(
          name + ": unsupported .npy dtype '" + descr + "' (need f4, f8, u1, u2, i2 or i4)");
    }
    ByteOrder order = t.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String dtype = t.group(2) + t.group(3);
    int itemSize = Integer.parseInt(t.group(3));
    long[] shape = header.shape();
    long n = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            name + ": negative .npy dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, dim);
    }
    if (n > Math.min(maxValues, Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(
          name
              + ": .npy array of shape "
              + Arrays.toString(shape)
              + " has "
              + n
              + " values, above the limit of "
              + Math.min(maxValues, Integer.MAX_VALUE)
              + " (decompression-bomb guard)");
    }
    long need = n * itemSize;
    if (b.length - (long) dataStart < need) {
      throw new IllegalArgumentException(
          name
              + ": truncated .npy data: shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + need
              + " bytes, the file has "
              + (b.length - dataStart));
    }
    ByteBuffer buf = ByteBuffer.wrap(b, dataStart, (int) need).order(order);
    float[] raw = new float[(int) n];
    for (int i = 0; i < n; i++) {
      raw[i] =
          switch (dtype) {
            case "f4" -> buf.getFloat();
            case "f8" -> (float) buf.getDouble();
            case "u1" -> buf.get() & 0xFF;
            case "u2" -> buf.getShort() & 0xFFFF;
            case "i2" -> buf.getShort();
            default -> buf.getInt();
          };
    }
    boolean fortran = header.fortranOrder();
    return new NpyArray(shape, dtype, fortran && shape.length > 1 ? toCOrder(raw, shape) : raw);
  }

  private static float[] toCOrder(float[] f, long[] shape) {
    int dims = shape.length;
    float[] c = new float[f.length];
    int[] idx = new int[dims];
    for (int i = 0; i < f.length; i++) {
      // i walks C order; the Fortran offset uses strides growing from the first axis.
      long off = 0;
      long stride = 1;
      for (int k = 0; k < dims; k++) {
        off += idx[k] * stride;
        stride *= shape[k];
      }
      c[i] = f[(int) off];
      for (int k = dims - 1; k >= 0; k--) {
        if (++idx[k] < shape[k]) {
          break;
        }
        idx[k] = 0;
      }
    }
    return c;
  }

  @Override
  public String toString() {
    return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
