package dev.bindery.eval.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sequential little-endian reads from a file of any size (vector files outgrow the 2 GiB a single
 * memory map can hold), through one reusable buffer. Tracks the position so readers can say where a
 * file went wrong.
 */
final class LittleEndianFileInput implements Closeable {
  private static final int BUFFER_BYTES = 1 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private ByteBuffer buffer;
  private long position;

  LittleEndianFileInput(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    this.size = channel.size();
    this.buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.flip();
  }

  /** File length in bytes. */
  long size() {
    return size;
  }

  /** Bytes consumed so far. */
  long position() {
    return position;
  }

  /** Bytes not yet consumed. */
  long remaining() {
    return size - position;
  }

  int readInt() throws IOException {
    require(Integer.BYTES);
    position += Integer.BYTES;
    return buffer.getInt();
  }

  /** Reads exactly {@code n} bytes. */
  byte[] readBytes(int n) throws IOException {
    require(n);
    byte[] out = new byte[n];
    buffer.get(out);
    position += n;
    return out;
  }

  /** Fills {@code dst} with little-endian float32 values. */
  void readFloats(float[] dst) throws IOException {
    int done = 0;
    while (done < dst.length) {
      int n = Math.min(dst.length - done, BUFFER_BYTES / Float.BYTES);
      require(n * Float.BYTES);
      buffer.asFloatBuffer().get(dst, done, n);
      buffer.position(buffer.position() + n * Float.BYTES);
      position += (long) n * Float.BYTES;
      done += n;
    }
  }

  /** Fills {@code dst} with little-endian float64 values rounded to float32. */
  void readDoublesAsFloats(float[] dst) throws IOException {
    int done = 0;
    while (done < dst.length) {
      int n = Math.min(dst.length - done, BUFFER_BYTES / Double.BYTES);
      require(n * Double.BYTES);
      for (int i = 0; i < n; i++) {
        dst[done + i] = (float) buffer.getDouble();
      }
      position += (long) n * Double.BYTES;
      done += n;
    }
  }

  /** Fills {@code dst} with little-endian int32 values. */
  void readInts(int[] dst) throws IOException {
    int done = 0;
    while (done < dst.length) {
      int n = Math.min(dst.length - done, BUFFER_BYTES / Integer.BYTES);
      require(n * Integer.BYTES);
      buffer.asIntBuffer().get(dst, done, n);
      buffer.position(buffer.position() + n * Integer.BYTES);
      position += (long) n * Integer.BYTES;
      done += n;
    }
  }

  /** Makes at least {@code n} bytes available in the buffer, or fails if the file ends first. */
  private void require(int n) throws IOException {
    if (buffer.remaining() >= n) {
      return;
    }
    if (remaining() < n) {
      throw new EOFException(
          path
              + ": needs "
              + n
              + " bytes at offset "
              + position
              + ", only "
              + remaining()
              + " left");
    }
    if (buffer.capacity() < n) {
      ByteBuffer bigger = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
      bigger.put(buffer);
      buffer = bigger;
    } else {
      buffer.compact();
    }
    while (buffer.position() < n) {
      if (channel.read(buffer) < 0) {
        throw new EOFException(path + ": file shrank while reading at offset " + position);
      }
    }
    buffer.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
