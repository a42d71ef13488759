package dev.bindery.indexer.lucene;

import dev.bindery.indexer.AtomicFiles;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.TextQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * The embedded backend: each collection is a Lucene index under {@code
 * <dataDir>/collections/<name>/}, opened on first use and kept open until {@link #close()}.
 *
 * <p>Thread-safe. One backend owns a data directory: a second backend (in this process or another)
 * on the same collection gets a clear "locked" error, never a second writer. A backend opened with
 * {@link #readOnly(Path)} takes no lock at all and can search beside that writer, seeing what it
 * has committed ({@link #refresh(String)} moves to its latest commit).
 */
public final class LuceneBackend implements IndexBackend {
  private static final String TRASH_PREFIX = ".dropped-";

  private final Path root;
  private final boolean readOnly;
  private final HnswMergeWorkers mergeWorkers;
  private final Map<String, LuceneCollection> open = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  /** Opens (creating if needed) the data directory {@code dataDir}. */
  public LuceneBackend(Path dataDir) {
    this(dataDir, false, HnswMergeWorkers.none());
  }

  /**
   * Opens (creating if needed) {@code dataDir}, merging HNSW graphs with {@code mergeWorkers}
   * threads; the caller closes {@code mergeWorkers} after this backend.
   */
  public LuceneBackend(Path dataDir, HnswMergeWorkers mergeWorkers) {
    this(dataDir, false, mergeWorkers);
  }

  private LuceneBackend(Path dataDir, boolean readOnly, HnswMergeWorkers mergeWorkers) {
    this.root = dataDir.toAbsolutePath().resolve("collections");
    this.readOnly = readOnly;
    this.mergeWorkers = java.util.Objects.requireNonNull(mergeWorkers, "mergeWorkers");
    if (readOnly) {
      return; // creates nothing, cleans nothing: that is the writer's job
    }
    try {
      Files.createDirectories(root);
      removeTrash();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data directory " + dataDir + ": " + e, e);
    }
  }

  /**
   * Opens the data directory {@code dataDir} for searching only: nothing is created, locked or
   * written, so this works while another process (a running server) writes to it. Writes fail with
   * an {@link IllegalStateException} that says the backend is read-only.
   */
  public static LuceneBackend readOnly(Path dataDir) {
    return new LuceneBackend(dataDir, true, HnswMergeWorkers.none());
  }

  /** True for a backend opened with {@link #readOnly(Path)}. */
  public boolean isReadOnly() {
    return readOnly;
  }

  private void checkWritable(String operation) {
    if (readOnly) {
      throw new IllegalStateException(
          "the data directory "
              + root.getParent()
              + " is open read-only here (for searching); "
              + operation
              + " needs a writer");
    }
  }

  /** Where collections live. */
  public Path collectionsDir() {
    return root;
  }

  @Override
  public void createCollection(CollectionConfig config) {
    checkWritable("creating collection '" + config.name() + "'");
    synchronized (lifecycle) {
      ensureOpen();
      Path dir = root.resolve(config.name());
      if (Files.exists(dir)) {
        throw new ConflictException("collection '" + config.name() + "' already exists");
      }
      try {
        Files.createDirectories(dir);
        CollectionFile.write(dir, config);
        open.put(config.name(), LuceneCollection.create(dir, config, mergeWorkers));
      } catch (IOException | RuntimeException e) {
        deleteTree(dir);
        if (e instanceof IOException io) {
          throw new UncheckedIOException(
              "cannot create collection '" + config.name() + "': " + io, io);
        }
        throw (RuntimeException) e;
      }
    }
  }

  @Override
  public boolean dropCollection(String name) {
    Names.checkName("collection", name);
    checkWritable("dropping collection '" + name + "'");
    synchronized (lifecycle) {
      ensureOpen();
      LuceneCollection c = open.remove(name);
      if (c != null) {
        c.discard();
      }
      Path dir = root.resolve(name);
      if (!Files.exists(dir.resolve(CollectionFile.NAME))) {
        return false;
      }
      // Rename first: a crash mid-delete leaves a trash directory, never half a collection.
      Path trash = root.resolve(TRASH_PREFIX + name + "-" + System.nanoTime());
      Path indexDir = dir.resolve(LuceneCollection.INDEX_DIR);
      // Hold the index's write lock across the rename: a collection that another backend (in this
      // process or another) has open is not ours to drop. Only the lock is taken, not the index,
      // so a corrupt collection can still be dropped.
      try (FSDirectory index = FSDirectory.open(indexDir);
          Lock lock = index.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
        Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(root);
      } catch (LockObtainFailedException e) {
        throw new IndexUnavailableException(
            "collection '"
                + name
                + "' is locked: another process (or another backend in this one) has "
                + indexDir
                + " open for writing; it was not dropped",
            e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot drop collection '" + name + "': " + e, e);
      }
      deleteTree(trash);
      return true;
    }
  }

  @Override
  public List<String> listCollections() {
    ensureOpen();
    if (readOnly && !Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(CollectionFile.NAME)))
          .map(d -> d.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list collections in " + root + ": " + e, e);
    }
  }

  @Override
  public CollectionInfo describe(String collection) {
    return collection(collection).describe();
  }

  /** The open collection's schema: no searcher, no counting (each search asks for it). */
  @Override
  public CollectionConfig config(String collection) {
    return collection(collection).config();
  }

  @Override
  public int upsert(String collection, List<Item> items) {
    return collection(collection).upsert(items);
  }

  @Override
  public int delete(String collection, Collection<String> ids) {
    return collection(collection).delete(ids);
  }

  @Override
  public Optional<Item> get(String collection, String id) {
    return collection(collection).get(id);
  }

  @Override
  public long count(String collection, Filter filter) {
    return collection(collection).count(filter);
  }

  @Override
  public List<String> deleteWhere(String collection, Filter filter) {
    return collection(collection).deleteWhere(filter);
  }

  @Override
  public Optional<Item> updateMetadata(String collection, String id, Map<String, Object> changes) {
    return collection(collection).updateMetadata(id, changes);
  }

  @Override
  public Map<String, Map<Object, Long>> valueCounts(
      String collection, Filter filter, List<String> fields) {
    return collection(collection).valueCounts(filter, fields);
  }

  @Override
  public void refresh(String collection) {
    collection(collection).refresh();
  }

  @Override
  public void commit(String collection) {
    collection(collection).commit();
  }

  @Override
  public SearchResult knn(String collection, KnnQuery query) {
    return collection(collection).knn(query).atLeast(query.minScore());
  }

  @Override
  public SearchResult text(String collection, TextQuery query) {
    return collection(collection).text(query).atLeast(query.minScore());
  }

  @Override
  public void putFilterSet(String collection, String name, Collection<String> ids) {
    collection(collection).putFilterSet(name, ids);
  }

  @Override
  public boolean deleteFilterSet(String collection, String name) {
    return collection(collection).deleteFilterSet(name);
  }

  /** Merges the collection down to at most {@code maxSegments} segments, then commits. */
  public void forceMerge(String collection, int maxSegments) {
    if (maxSegments < 1) {
      throw new IllegalArgumentException("maxSegments must be >= 1, got " + maxSegments);
    }
    collection(collection).forceMerge(maxSegments);
  }

  /**
   * Ends a bulk load into a backend opened with {@link HnswMergeWorkers#bulk}: the segments written
   * since without an HNSW graph (searched exactly until then) are merged into one whose graph the
   * merge workers build, and the collection is committed; segments that hold a graph are left as
   * they are. Returns the number of segments merged, 0 when there were none or when this backend
   * builds graphs as it flushes.
   */
  public int buildGraphs(String collection) {
    checkWritable("building the HNSW graphs of collection '" + collection + "'");
    return collection(collection).buildGraphs();
  }

  /** Bytes the collection's Lucene index takes on disk now. */
  public long indexBytes(String collection) {
    return collection(collection).indexBytes();
  }

  private LuceneCollection collection(String name) {
    Names.checkName("collection", name);
    ensureOpen();
    LuceneCollection c = open.get(name);
    if (c != null) {
      return c;
    }
    synchronized (lifecycle) {
      ensureOpen();
      c = open.get(name);
      if (c == null) {
        Path dir = root.resolve(name);
        if (!Files.isRegularFile(dir.resolve(CollectionFile.NAME))) {
          throw new CollectionNotFoundException(name, listCollections());
        }
        c =
            readOnly
                ? LuceneCollection.openReadOnly(dir)
                : LuceneCollection.open(dir, mergeWorkers);
        open.put(name, c);
      }
      return c;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this LuceneBackend is closed");
    }
  }

  /** Commits and closes every open collection. */
  @Override
  public void close() throws IOException {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      // One collection failing to commit (a lost disk, a full volume) must not leave the others
      // uncommitted and their write locks held: close every one, then report every failure.
      List<Exception> failures = new ArrayList<>();
      for (LuceneCollection c : open.values()) {
        try {
          c.close();
        } catch (IOException | RuntimeException e) {
          failures.add(e);
        }
      }
      open.clear();
      if (!failures.isEmpty()) {
        IOException first =
            failures.get(0) instanceof IOException io
                ? io
                : new IOException(failures.get(0).getMessage(), failures.get(0));
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        throw first;
      }
    }
  }

  private void removeTrash() throws IOException {
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.filter(d -> d.getFileName().toString().startsWith(TRASH_PREFIX))
          .forEach(LuceneBackend::deleteTree);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e, e);
    }
  }
}
