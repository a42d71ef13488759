package dev.bindery.eval.bench;

import dev.bindery.encoders.NpyHeader;
import dev.bindery.indexer.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads matrices of vectors from NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0, the
 * header parsed by encoders' {@link NpyHeader}), streaming rows so files may outgrow a Java array:
 * a 2-D array in C order of little-endian float32 ({@code <f4}) or float64 ({@code <f8}, rounded to
 * float32), one vector per row. Anything else (other dtypes, other ranks, Fortran order, a data
 * section of the wrong length) is rejected with an {@link IllegalArgumentException} that names the
 * file and what was found.
 *
 * @see <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">the .npy
 *     format</a>
 */
public final class NpyFormat {

  private NpyFormat() {}

  /** All rows of a 2-D {@code <f4} or {@code <f8} array. */
  public static float[][] read(Path path) throws IOException {
    return read(path, Integer.MAX_VALUE);
  }

  /** The first {@code limit} rows of a 2-D {@code <f4} or {@code <f8} array. */
  public static float[][] read(Path path, int limit) throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, got " + limit);
    }
    try (LittleEndianFileInput in = new LittleEndianFileInput(path)) {
      NpyHeader header = readHeader(path, in);
      int itemBytes;
      if (header.descr().equals("<f4")) {
        itemBytes = 4;
      } else if (header.descr().equals("<f8")) {
        itemBytes = 8;
      } else {
        throw new IllegalArgumentException(
            path
                + ": dtype '"
                + header.descr()
                + "' is not supported; expected '<f4' (float32) or '<f8' (float64),"
                + " little-endian (shape "
                + header.shapeText()
                + ")");
      }
      if (header.shape().length != 2) {
        throw new IllegalArgumentException(
            path
                + ": array has shape "
                + header.shapeText()
                + " ("
                + header.shape().length
                + "-D); expected a 2-D array of vectors, one per row");
      }
      if (header.fortranOrder()) {
        throw new IllegalArgumentException(
            path
                + ": array of shape "
                + header.shapeText()
                + " is in Fortran (column-major) order; save it with"
                + " numpy.save(f, numpy.ascontiguousarray(a))");
      }
      long rows = header.shape()[0];
      long cols = header.shape()[1];
      if (rows < 1 || cols < 1 || rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE / 8) {
        throw new IllegalArgumentException(
            path + ": shape " + header.shapeText() + " holds no usable vectors");
      }
      long expected = rows * cols * itemBytes;
      if (in.remaining() != expected) {
        throw new IllegalArgumentException(
            path
                + ": data section is "
                + in.remaining()
                + " bytes but shape "
                + header.shapeText()
                + " of "
                + header.descr()
                + " needs "
                + expected
                + (in.remaining() < expected ? " (file truncated?)" : " (trailing bytes)"));
      }
      int n = (int) Math.min(rows, limit);
      float[][] out = new float[n][(int) cols];
      for (float[] row : out) {
        if (itemBytes == 4) {
          in.readFloats(row);
        } else {
          in.readDoublesAsFloats(row);
        }
      }
      return out;
    }
  }

  /**
   * Parses the header with encoders' {@link NpyHeader} (the one .npy parser) and leaves {@code in}
   * at the first data byte.
   */
  static NpyHeader readHeader(Path path, LittleEndianFileInput in) throws IOException {
    NpyHeader header;
    try (InputStream head = Files.newInputStream(path)) {
      header = NpyHeader.read(head, path.toString());
    }
    in.readBytes(header.dataOffset());
    return header;
  }

  /**
   * Writes a row-major float matrix as NumPy format 1.0, dtype little-endian float32, C order: to a
   * temporary sibling first, then moved into place ({@link AtomicFiles}), so a reader never sees
   * half a file.
   */
  public static void writeFloat32(Path out, float[] rowMajor, int rows, int cols)
      throws IOException {
    if (rows < 0 || cols < 0 || (long) rows * cols != rowMajor.length) {
      throw new IllegalArgumentException(
          "shape (" + rows + ", " + cols + ") does not hold " + rowMajor.length + " values");
    }
    String header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    // magic (6) + version (2) + header length (2) + header + newline, padded to 64 bytes
    int pad = (64 - (10 + header.length() + 1) % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    java.nio.ByteBuffer buf =
        java.nio.ByteBuffer.allocate(10 + header.length() + 4 * rowMajor.length)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    buf.putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII));
    buf.asFloatBuffer().put(rowMajor);
    AtomicFiles.write(out, buf.array());
  }

  /**
   * Writes rows of equal length as NumPy format 1.0, little-endian float32, C order, streaming (no
   * second copy of the matrix in memory); replaced atomically like {@link #writeFloat32(Path,
   * float[], int, int)}.
   */
  public static void writeFloat32(Path out, float[][] rows) throws IOException {
    if (rows.length == 0) {
      throw new IllegalArgumentException(out + ": refusing to write a matrix with no rows");
    }
    int cols = rows[0].length;
    for (int i = 1; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new IllegalArgumentException(
            out + ": row " + i + " has length " + rows[i].length + ", row 0 has " + cols);
      }
    }
    String header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + cols + "), }";
    int pad = (64 - (10 + header.length() + 1) % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    String padded = header;
    AtomicFiles.write(
        out,
        ch -> {
          java.nio.ByteBuffer buf =
              java.nio.ByteBuffer.allocate(Math.max(1 << 20, 10 + padded.length() + 4 * cols))
                  .order(java.nio.ByteOrder.LITTLE_ENDIAN);
          buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
          buf.putShort((short) padded.length());
          buf.put(padded.getBytes(StandardCharsets.US_ASCII));
          for (float[] row : rows) {
            if (buf.remaining() < 4 * cols) {
              drain(ch, buf);
            }
            for (float x : row) {
              buf.putFloat(x);
            }
          }
          drain(ch, buf);
        });
  }

  private static void drain(java.nio.channels.FileChannel ch, java.nio.ByteBuffer buf)
      throws IOException {
    buf.flip();
    AtomicFiles.writeFully(ch, buf);
    buf.clear();
  }
}
