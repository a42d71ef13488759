package dev.bindery.encoders;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} file (format versions 1.0, 2.0 and 3.0): the one parser of the
 * format in Bindery. {@link NpyArray} reads small arrays whole with it; eval's vector-file reader
 * streams rows of files larger than a Java array after it.
 *
 * @param major format major version (1, 2 or 3)
 * @param minor format minor version
 * @param descr the dtype as written, such as {@code <f4}
 * @param fortranOrder whether the data is in column-major order
 * @param shape the dimensions
 * @param dataOffset the byte offset of the first data byte
 * @see <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">the .npy
 *     format</a>
 */
public record NpyHeader(
    int major, int minor, String descr, boolean fortranOrder, long[] shape, int dataOffset) {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** numpy pads the header to 64 bytes; anything near this size is not a header. */
  private static final int MAX_HEADER_BYTES = 1 << 20;

  // numpy writes the header with repr() of a dict, so keys and strings are quoted, booleans are
  // Python literals and the shape is a tuple: {'descr': '<f4', 'fortran_order': False,
  // 'shape': (3, 4), }. A structured dtype's descr is a list, caught by the fourth group.
  private static final Pattern DESCR =
      Pattern.compile("(['\"])descr\\1\\s*:\\s*(?:(['\"])(.*?)\\2|(\\S))");
  private static final Pattern FORTRAN =
      Pattern.compile("(['\"])fortran_order\\1\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("(['\"])shape\\1\\s*:\\s*\\(([^)]*)\\)");

  public NpyHeader {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Whether the bytes start with the {@code .npy} magic string. */
  public static boolean isNpy(byte[] b) {
    return b.length >= MAGIC.length && Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /** The header at the start of {@code bytes}; see {@link #read(InputStream, String)}. */
  public static NpyHeader parse(byte[] bytes, String name) {
    try {
      return read(new ByteArrayInputStream(bytes), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayInputStream does not throw
    }
  }

  /**
   * Reads the magic string, version and header from {@code in}, leaving it at the first data byte.
   *
   * @param name names the input in messages
   * @throws IllegalArgumentException naming {@code name} for a missing magic string, an unknown
   *     version, a truncated or malformed header, a structured dtype or a non-integer dimension
   */
  public static NpyHeader read(InputStream in, String name) throws IOException {
    byte[] magic = in.readNBytes(MAGIC.length);
    if (!isNpy(magic)) {
      throw new IllegalArgumentException(
          name + ": not a NumPy .npy file (no \\x93NUMPY magic at the start)");
    }
    byte[] version = in.readNBytes(2);
    if (version.length < 2) {
      throw new IllegalArgumentException(name + ": truncated .npy header (no version)");
    }
    int major = version[0] & 0xFF;
    int minor = version[1] & 0xFF;
    int lengthBytes;
    if (major == 1) {
      lengthBytes = 2;
    } else if (major == 2 || major == 3) {
      lengthBytes = 4;
    } else {
      throw new IllegalArgumentException(
          name
              + ": unsupported .npy format version "
              + major
              + "."
              + minor
              + "; expected 1.0, 2.0 or 3.0");
    }
    byte[] len = in.readNBytes(lengthBytes);
    if (len.length < lengthBytes) {
      throw new IllegalArgumentException(name + ": truncated .npy header (no header length)");
    }
    ByteBuffer lenBuf = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength =
        lengthBytes == 2 ? lenBuf.getShort() & 0xFFFF : Integer.toUnsignedLong(lenBuf.getInt());
    if (headerLength > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(
          name + ": .npy header length " + headerLength + " is impossible (above 1 MiB)");
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    if (headerBytes.length < headerLength) {
      throw new IllegalArgumentException(
          name
              + ": truncated .npy header: "
              + headerLength
              + " bytes run past the end of the file");
    }
    // Versions 1 and 2 store the header in latin-1, version 3 in UTF-8 (for structured field
    // names).
    String text =
        new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
            .strip();
    if (!text.startsWith("{") || !text.endsWith("}")) {
      throw new IllegalArgumentException(
          name + ": header is not a Python dict literal: " + abbreviate(text));
    }
    Matcher descr = DESCR.matcher(text);
    if (!descr.find()) {
      throw new IllegalArgumentException(name + ": header has no 'descr': " + abbreviate(text));
    }
    if (descr.group(3) == null) {
      throw new IllegalArgumentException(
          name
              + ": structured dtype "
              + abbreviate(text.substring(descr.start(4)))
              + " is not supported");
    }
    Matcher fortran = FORTRAN.matcher(text);
    if (!fortran.find()) {
      throw new IllegalArgumentException(
          name + ": header has no 'fortran_order': " + abbreviate(text));
    }
    Matcher shape = SHAPE.matcher(text);
    if (!shape.find()) {
      throw new IllegalArgumentException(name + ": header has no 'shape': " + abbreviate(text));
    }
    return new NpyHeader(
        major,
        minor,
        descr.group(3),
        fortran.group(2).equals("True"),
        parseShape(name, shape.group(2)),
        MAGIC.length + 2 + lengthBytes + (int) headerLength);
  }

  /** The shape as numpy prints it: {@code (3, 4)}, {@code (4,)}. */
  public String shapeText() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** The dimensions of a shape tuple such as {@code 6, 2000} (Python 2 writes {@code 6L}). */
  private static long[] parseShape(String name, String tuple) {
    List<Long> dims = new ArrayList<>();
    for (String part : tuple.split(",")) {
      String p = part.strip();
      if (p.endsWith("L")) {
        p = p.substring(0, p.length() - 1); // Python 2 longs in files written long ago
      }
      if (p.isEmpty()) {
        continue;
      }
      try {
        dims.add(Long.parseLong(p));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            name + ": bad .npy shape (" + tuple + "): '" + p + "' is not an integer", e);
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyHeader h
        && major == h.major
        && minor == h.minor
        && descr.equals(h.descr)
        && fortranOrder == h.fortranOrder
        && Arrays.equals(shape, h.shape)
        && dataOffset == h.dataOffset;
  }

  @Override
  public int hashCode() {
    return 31 * descr.hashCode() + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "npy v"
        + major
        + "."
        + minor
        + " descr="
        + descr
        + " fortran_order="
        + fortranOrder
        + " shape="
        + shapeText();
  }
}
