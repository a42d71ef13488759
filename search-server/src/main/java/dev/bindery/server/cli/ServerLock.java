package dev.bindery.server.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Marks a data directory as served by a running {@code bindery serve} or {@code bindery demo}: an
 * OS file lock on {@code <data>/server.lock}, holding the server's pid and URL. Collections are
 * opened lazily, so without it a write command could take a collection's write lock before the
 * server touched it and the server's own writes would fail later; with it, write commands refuse at
 * once and say where the server is. The OS drops the lock when the process dies, so a crash leaves
 * no stale lock behind (the file stays, unlocked, and is ignored).
 */
final class ServerLock implements AutoCloseable {
  static final String FILE = "server.lock";

  private final FileChannel channel;
  private final FileLock lock;
  private boolean closed;

  private ServerLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock for a server at {@code url} over {@code dataDir} (created if needed).
   *
   * @throws IllegalStateException if another server holds it
   */
  static ServerLock acquire(Path dataDir, String url) {
    Path file = dataDir.resolve(FILE);
    FileChannel ch = null;
    try {
      Files.createDirectories(dataDir);
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock l = tryLock(ch);
      if (l == null) {
        String holder = read(ch);
        ch.close();
        throw new IllegalStateException(
            "the data directory "
                + dataDir.toAbsolutePath().normalize()
                + " is already served by another Bindery server ("
                + holder
                + "); stop it first or serve another --data");
      }
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              ("pid " + ProcessHandle.current().pid() + ", " + url + "\n")
                  .getBytes(StandardCharsets.UTF_8)),
          0);
      ch.force(true);
      return new ServerLock(ch, l);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Who serves {@code dataDir} now ("pid N, http://host:port"), or empty when no server does. Never
   * creates anything.
   */
  static Optional<String> holder(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock l = tryLock(ch);
      if (l != null) {
        l.release();
        return Optional.empty();
      }
      return Optional.of(read(ch));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Null when another process (or this one) holds the lock. */
  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException heldHere) {
      return null;
    }
  }

  private static String read(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(512);
    int n = ch.read(buf, 0);
    String s = n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).strip();
    return s.isEmpty() ? "a server starting up" : s;
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already failing; the caller reports the first failure
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the server lock: " + e.getMessage(), e);
    }
  }
}
