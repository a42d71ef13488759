package dev.bindery.eval.bench;

import dev.bindery.indexer.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The TEXMEX vector formats of the classic ANN benchmark sets (SIFT1M, GIST1M): {@code .fvecs}
 * holds records of a little-endian int32 dimension followed by that many float32 values, {@code
 * .ivecs} the same with int32 values (ground-truth neighbour ids). Every record of a file must have
 * the same dimension.
 *
 * <p>Readers reject a malformed file with an {@link IllegalArgumentException} naming the file, the
 * record and what is wrong; writers replace the target atomically, so a cache file is either whole
 * or absent.
 */
public final class FvecsFormat {

  private FvecsFormat() {}

  /** All vectors of an {@code .fvecs} file. */
  public static float[][] readFvecs(Path path) throws IOException {
    return readFvecs(path, Integer.MAX_VALUE);
  }

  /** The first {@code limit} vectors of an {@code .fvecs} file (all if it holds fewer). */
  public static float[][] readFvecs(Path path, int limit) throws IOException {
    List<float[]> rows =
        read(
            path,
            limit,
            (in, dim) -> {
              float[] v = new float[dim];
              in.readFloats(v);
              return v;
            });
    return rows.toArray(new float[0][]);
  }

  /** All rows of an {@code .ivecs} file. */
  public static int[][] readIvecs(Path path) throws IOException {
    List<int[]> rows =
        read(
            path,
            Integer.MAX_VALUE,
            (in, dim) -> {
              int[] v = new int[dim];
              in.readInts(v);
              return v;
            });
    return rows.toArray(new int[0][]);
  }

  /** Writes {@code vectors} (all of one dimension, at least one) as an {@code .fvecs} file. */
  public static void writeFvecs(Path path, float[][] vectors) throws IOException {
    int dim = checkRows(path, vectors.length, i -> vectors[i].length);
    write(
        path,
        vectors.length,
        dim,
        (buf, i) -> {
          for (float x : vectors[i]) {
            buf.putFloat(x);
          }
        });
  }

  /** Writes {@code rows} (all of one length, at least one) as an {@code .ivecs} file. */
  public static void writeIvecs(Path path, int[][] rows) throws IOException {
    int dim = checkRows(path, rows.length, i -> rows[i].length);
    write(
        path,
        rows.length,
        dim,
        (buf, i) -> {
          for (int x : rows[i]) {
            buf.putInt(x);
          }
        });
  }

  private interface RecordReader<T> {
    T read(LittleEndianFileInput in, int dim) throws IOException;
  }

  private interface RecordWriter {
    void write(ByteBuffer buf, int row);
  }

  private static <T> List<T> read(Path path, int limit, RecordReader<T> reader) throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, got " + limit);
    }
    try (LittleEndianFileInput in = new LittleEndianFileInput(path)) {
      if (in.size() == 0) {
        throw new IllegalArgumentException(path + ": file is empty; expected at least one record");
      }
      List<T> rows = new ArrayList<>();
      int firstDim = -1;
      long recordBytes = 0;
      while (in.remaining() > 0 && rows.size() < limit) {
        int record = rows.size();
        if (in.remaining() < Integer.BYTES) {
          throw bad(
              path,
              record,
              "truncated: " + in.remaining() + " byte(s) left where a 4-byte dimension belongs");
        }
        int dim = in.readInt();
        if (dim <= 0) {
          throw bad(
              path,
              record,
              "dimension " + dim + " is not positive (is this a little-endian .fvecs file?)");
        }
        if (firstDim < 0) {
          firstDim = dim;
          recordBytes = Integer.BYTES + 4L * dim;
          if (rows.isEmpty() && in.size() % recordBytes == 0) {
            int expected = (int) Math.min(limit, in.size() / recordBytes);
            rows = new ArrayList<>(expected);
          }
        } else if (dim != firstDim) {
          throw bad(
              path,
              record,
              "dimension "
                  + dim
                  + " differs from "
                  + firstDim
                  + " of record 0 (offset "
                  + (in.position() - Integer.BYTES)
                  + ")");
        }
        if (record == 0 && 4L * dim > in.size()) {
          throw bad(
              path,
              record,
              "dimension "
                  + dim
                  + " needs more bytes than the file's "
                  + in.size()
                  + " (is this a little-endian .fvecs file?)");
        }
        if (in.remaining() < 4L * dim) {
          throw bad(
              path,
              record,
              "truncated: needs "
                  + 4L * dim
                  + " bytes of values, only "
                  + in.remaining()
                  + " left (file length "
                  + in.size()
                  + " is not a multiple of the record size "
                  + recordBytes
                  + ")");
        }
        rows.add(reader.read(in, dim));
      }
      return rows;
    }
  }

  private static IllegalArgumentException bad(Path path, int record, String reason) {
    return new IllegalArgumentException(path + ": record " + record + ": " + reason);
  }

  private static int checkRows(Path path, int count, java.util.function.IntUnaryOperator length) {
    if (count == 0) {
      throw new IllegalArgumentException(path + ": refusing to write a file with no records");
    }
    int dim = length.applyAsInt(0);
    if (dim == 0) {
      throw new IllegalArgumentException(path + ": row 0 is empty");
    }
    for (int i = 1; i < count; i++) {
      if (length.applyAsInt(i) != dim) {
        throw new IllegalArgumentException(
            path + ": row " + i + " has length " + length.applyAsInt(i) + ", row 0 has " + dim);
      }
    }
    return dim;
  }

  private static void write(Path path, int count, int dim, RecordWriter writer) throws IOException {
    int recordBytes = Integer.BYTES + 4 * dim;
    int perBuffer = Math.max(1, (1 << 20) / recordBytes);
    ByteBuffer buf = ByteBuffer.allocate(perBuffer * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
    AtomicFiles.write(
        path,
        ch -> {
          for (int i = 0; i < count; i++) {
            if (buf.remaining() < recordBytes) {
              flush(ch, buf);
            }
            buf.putInt(dim);
            writer.write(buf, i);
          }
          flush(ch, buf);
        });
  }

  private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
    buf.flip();
    AtomicFiles.writeFully(ch, buf);
    buf.clear();
  }
}
