package dev.bindery.indexer.lucene;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SchemaChecks;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.ValueCounts;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.roaringbitmap.RoaringBitmap;

/**
 * One collection of the embedded backend: a Lucene index (one IndexWriter, near-real-time
 * searchers), its {@code collection.json}, and its filter sets. This class owns the lifecycle
 * (open, commit, refresh, close) and hands a searcher to the pieces that do the work, split the way
 * Lucene splits them: {@link BatchWriter} (writes), {@link CollectionSchema} (recorded field
 * types), {@link FilterCompiler} (filters), {@link KnnSearch} (HNSW, exact, rescoring), {@link
 * TextSearch} (BM25), {@link StoredItems} and {@link DocValueCounts} (reads); {@link
 * CollectionSearchers} lends the searchers, {@link WriterSettings} configures the writer and {@link
 * IndexOpenFailures} words the refusals to open.
 */
final class LuceneCollection implements Closeable {
  static final String INDEX_DIR = "index";

  /**
   * Metadata and text as written, in JSON. An {@link Instant} is kept as its ISO-8601 text, which
   * date fields and filters accept back, so {@code get} returns it as a string (as the SolrCloud
   * backend does).
   */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .registerModule(
              new SimpleModule("bindery-instant")
                  .addSerializer(Instant.class, ToStringSerializer.instance));

  static final TypeReference<LinkedHashMap<String, Object>> META_TYPE = new TypeReference<>() {};

  private final Path dir;
  private final String name;
  private final CollectionSchema schema;
  // Null when the collection is open read-only: then searchers follow the latest commit on disk.
  private final IndexWriter writer;
  private final BatchWriter batches;
  private final boolean readOnly;
  private final Object commitLock = new Object();
  private final FSDirectory directory;
  private final CollectionSearchers searchers;
  private final BitSetProducer parents = new QueryBitSetProducer(DocFields.ITEMS);
  private final Ordinals ords = new Ordinals();
  private volatile FilterSets filterSets;
  private final FilterCompiler filters;
  private final KnnSearch knn = new KnnSearch(parents);
  private final TextSearch text;
  private final StoredItems items = new StoredItems(parents);
  // EnglishAnalyzer's StandardTokenizer cuts words at 255 characters (at most 1,020 UTF-8 bytes),
  // so no text token comes near Lucene's term limit and a long "word" cannot fail a write
  // (ImmenseTermTest); a 255-character piece of it is a term like any other.
  private final Analyzer analyzer = new EnglishAnalyzer();

  private LuceneCollection(
      Path dir,
      CollectionConfig config,
      boolean create,
      boolean readOnly,
      HnswMergeWorkers mergeWorkers) {
    this.dir = dir;
    this.name = config.name();
    this.schema = new CollectionSchema(dir, config);
    this.readOnly = readOnly;
    this.filters = new FilterCompiler(schema::config, () -> filterSets);
    this.text = new TextSearch(analyzer, parents);
    Path indexDir = dir.resolve(INDEX_DIR);
    FSDirectory d = null;
    IndexWriter w = null;
    try {
      d = FSDirectory.open(indexDir);
      if (!create && !DirectoryReader.indexExists(d)) {
        throw IndexOpenFailures.noCommit(name, indexDir);
      }
      IndexWriterConfig iwc = WriterSettings.config(analyzer, config, create, mergeWorkers);
      // Side files first: a corrupt one must fail the open before a writer takes the lock.
      this.filterSets = FilterSets.load(dir);
      if (readOnly) {
        // Lucene allows any number of readers beside one writer: a reader never takes the write
        // lock, and sees what the writer (another process, say a running server) has committed.
        this.searchers = new CollectionSearchers(name, new SearcherManager(d, null));
      } else {
        w = new IndexWriter(d, iwc);
        this.searchers = new CollectionSearchers(name, new SearcherManager(w, null));
      }
      this.directory = d;
      this.writer = w;
      this.batches = w == null ? null : new BatchWriter(name, w, schema, ords);
      loadOrdinals();
      if (create) {
        commit();
      }
    } catch (LockObtainFailedException e) {
      closeQuietly(w, d);
      throw IndexOpenFailures.locked(name, indexDir, dir.getParent().getParent(), e);
    } catch (CorruptIndexException
        | IndexFormatTooOldException
        | IndexFormatTooNewException
        | EOFException
        | NoSuchFileException e) {
      closeQuietly(w, d);
      throw IndexOpenFailures.corrupt(name, indexDir, e);
    } catch (IOException e) {
      closeQuietly(w, d);
      throw IndexOpenFailures.unreadable(name, indexDir, e);
    } catch (RuntimeException e) {
      closeQuietly(w, d);
      throw e;
    }
  }

