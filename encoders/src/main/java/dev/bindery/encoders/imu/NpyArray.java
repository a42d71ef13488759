package dev.bindery.encoders.imu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal reader of NumPy {@code .npy} files (format versions 1-3) holding float32 or float64
 * arrays in either byte order, C or Fortran order; values come back as floats in C order. Enough
 * for IMU traces and test goldens; anything else is rejected with what the header says.
 *
 * @param shape the array's shape
 * @param data values in row-major (C) order
 */
public record NpyArray(int[] shape, float[] data) {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /**
   * Parses an .npy file's bytes; {@code name} names it in messages.
   *
   * @throws IllegalArgumentException for anything that is not a float32/float64 .npy array
   */
  public static NpyArray parse(byte[] bytes, String name) {
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new IllegalArgumentException(
          "file " + name + " is not a .npy file (no \\x93NUMPY magic)");
    }
    int major = bytes[6];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(b.getShort(8));
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new IllegalArgumentException("file " + name + ": .npy header is truncated");
      }
      headerLen = Integer.toUnsignedLong(b.getInt(8));
      headerStart = 12;
    } else {
      throw new IllegalArgumentException("file " + name + ": unsupported .npy version " + major);
    }
    if (headerStart + headerLen > bytes.length) {
      throw new IllegalArgumentException(
          "file "
              + name
              + ": .npy header of "
              + headerLen
              + " bytes runs past the end of the file");
    }
    String header =
        new String(
            bytes,
            headerStart,
            (int) headerLen,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IllegalArgumentException(
          "file " + name + ": cannot parse .npy header " + header.trim());
    }
    String descr = d.group(1);
    boolean fortran = f.group(1).equals("True");
    int[] shape =
        Arrays.stream(s.group(1).split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .mapToInt(
                t -> {
                  try {
                    return Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                  } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                        "file " + name + ": bad .npy shape (" + s.group(1) + ")", e);
                  }
                })
            .toArray();
    int width;
    ByteOrder order;
    switch (descr) {
      case "<f4", "=f4", "|f4" -> {
        width = 4;
        order = ByteOrder.LITTLE_ENDIAN;
      }
      case ">f4" -> {
        width = 4;
        order = ByteOrder.BIG_ENDIAN;
      }
      case "<f8", "=f8" -> {
        width = 8;
        order = ByteOrder.LITTLE_ENDIAN;
      }
      case ">f8" -> {
        width = 8;
        order = ByteOrder.BIG_ENDIAN;
      }
      default ->
          throw new IllegalArgumentException(
              "file "
                  + name
                  + ": .npy dtype '"
                  + descr
                  + "' is not supported (float32 or float64 only)");
    }
    long count = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            "file " + name + ": negative .npy dimension in " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, dim);
    }
    long dataStart = headerStart + headerLen;
    if (dataStart + count * width > bytes.length || count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "file "
              + name
              + ": .npy shape "
              + Arrays.toString(shape)
              + " needs "
              + count * width
              + " data bytes, the file has "
              + (bytes.length - dataStart)
              + " (truncated)");
    }
    ByteBuffer data =
        ByteBuffer.wrap(bytes, (int) dataStart, (int) (count * width)).slice().order(order);
    float[] raw = new float[(int) count];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = width == 4 ? data.getFloat(i * 4) : (float) data.getDouble(i * 8);
    }
    return new NpyArray(shape, fortran ? fortranToC(raw, shape) : raw);
  }

  private static float[] fortranToC(float[] raw, int[] shape) {
    int n = raw.length;
    float[] out = new float[n];
    int rank = shape.length;
    int[] idx = new int[rank];
    for (int fi = 0; fi < n; fi++) {
      // fi enumerates Fortran order: first index fastest.
      int ci = 0;
      for (int k = 0; k < rank; k++) {
        ci = ci * shape[k] + idx[k];
      }
      out[ci] = raw[fi];
      for (int k = 0; k < rank; k++) {
        if (++idx[k] < shape[k]) {
          break;
        }
        idx[k] = 0;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "NpyArray" + Arrays.toString(shape);
  }
}
