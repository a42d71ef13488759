package dev.bindery.eval.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte array in LeCun's IDX format (MNIST, Fashion-MNIST), gzipped or not: a 4-byte
 * big-endian magic {@code 0x00 0x00 type ndims} (type {@code 0x08} is unsigned byte, the only one
 * read here), then {@code ndims} big-endian 32-bit sizes, then the values in row-major order.
 *
 * @param dims the sizes, outermost first
 * @param data the values; not copied, do not modify
 */
public record IdxFile(int[] dims, byte[] data) {

  /** Reads {@code file}; a gzip file (magic {@code 1f 8b}) is inflated on the way. */
  public static IdxFile read(Path file) {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw) : raw;
      DataInputStream d = new DataInputStream(in);
      int magic = d.readInt();
      if ((magic >>> 16) != 0) {
        throw new IllegalArgumentException(
            file
                + " is not an IDX file: magic 0x"
                + Integer.toHexString(magic)
                + " does not start with two zero bytes");
      }
      int type = (magic >>> 8) & 0xff;
      int ndims = magic & 0xff;
      if (type != 0x08) {
        throw new IllegalArgumentException(
            file
                + ": IDX value type 0x"
                + Integer.toHexString(type)
                + " is not supported; only 0x08 (unsigned byte) is");
      }
      if (ndims < 1 || ndims > 4) {
        throw new IllegalArgumentException(file + ": IDX rank " + ndims + " outside 1..4");
      }
      int[] dims = new int[ndims];
      long total = 1;
      for (int i = 0; i < ndims; i++) {
        dims[i] = d.readInt();
        if (dims[i] < 0) {
          throw new IllegalArgumentException(file + ": negative IDX size " + dims[i]);
        }
        total *= dims[i];
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            file + ": IDX sizes " + Arrays.toString(dims) + " hold too many values");
      }
      byte[] data = new byte[(int) total];
      try {
        d.readFully(data);
      } catch (EOFException e) {
        throw new IllegalArgumentException(
            file
                + ": IDX sizes "
                + Arrays.toString(dims)
                + " promise "
                + total
                + " values, the file ends before",
            e);
      }
      if (d.read() != -1) {
        throw new IllegalArgumentException(
            file + ": bytes after the " + total + " values of IDX sizes " + Arrays.toString(dims));
      }
      return new IdxFile(dims, data);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The value at a flat index, 0..255. */
  public int unsigned(int i) {
    return data[i] & 0xff;
  }

  @Override
  public String toString() {
    return "IdxFile" + Arrays.toString(dims);
  }
}