  /** Creates a new collection in the empty directory {@code dir}. */
  static LuceneCollection create(Path dir, CollectionConfig config) {
    return create(dir, config, HnswMergeWorkers.none());
  }

  /** Creates a new collection whose merges build HNSW graphs with {@code mergeWorkers}. */
  static LuceneCollection create(Path dir, CollectionConfig config, HnswMergeWorkers mergeWorkers) {
    return new LuceneCollection(dir, config, true, false, mergeWorkers);
  }

  /** Opens an existing collection; never creates or repairs anything. */
  static LuceneCollection open(Path dir) {
    return open(dir, HnswMergeWorkers.none());
  }

  /** Opens an existing collection whose merges build HNSW graphs with {@code mergeWorkers}. */
  static LuceneCollection open(Path dir, HnswMergeWorkers mergeWorkers) {
    return new LuceneCollection(dir, CollectionFile.read(dir), false, false, mergeWorkers);
  }

  /**
   * Opens an existing collection for reading only: no write lock is taken, so this works while
   * another process writes; {@link #refresh()} moves to that writer's latest commit.
   */
  static LuceneCollection openReadOnly(Path dir) {
    return new LuceneCollection(
        dir, CollectionFile.read(dir), false, true, HnswMergeWorkers.none());
  }

  private void checkWritable(String operation) {
    if (readOnly) {
      throw new IllegalStateException(
          "collection '"
              + name
              + "' is open read-only (its data directory is opened for searching only); "
              + operation
              + " needs a writer");
    }
  }

  private static void closeQuietly(IndexWriter w, FSDirectory d) {
    try {
      if (w != null) {
        w.rollback();
      }
    } catch (IOException | RuntimeException ignored) {
      // Already failing; the original exception says why.
    }
    try {
      if (d != null) {
        d.close();
      }
    } catch (IOException ignored) {
      // Same: the caller reports the first failure.
    }
  }

  private void loadOrdinals() throws IOException {
    searchers.withIo(
        s -> {
          Map<String, String> userData;
          if (writer != null) {
            userData = writer.getLiveCommitData() == null ? Map.of() : liveData();
          } else {
            userData = ((DirectoryReader) s.getIndexReader()).getIndexCommit().getUserData();
          }
          // commit() records NEXT_ORD before the Lucene commit and saves the filter sets after
          // it, so a set put while a commit runs can name ordinals at or above the recorded
          // NEXT_ORD. After a crash those must not be handed to new items, or the new items
          // silently join the set.
          ords.load(
              s,
              Integer.parseInt(userData.getOrDefault(DocFields.NEXT_ORD, "0")),
              filterSets.maxOrdinal() + 1,
              readOnly);
          return null;
        });
  }

