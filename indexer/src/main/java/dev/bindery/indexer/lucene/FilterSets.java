package dev.bindery.indexer.lucene;

import dev.bindery.indexer.AtomicFiles;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.SchemaChecks;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.roaringbitmap.RoaringBitmap;

/**
 * Named filter sets of one collection: Roaring bitmaps over item ordinals. Sets are immutable once
 * published (a put replaces the bitmap), so readers need no locks. Combinations of sets are cached
 * by their expression and the versions of the sets they read.
 *
 * <p>The sets are written to {@code filtersets.bin} (checksummed, replaced atomically) on commit.
 */
final class FilterSets {
  static final String FILE = "filtersets.bin";
  private static final int MAGIC = 0x42465331; // "BFS1"

  /** A published set: the bitmap is never modified after construction. */
  record Entry(String name, RoaringBitmap bitmap, long version) {}

  private final Map<String, Entry> sets = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();
  private volatile boolean dirty;

  static FilterSets load(Path dir) {
    FilterSets fs = new FilterSets();
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return fs;
    }
    try {
      byte[] all = Files.readAllBytes(file);
      if (all.length < 12) {
        throw new IOException("file is truncated (" + all.length + " bytes)");
      }
      CRC32 crc = new CRC32();
      crc.update(all, 0, all.length - 8);
      long expected = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
      if (crc.getValue() != expected) {
        throw new IOException("checksum mismatch");
      }
      DataInputStream in =
          new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8));
      if (in.readInt() != MAGIC) {
        throw new IOException("not a Bindery filter-set file");
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        RoaringBitmap bm = new RoaringBitmap();
        bm.deserialize(in);
        fs.sets.put(name, new Entry(name, bm, fs.versions.incrementAndGet()));
      }
      return fs;
    } catch (IOException e) {
      throw new IndexUnavailableException(
          "filter sets file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** Persists the sets if they changed since the last save. */
  synchronized void saveIfDirty(Path dir) throws IOException {
    if (!dirty) {
      return;
    }
    dirty = false;
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      Map<String, Entry> snapshot = new TreeMap<>(sets);
      out.writeInt(MAGIC);
      out.writeInt(snapshot.size());
      for (Entry e : snapshot.values()) {
        out.writeUTF(e.name());
        e.bitmap().serialize(out);
      }
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
      AtomicFiles.replaceInExistingDirectory(dir.resolve(FILE), bytes.toByteArray());
    } catch (IOException | RuntimeException e) {
      dirty = true;
      throw e;
    }
  }

  void put(String name, RoaringBitmap bitmap) {
    bitmap.runOptimize();
    sets.put(name, new Entry(name, bitmap, versions.incrementAndGet()));
    dirty = true;
  }

  boolean remove(String name) {
    boolean removed = sets.remove(name) != null;
    if (removed) {
      dirty = true;
    }
    return removed;
  }

  Entry get(String name) {
    Entry e = sets.get(name);
    if (e == null) {
      throw SchemaChecks.unknownFilterSet(name, sets.keySet());
    }
    return e;
  }

  /** The largest item ordinal any set holds, or -1 when all are empty. */
  int maxOrdinal() {
    int max = -1;
    for (Entry e : sets.values()) {
      if (!e.bitmap().isEmpty()) {
        max = Math.max(max, e.bitmap().last());
      }
    }
    return max;
  }

  Set<String> names() {
    return Set.copyOf(sets.keySet());
  }
}
