package dev.bindery.encoders.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array (format versions 1 to 3) read into floats: dtypes {@code f4}, {@code
 * f8}, {@code u1}, {@code u2}, {@code i2}, {@code i4} in either byte order, C or Fortran order.
 *
 * @param shape dimensions as stored
 * @param dtype the dtype code without byte order, e.g. {@code u2}
 * @param data values in C (row-major) order
 */
record NpyArray(long[] shape, String dtype, float[] data) {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** Whether the bytes start with the {@code .npy} magic string. */
  static boolean isNpy(byte[] b) {
    return b.length >= MAGIC.length && Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * Parses an array.
   *
   * @param maxValues the largest element count accepted (checked before allocating)
   * @throws IllegalArgumentException naming {@code name} for a bad header, an unsupported dtype, a
   *     shape above the limit or data shorter than the header says
   */
  static NpyArray parse(byte[] b, String name, long maxValues) {
    if (!isNpy(b) || b.length < 10) {
      throw new IllegalArgumentException(name + ": not a NumPy .npy file");
    }
    int major = b[6] & 0xFF;
    int headerLen;
    int start;
    if (major == 1) {
      headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
      start = 10;
    } else if (major == 2 || major == 3) {
      if (b.length < 12) {
        throw new IllegalArgumentException(name + ": truncated .npy header");
      }
      headerLen = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      start = 12;
    } else {
      throw new IllegalArgumentException(name + ": unsupported .npy format version " + major);
    }
    if (headerLen < 0 || start + (long) headerLen > b.length) {
      throw new IllegalArgumentException(name + ": truncated .npy header");
    }
    String header =
        new String(
            b, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int dataStart = start + headerLen;
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IllegalArgumentException(name + ": malformed .npy header: " + header.strip());
    }
    ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String dtype = d.group(2) + d.group(3);
    int itemSize = Integer.parseInt(d.group(3));
    if (!Arrays.asList("f4", "f8", "u1", "u2", "i2", "i4").contains(dtype)) {
      throw new IllegalArgumentException(
          name
              + ": unsupported .npy dtype '"
              + d.group(0).split("'")[3]
              + "' (need f4, f8, u1, u2, i2 or i4)");
    }
    long[] shape =
        Arrays.stream(s.group(1).split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    long n = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            name + ": negative .npy dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, dim);
    }
    if (n > maxValues) {
      throw new IllegalArgumentException(
          name
              + ": .npy array of shape "
              + Arrays.toString(shape)
              + " has "
              + n
              + " values, above the limit of "
              + maxValues
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
    boolean fortran = f.group(1).equals("True");
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
}
