package dev.bindery.indexer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.lucene.util.IOUtils;

/**
 * Crash-safe whole-file writes: write a temporary sibling, fsync it, rename it over the target,
 * fsync the directory. A reader sees the old file or the new one, never a torn one, and after a
 * crash the target is one of the two. Every module writes its small state files (collection
 * descriptions, filter sets, key files, model records) and its reports and vector files this way.
 *
 * <p>The temporary sibling has a random name, so two writers of one target never share it (the last
 * rename wins); it is removed when a write fails, and only a crash can leave one behind.
 *
 * <p>The contract package's one use of Lucene: {@code IOUtils.fsync} is in Lucene 9 and 10 alike,
 * so this class also loads on the SolrCloud backend's classpath.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What a write puts into the temporary file; it need not force or close the channel. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** Replaces {@code target} with {@code bytes}, creating its directory if needed. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, false, true, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  /** Replaces {@code target} with what {@code content} writes, creating its directory if needed. */
  public static void write(Path target, Content content) throws IOException {
    write(target, false, true, content);
  }

  /**
   * Replaces {@code target} with {@code bytes} inside its directory as it is: a missing directory
   * is a {@link NoSuchFileException}, never created. For a state file whose folder's existence
   * means something: a write that races the folder's removal (a collection dropped while one of its
   * writes was finishing) must fail instead of bringing back a folder holding only that file.
   */
  public static void replaceInExistingDirectory(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "the folder is gone; not writing " + target.getFileName());
    }
    write(target, false, false, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  /**
   * Like {@link #write(Path, byte[])} for a secret: the file is readable and writable by its owner
   * only from the moment it exists, where the file system has POSIX permissions (elsewhere the
   * directory's permissions have to do).
   */
  public static void writeOwnerOnly(Path target, byte[] bytes) throws IOException {
    write(target, true, true, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  /**
   * Makes a rename or delete in {@code dir} durable: Lucene's own directory fsync, which skips file
   * systems that refuse to open directories (the rename itself is still atomic there).
   */
  public static void syncDirectory(Path dir) throws IOException {
    IOUtils.fsync(dir, true);
  }

  /** Writes all of {@code buf} at the channel's position. */
  public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void write(
      Path target, boolean ownerOnly, boolean createDirectory, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (createDirectory) {
      Files.createDirectories(dir);
    }
    Path tmp =
        dir.resolve(
            target.getFileName()
                + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + ".tmp");
    Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileAttribute<?>[] attributes =
        ownerOnly && dir.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    boolean renamed = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, options, attributes)) {
        content.writeTo(ch);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
    } finally {
      if (!renamed) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException | RuntimeException suppressed) {
          // The write failed already; that failure is what the caller hears about.
        }
      }
    }
    syncDirectory(dir);
  }
}