  private Map<String, String> liveData() {
    Map<String, String> m = new HashMap<>();
    writer.getLiveCommitData().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  String name() {
    return name;
  }

  CollectionConfig config() {
    return schema.config();
  }

  // ---------------------------------------------------------------- writes

  int upsert(List<Item> items) {
    checkWritable("writing items");
    return batches.upsert(items);
  }

  int delete(Collection<String> ids) {
    return deleteExisting(ids).size();
  }

  private List<String> deleteExisting(Collection<String> ids) {
    ids.forEach(Names::checkId);
    checkWritable("deleting items");
    return batches.deleteExisting(ids);
  }

  /** Deletes the items visible to search that pass {@code f}; returns their ids, sorted. */
  List<String> deleteWhere(Filter f) {
    Objects.requireNonNull(f, "filter (delete by filter needs one)");
    checkWritable("deleting items");
    List<String> ids =
        searchers.with("delete by filter", s -> items.ids(s, filters.itemsMatching(f)));
    List<String> deleted = deleteExisting(ids);
    deleted.sort(null);
    return deleted;
  }

  /** Changes one item's metadata; see {@link BatchWriter#updateMetadata}. */
  Optional<Item> updateMetadata(String id, Map<String, Object> changes) {
    Names.checkId(id);
    checkWritable("updating metadata");
    return batches.updateMetadata(id, changes, this::refresh, this::get);
  }

  void refresh() {
    try {
      if (readOnly) {
        refreshReadOnly();
        return;
      }
      searchers.refresh();
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': refresh failed", e);
    }
  }

  /** Follows the writer's latest commit: index, ordinals, schema and filter sets. */
  private void refreshReadOnly() throws IOException {
    synchronized (commitLock) {
      long before = searchers.version();
      searchers.refresh();
      if (searchers.version() != before) {
        schema.reload();
        filterSets = FilterSets.load(dir);
        loadOrdinals();
      }
    }
  }

  void commit() {
    if (readOnly) {
      refresh();
      return;
    }
    synchronized (commitLock) {
      try {
        writer.setLiveCommitData(
            Map.of(DocFields.NEXT_ORD, Integer.toString(ords.next())).entrySet());
        writer.commit();
        filterSets.saveIfDirty(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("collection '" + name + "': commit failed", e);
      }
    }
    refresh();
  }

  void forceMerge(int maxSegments) {
    checkWritable("merging segments");
    try {
      writer.forceMerge(maxSegments);
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': merge failed", e);
    }
    commit();
  }

  /**
   * Ends a bulk load: merges the segments flushed without an HNSW graph into one segment, whose
   * graph the merge builds with the backend's merge workers, then commits. Segments that hold a
   * graph are not rewritten. Returns the number of segments merged; 0 (and nothing done) when the
   * collection was not opened for bulk loading ({@link HnswMergeWorkers#graphsAtMerge()}) or has no
   * such segment.
   */
  int buildGraphs() {
    checkWritable("building HNSW graphs");
    if (!(writer.getConfig().getMergePolicy() instanceof GraphBuildingMergePolicy policy)) {
      return 0;
    }
    int merged;
    try {
      policy.takeGraphsOnlySegments();
      // Buffered items become a flushed segment first, so the merge sees them too.
      writer.flush();
      writer.forceMerge(GraphBuildingMergePolicy.GRAPHS_ONLY);
      merged = policy.takeGraphsOnlySegments();
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': building graphs failed", e);
    }
    commit();
    return merged;
  }

  long indexBytes() {
    try (Stream<Path> files = Files.list(dir.resolve(INDEX_DIR))) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals("write.lock"))
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // merged away while we listed
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': cannot list index files", e);
    }
  }

  // ---------------------------------------------------------------- filter sets

  void putFilterSet(String setName, Collection<String> ids) {
    Names.checkName("filter set", setName);
    checkWritable("saving a filter set");
    RoaringBitmap bm = new RoaringBitmap();
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      Names.checkId(id);
      Integer ord = ords.get(id);
      if (ord == null) {
        missing.add(id);
      } else {
        bm.add(ord);
      }
    }
    SchemaChecks.checkSetMembers(setName, name, missing);
    filterSets.put(setName, bm);
  }

  boolean deleteFilterSet(String setName) {
    Names.checkName("filter set", setName);
    checkWritable("deleting a filter set");
    return filterSets.remove(setName);
  }

  Set<String> filterSetNames() {
    return filterSets.names();
  }

  // ---------------------------------------------------------------- reads

  CollectionInfo describe() {
    return searchers.with(
        "count",
        s ->
            new CollectionInfo(
                schema.config(),
                s.count(DocFields.ITEMS),
                s.count(DocFields.VECTORS),
                filterSets.names()));
  }

  /** Items visible to search that pass {@code f} (null: all). */
  long count(Filter f) {
    return searchers.with("count", s -> (long) s.count(filters.itemsMatching(f)));
  }

  /**
   * Value counts per field over the items visible to search that pass {@code f}, from doc values.
   */
  Map<String, Map<Object, Long>> valueCounts(Filter f, List<String> fields) {
    Map<String, FieldType> types = ValueCounts.fieldTypes(schema.config(), fields);
    return searchers.with(
        "counting values", s -> DocValueCounts.count(s, filters.itemsMatching(f), types));
  }

  Optional<Item> get(String id) {
    Names.checkId(id);
    return searchers.with("get", s -> items.get(s, id, schema.config()));
  }

  SearchResult knn(KnnQuery q) {
    var space = schema.config().space(q.space());
    return searchers.with(
        "kNN search",
        s ->
            knn.search(s, q, space, q.filter() == null ? null : filters.itemsMatching(q.filter())));
  }

  SearchResult text(TextQuery q) {
    return searchers.with(
        "text search", s -> text.search(s, q, filters.itemsMatching(q.filter()), name));
  }

  // ---------------------------------------------------------------- lifecycle

  /** Commits what was written and closes. */
  @Override
  public void close() throws IOException {
    try {
      if (!readOnly) {
        commit();
      }
    } finally {
      try {
        searchers.close();
        if (writer != null) {
          writer.close();
        }
      } finally {
        directory.close();
      }
    }
  }

  /** Closes without committing (the collection is being dropped). */
  void discard() {
    try {
      searchers.close();
    } catch (IOException ignored) {
      // dropping anyway
    }
    closeQuietly(writer, directory);
  }
}
