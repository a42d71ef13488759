package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.lucene.util.IOUtils;

/**
 * Crash-safe small-file writes: write a temporary sibling, fsync it, rename it over the target,
 * fsync the directory. A reader sees the old file or the new one, never a torn one. The one copy of
 * this sequence in the indexer: {@link CollectionFile} and {@link FilterSets} write through it, and
 * {@link LuceneBackend} syncs its renames with {@link #syncDirectory}.
 */
final class AtomicFiles {
  private AtomicFiles() {}

  static void write(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
  }

  /**
   * Makes a rename or delete in {@code dir} durable: Lucene's own directory fsync, which skips file
   * systems that refuse to open directories (the rename itself is still atomic there).
   */
  static void syncDirectory(Path dir) throws IOException {
    IOUtils.fsync(dir, true);
  }
}
