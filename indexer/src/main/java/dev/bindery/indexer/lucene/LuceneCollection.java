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
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemChecks;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.MetadataValues;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.ValueCounts;
import dev.bindery.indexer.VectorChecks;
import dev.bindery.indexer.lucene.HitLoader.Candidate;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.search.join.ToChildBlockJoinQuery;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.NumericUtils;
import org.apache.lucene.util.QueryBuilder;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;
import org.roaringbitmap.RoaringBitmap;

/**
 * One collection of the embedded backend: a Lucene index (one IndexWriter, near-real-time
 * searchers), its {@code collection.json}, and its filter sets.
 *
 * <p>Each item is written as one Lucene block (vector documents, then the item document), with
 * {@link IndexWriter#updateDocuments}, so an item is replaced or lost as a whole, never in part.
 * Writes to different ids run in parallel; writes to the same id are serialized by a striped lock
 * so the id-to-ordinal map always agrees with the index.
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
  private static final TypeReference<LinkedHashMap<String, String>> TEXT_TYPE =
      new TypeReference<>() {};
  private static final Query ITEMS = new TermQuery(new Term(DocFields.KIND, DocFields.KIND_ITEM));
  private static final Query VECTORS =
      new TermQuery(new Term(DocFields.KIND, DocFields.KIND_VECTOR));
  private static final int STRIPES = 64;
  private static final int BITSET_CACHE_ENTRIES = 256;

  private final Path dir;
  private final String name;
  private volatile CollectionConfig config;
  // Null when the collection is open read-only: then searchers follow the latest commit on disk.
  private final IndexWriter writer;
  private final boolean readOnly;
  private final Object schemaLock = new Object();
  private final Object commitLock = new Object();
  private final FSDirectory directory;
  private final SearcherManager searchers;
  private final BitSetProducer parents = new QueryBitSetProducer(ITEMS);
  private final Map<String, Integer> ords = new ConcurrentHashMap<>();
  private final AtomicInteger nextOrd = new AtomicInteger();
  private volatile FilterSets filterSets;
  private final Map<Object, FixedBitSet> bitsetCache = lruMap(BITSET_CACHE_ENTRIES);
  private final Map<String, RoaringBitmap> combinedSets = lruMap(64);
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
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
    this.config = config;
    this.readOnly = readOnly;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    Path indexDir = dir.resolve(INDEX_DIR);
    FSDirectory d = null;
    IndexWriter w = null;
    try {
      d = FSDirectory.open(indexDir);
      if (!create && !DirectoryReader.indexExists(d)) {
        throw new IndexUnavailableException(
            "collection '"
                + name
                + "': "
                + indexDir
                + " holds no Lucene commit although "
                + CollectionFile.NAME
                + " exists; refusing to create a new empty index over it. Restore the index or"
                + " drop the collection.",
            null);
      }
      IndexWriterConfig iwc =
          new IndexWriterConfig(analyzer)
              .setOpenMode(
                  create ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.APPEND)
              .setCodec(codecFor(config, mergeWorkers))
              .setRAMBufferSizeMB(128)
              .setCommitOnClose(true);
      // Side files first: a corrupt one must fail the open before a writer takes the lock.
      this.filterSets = FilterSets.load(dir);
      if (readOnly) {
        // Lucene allows any number of readers beside one writer: a reader never takes the write
        // lock, and sees what the writer (another process, say a running server) has committed.
        this.searchers = new SearcherManager(d, null);
      } else {
        w = new IndexWriter(d, iwc);
        this.searchers = new SearcherManager(w, null);
      }
      this.directory = d;
      this.writer = w;
      loadOrdinals();
      if (create) {
        commit();
      }
    } catch (LockObtainFailedException e) {
      closeQuietly(w, d);
      throw new IndexUnavailableException(
          "collection '"
              + name
              + "' is locked: another process (or another backend in this one) has "
              + indexDir
              + " open for writing. The data directory "
              + dir.getParent().getParent()
              + " is in use, most likely by a running 'bindery serve' or 'bindery demo'."
              + " Searching works beside it (bindery search and ask open it read-only);"
              + " to write, send the items to that server's API (POST /v1/collections/"
              + name
              + "/items) or stop it first",
          e);
    } catch (CorruptIndexException
        | IndexFormatTooOldException
        | IndexFormatTooNewException
        | EOFException
        | NoSuchFileException e) {
      closeQuietly(w, d);
      throw new IndexUnavailableException(
          "collection '"
              + name
              + "': the index at "
              + indexDir
              + " is corrupt or unreadable ("
              + e.getMessage()
              + "); it was left untouched. Check it with Lucene's CheckIndex, restore it, or"
              + " drop the collection.",
          e);
    } catch (IOException e) {
      closeQuietly(w, d);
      throw new IndexUnavailableException(
          "collection '" + name + "': cannot open " + indexDir + ": " + e, e);
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

  private static <K, V> Map<K, V> lruMap(int max) {
    return java.util.Collections.synchronizedMap(
        new LinkedHashMap<K, V>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > max;
          }
        });
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

  static Codec codecFor(CollectionConfig config) {
    return codecFor(config, HnswMergeWorkers.none());
  }

  static Codec codecFor(CollectionConfig config, HnswMergeWorkers mergeWorkers) {
    Map<String, KnnVectorsFormat> formats = new HashMap<>();
    config
        .spaces()
        .values()
        .forEach(s -> formats.put(DocFields.vector(s.name()), format(s, mergeWorkers)));
    return new Lucene104Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        KnnVectorsFormat f = formats.get(field);
        return f != null ? f : super.getKnnVectorsFormatForField(field);
      }
    };
  }

  static KnnVectorsFormat format(SpaceConfig s) {
    return format(s, HnswMergeWorkers.none());
  }

  static KnnVectorsFormat format(SpaceConfig s, HnswMergeWorkers w) {
    return switch (s.storage()) {
      case FLOAT32 -> new Lucene99HnswVectorsFormat(s.m(), s.beamWidth(), w.count(), w.executor());
      case INT8 -> quantized(ScalarEncoding.UNSIGNED_BYTE, s, w);
      case INT7 -> quantized(ScalarEncoding.SEVEN_BIT, s, w);
      case INT4 -> quantized(ScalarEncoding.PACKED_NIBBLE, s, w);
      case INT2 -> quantized(ScalarEncoding.DIBIT_QUERY_NIBBLE, s, w);
      case BINARY -> quantized(ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE, s, w);
    };
  }

  private static KnnVectorsFormat quantized(
      ScalarEncoding encoding, SpaceConfig s, HnswMergeWorkers w) {
    return new Lucene104HnswScalarQuantizedVectorsFormat(
        encoding, s.m(), s.beamWidth(), w.count(), w.executor());
  }

  static VectorSimilarityFunction luceneSimilarity(Similarity s) {
    return switch (s) {
      // Cosine vectors are normalized on the way in, so the cheaper dot product is exact.
      case COSINE, DOT_PRODUCT -> VectorSimilarityFunction.DOT_PRODUCT;
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
    };
  }

  /** Lucene scores dot products as (1 + dot) / 2; users see the cosine / dot itself. */
  static float userScore(Similarity s, float luceneScore) {
    return switch (s) {
      case COSINE, DOT_PRODUCT -> 2 * luceneScore - 1;
      case L2 -> luceneScore;
    };
  }

  private void loadOrdinals() throws IOException {
    IndexSearcher s = searchers.acquire();
    Map<String, Integer> loaded = new HashMap<>();
    int next;
    try {
      Map<String, String> userData;
      if (writer != null) {
        userData = writer.getLiveCommitData() == null ? Map.of() : liveData();
      } else {
        userData = ((DirectoryReader) s.getIndexReader()).getIndexCommit().getUserData();
      }
      next = Integer.parseInt(userData.getOrDefault(DocFields.NEXT_ORD, "0"));
      for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
        SortedDocValues ids = ctx.reader().getSortedDocValues(DocFields.ID_VALUES);
        NumericDocValues ordValues = ctx.reader().getNumericDocValues(DocFields.ORD);
        if (ids == null || ordValues == null) {
          continue;
        }
        Bits live = ctx.reader().getLiveDocs();
        for (int doc = ordValues.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = ordValues.nextDoc()) {
          if ((live != null && !live.get(doc)) || !ids.advanceExact(doc)) {
            continue;
          }
          int ord = (int) ordValues.longValue();
          loaded.put(ids.lookupOrd(ids.ordValue()).utf8ToString(), ord);
          next = Math.max(next, ord + 1);
        }
      }
    } finally {
      searchers.release(s);
    }
    // commit() records NEXT_ORD before the Lucene commit and saves the filter sets after it, so a
    // set put while a commit runs can name ordinals at or above the recorded NEXT_ORD. After a
    // crash those must not be handed to new items, or the new items silently join the set.
    next = Math.max(next, filterSets.maxOrdinal() + 1);
    if (readOnly) {
      ords.keySet().retainAll(loaded.keySet());
    }
    ords.putAll(loaded);
    nextOrd.set(next);
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
    return config;
  }

  // ---------------------------------------------------------------- writes

  /**
   * An item whose vectors are checked and prepared (normalized), whose fields are typed and within
   * Lucene's limits, and whose stored JSON is already serialized: writing it cannot fail on input.
   */
  private record Prepared(
      Item item,
      Map<String, float[]> vectors,
      List<Map<String, float[]>> segmentVectors,
      byte[] metaJson,
      byte[] textJson) {}

  int upsert(List<Item> items) {
    checkWritable("writing items");
    if (items.isEmpty()) {
      return 0;
    }
    CollectionConfig cfg = config;
    Map<String, FieldType> newFields = new LinkedHashMap<>();
    Map<String, Integer> positions = new HashMap<>();
    List<Prepared> prepared = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      if (item == null) {
        throw new IllegalArgumentException("item #" + i + " of the batch is null");
      }
      Integer earlier = positions.putIfAbsent(item.id(), i);
      if (earlier != null) {
        throw new IllegalArgumentException(
            "duplicate id '"
                + item.id()
                + "' in one batch (items #"
                + earlier
                + " and #"
                + i
                + "); nothing was written");
      }
      prepared.add(prepare(item, cfg, newFields));
    }
    if (!newFields.isEmpty()) {
      addFields(newFields);
    }
    for (Prepared p : prepared) {
      write(p);
    }
    return items.size();
  }

  private Prepared prepare(Item item, CollectionConfig cfg, Map<String, FieldType> newFields) {
    ItemChecks.Checked c = ItemChecks.check(item, cfg, newFields);
    try {
      return new Prepared(
          item,
          c.vectors(),
          c.segmentVectors(),
          JSON.writeValueAsBytes(item.metadata()),
          JSON.writeValueAsBytes(item.text()));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "item '" + item.id() + "': metadata cannot be serialized: " + e.getMessage(), e);
    }
  }

  private void addFields(Map<String, FieldType> newFields) {
    synchronized (schemaLock) {
      CollectionConfig cfg = config;
      CollectionConfig updated = cfg;
      for (Map.Entry<String, FieldType> e : newFields.entrySet()) {
        FieldType existing = cfg.fields().get(e.getKey());
        if (existing != null && existing != e.getValue()) {
          throw new IllegalArgumentException(
              "metadata field '"
                  + e.getKey()
                  + "' is of type "
                  + existing
                  + " but the batch has "
                  + e.getValue()
                  + " values; nothing was written");
        }
        if (existing == null) {
          updated = updated.withField(e.getKey(), e.getValue());
        }
      }
      if (updated != cfg) {
        try {
          CollectionFile.write(dir, updated);
        } catch (IOException e) {
          throw new UncheckedIOException(
              "collection '" + name + "': cannot record new metadata fields " + newFields, e);
        }
        config = updated;
      }
    }
  }

  private void write(Prepared p) {
    Item item = p.item();
    CollectionConfig cfg = config;
    List<Document> block = new ArrayList<>(item.vectorDocCount() + 1);
    if (!p.vectors().isEmpty()) {
      block.add(vectorDoc(item.id(), -1, null, p.vectors(), cfg));
    }
    StringBuilder segmentText = new StringBuilder();
    for (int i = 0; i < item.segments().size(); i++) {
      Segment seg = item.segments().get(i);
      Document d = vectorDoc(item.id(), i, seg, p.segmentVectors().get(i), cfg);
      block.add(d);
      if (seg.text() != null) {
        segmentText.append(seg.text()).append('\n');
      }
    }
    Document parent = new Document();
    parent.add(new StringField(DocFields.ID, item.id(), Field.Store.YES));
    parent.add(new SortedDocValuesField(DocFields.ID_VALUES, new BytesRef(item.id())));
    parent.add(new StringField(DocFields.KIND, DocFields.KIND_ITEM, Field.Store.NO));
    parent.add(new StringField(DocFields.MODALITY, item.modality(), Field.Store.YES));
    if (item.source() != null) {
      parent.add(new StoredField(DocFields.SOURCE, item.source()));
    }
    parent.add(new StoredField(DocFields.META_JSON, p.metaJson()));
    BinaryDocValuesField hit =
        HitDocValues.item(item.id(), item.modality(), item.source(), p.metaJson());
    if (hit != null) {
      parent.add(hit);
    }
    parent.add(new StoredField(DocFields.TEXT_JSON, p.textJson()));
    item.text().forEach((f, v) -> parent.add(new TextField(DocFields.text(f), v, Field.Store.NO)));
    if (!segmentText.isEmpty()) {
      parent.add(new TextField(DocFields.SEGMENTS_TEXT, segmentText.toString(), Field.Store.NO));
    }
    item.metadata()
        .forEach((f, v) -> MetadataFields.addTo(parent, item.id(), f, cfg.fields().get(f), v));

    ReentrantLock lock = stripe(item.id());
    lock.lock();
    try {
      boolean isNew = !ords.containsKey(item.id());
      int ord = ords.computeIfAbsent(item.id(), k -> nextOrd.getAndIncrement());
      parent.add(new NumericDocValuesField(DocFields.ORD, ord));
      block.add(parent);
      try {
        writer.updateDocuments(new Term(DocFields.ID, item.id()), block);
      } catch (IOException | RuntimeException e) {
        if (isNew) {
          ords.remove(item.id());
        }
        throw e instanceof IOException io
            ? new UncheckedIOException("collection '" + name + "': write failed", io)
            : (RuntimeException) e;
      }
    } finally {
      lock.unlock();
    }
  }

  private static Document vectorDoc(
      String id, int segment, Segment seg, Map<String, float[]> vectors, CollectionConfig cfg) {
    Document d = new Document();
    d.add(new StringField(DocFields.ID, id, Field.Store.NO));
    d.add(new StringField(DocFields.KIND, DocFields.KIND_VECTOR, Field.Store.NO));
    d.add(new StoredField(DocFields.SEGMENT, segment));
    d.add(HitDocValues.vector(segment, seg));
    if (seg != null) {
      d.add(new StoredField(DocFields.SEG_START, seg.start()));
      d.add(new StoredField(DocFields.SEG_END, seg.end()));
      if (seg.text() != null) {
        d.add(new StoredField(DocFields.SEG_TEXT, seg.text()));
      }
    }
    vectors.forEach(
        (space, v) ->
            d.add(
                new KnnFloatVectorField(
                    DocFields.vector(space), v, luceneSimilarity(cfg.space(space).similarity()))));
    return d;
  }

  private ReentrantLock stripe(String id) {
    return stripes[Math.floorMod(id.hashCode(), STRIPES)];
  }

  int delete(Collection<String> ids) {
    return deleteExisting(ids).size();
  }

  /** Deletes the items; returns the ids of those that existed. */
  private List<String> deleteExisting(Collection<String> ids) {
    ids.forEach(Names::checkId);
    checkWritable("deleting items");
    List<String> existed = new ArrayList<>();
    for (String id : new java.util.LinkedHashSet<>(ids)) {
      ReentrantLock lock = stripe(id);
      lock.lock();
      try {
        if (ords.remove(id) != null) {
          existed.add(id);
        }
        writer.deleteDocuments(new Term(DocFields.ID, id));
      } catch (IOException e) {
        throw new UncheckedIOException("collection '" + name + "': delete failed", e);
      } finally {
        lock.unlock();
      }
    }
    return existed;
  }

  /** Items visible to search that pass {@code f} (null: all). */
  long count(Filter f) {
    IndexSearcher s = acquire();
    try {
      return s.count(f == null ? ITEMS : filterQuery(f));
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': count failed", e);
    } finally {
      release(s);
    }
  }

  /**
   * Value counts per field over the items visible to search that pass {@code f}, from doc values.
   */
  Map<String, Map<Object, Long>> valueCounts(Filter f, List<String> fields) {
    Map<String, FieldType> types = ValueCounts.fieldTypes(config, fields);
    Map<String, Map<Object, Long>> out = new LinkedHashMap<>();
    types.keySet().forEach(field -> out.put(field, new HashMap<>()));
    IndexSearcher s = acquire();
    try {
      Weight w =
          s.createWeight(
              s.rewrite(f == null ? ITEMS : filterQuery(f)), ScoreMode.COMPLETE_NO_SCORES, 1f);
      for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
        Scorer scorer = w.scorer(ctx);
        if (scorer == null) {
          continue;
        }
        LeafReader reader = ctx.reader();
        Bits live = reader.getLiveDocs();
        // Doc values iterators only go forward, one per field, in doc order like the scorer.
        List<String> names = new ArrayList<>(types.keySet());
        SortedSetDocValues[] keywords = new SortedSetDocValues[names.size()];
        SortedNumericDocValues[] numbers = new SortedNumericDocValues[names.size()];
        long[][] ordCounts = new long[names.size()][];
        for (int i = 0; i < names.size(); i++) {
          String dv = DocFields.meta(names.get(i));
          if (types.get(names.get(i)) == FieldType.KEYWORD) {
            keywords[i] = DocValues.getSortedSet(reader, dv);
            ordCounts[i] = new long[Math.toIntExact(keywords[i].getValueCount())];
          } else {
            numbers[i] = DocValues.getSortedNumeric(reader, dv);
          }
        }
        DocIdSetIterator it = scorer.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
          if (live != null && !live.get(doc)) {
            continue;
          }
          for (int i = 0; i < names.size(); i++) {
            if (keywords[i] != null) {
              // A sorted set holds each distinct value of a document once.
              if (keywords[i].advanceExact(doc)) {
                for (int v = 0; v < keywords[i].docValueCount(); v++) {
                  ordCounts[i][Math.toIntExact(keywords[i].nextOrd())]++;
                }
              }
            } else if (numbers[i].advanceExact(doc)) {
              FieldType type = types.get(names.get(i));
              Map<Object, Long> counts = out.get(names.get(i));
              long previous = 0;
              // Values come sorted: a repeated value is next to its twin; count it once.
              for (int v = 0; v < numbers[i].docValueCount(); v++) {
                long raw = numbers[i].nextValue();
                if (v == 0 || raw != previous) {
                  // Boxed apart: a conditional of double and long would make every value a Double.
                  Object value =
                      type == FieldType.DOUBLE
                          ? (Object) NumericUtils.sortableLongToDouble(raw)
                          : (Object) raw;
                  counts.merge(value, 1L, Long::sum);
                }
                previous = raw;
              }
            }
          }
        }
        for (int i = 0; i < names.size(); i++) {
          if (keywords[i] == null) {
            continue;
          }
          Map<Object, Long> counts = out.get(names.get(i));
          for (int ord = 0; ord < ordCounts[i].length; ord++) {
            if (ordCounts[i][ord] > 0) {
              counts.merge(keywords[i].lookupOrd(ord).utf8ToString(), ordCounts[i][ord], Long::sum);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': counting values failed", e);
    } finally {
      release(s);
    }
    return out;
  }

  /** Deletes the items visible to search that pass {@code f}; returns their ids, sorted. */
  List<String> deleteWhere(Filter f) {
    java.util.Objects.requireNonNull(f, "filter (delete by filter needs one)");
    checkWritable("deleting items");
    List<String> ids = new ArrayList<>();
    IndexSearcher s = acquire();
    try {
      Weight w = s.createWeight(s.rewrite(filterQuery(f)), ScoreMode.COMPLETE_NO_SCORES, 1f);
      for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
        Scorer scorer = w.scorer(ctx);
        SortedDocValues idValues = ctx.reader().getSortedDocValues(DocFields.ID_VALUES);
        if (scorer == null || idValues == null) {
          continue;
        }
        Bits live = ctx.reader().getLiveDocs();
        DocIdSetIterator it = scorer.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
          if ((live == null || live.get(doc)) && idValues.advanceExact(doc)) {
            ids.add(idValues.lookupOrd(idValues.ordValue()).utf8ToString());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': delete by filter failed", e);
    } finally {
      release(s);
    }
    List<String> deleted = deleteExisting(ids);
    deleted.sort(null);
    return deleted;
  }

  /**
   * Rewrites one item's block with changed metadata and the stored vectors as they are (not
   * prepared again, so not a bit of them changes), under the item's stripe lock.
   */
  Optional<Item> updateMetadata(String id, Map<String, Object> changes) {
    Names.checkId(id);
    checkWritable("updating metadata");
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      // Earlier writes of this id must be visible, or the update would start from a stale item.
      refresh();
      Optional<Item> stored = get(id);
      if (stored.isEmpty()) {
        return Optional.empty();
      }
      Item updated = ItemChecks.withMetadataChanges(stored.get(), changes);
      Map<String, FieldType> newFields = new LinkedHashMap<>();
      ItemChecks.checkMetadata(updated, config, newFields);
      MetadataValues.checkModality(updated.id(), updated.modality());
      List<Map<String, float[]>> segmentVectors = new ArrayList<>();
      updated.segments().forEach(seg -> segmentVectors.add(seg.vectors()));
      Prepared p;
      try {
        p =
            new Prepared(
                updated,
                updated.vectors(),
                segmentVectors,
                JSON.writeValueAsBytes(updated.metadata()),
                JSON.writeValueAsBytes(updated.text()));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "item '" + id + "': metadata cannot be serialized: " + e.getMessage(), e);
      }
      if (!newFields.isEmpty()) {
        addFields(newFields);
      }
      write(p);
      return Optional.of(updated);
    } finally {
      lock.unlock();
    }
  }

  void refresh() {
    try {
      if (readOnly) {
        refreshReadOnly();
        return;
      }
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': refresh failed", e);
    }
  }

  /** Follows the writer's latest commit: index, ordinals, schema and filter sets. */
  private void refreshReadOnly() throws IOException {
    synchronized (commitLock) {
      long before = readerVersion();
      searchers.maybeRefreshBlocking();
      if (readerVersion() != before) {
        config = CollectionFile.read(dir);
        filterSets = FilterSets.load(dir);
        loadOrdinals();
      }
    }
  }

  private long readerVersion() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      return ((DirectoryReader) s.getIndexReader()).getVersion();
    } finally {
      searchers.release(s);
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
            Map.of(DocFields.NEXT_ORD, Integer.toString(nextOrd.get())).entrySet());
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
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "filter set '"
              + setName
              + "' names "
              + missing.size()
              + " id(s) not in collection '"
              + name
              + "': "
              + missing.subList(0, Math.min(10, missing.size()))
              + (missing.size() > 10 ? " ..." : "")
              + "; the set was not changed");
    }
    filterSets.put(setName, bm);
  }

  boolean deleteFilterSet(String setName) {
    Names.checkName("filter set", setName);
    checkWritable("deleting a filter set");
    return filterSets.remove(setName);
  }

  // ---------------------------------------------------------------- reads

  CollectionInfo describe() {
    IndexSearcher s = acquire();
    try {
      return new CollectionInfo(config, s.count(ITEMS), s.count(VECTORS), filterSets.names());
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': count failed", e);
    } finally {
      release(s);
    }
  }

  private IndexSearcher acquire() {
    try {
      return searchers.acquire();
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': cannot open a searcher", e);
    }
  }

  private void release(IndexSearcher s) {
    try {
      searchers.release(s);
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': cannot release a searcher", e);
    }
  }

  Optional<Item> get(String id) {
    Names.checkId(id);
    IndexSearcher s = acquire();
    try {
      Query q =
          new BooleanQuery.Builder()
              .add(new TermQuery(new Term(DocFields.ID, id)), BooleanClause.Occur.FILTER)
              .add(ITEMS, BooleanClause.Occur.FILTER)
              .build();
      TopDocs td = s.search(q, 1);
      if (td.scoreDocs.length == 0) {
        return Optional.empty();
      }
      int parentDoc = td.scoreDocs[0].doc;
      List<LeafReaderContext> leaves = s.getIndexReader().leaves();
      LeafReaderContext ctx = leaves.get(ReaderUtil.subIndex(parentDoc, leaves));
      int local = parentDoc - ctx.docBase;
      BitSet parentBits = parents.getBitSet(ctx);
      int first = local == 0 ? 0 : parentBits.prevSetBit(local - 1) + 1;
      StoredFields stored = ctx.reader().storedFields();
      Document pd = stored.document(local);
      Item.Builder b =
          Item.builder(id, pd.get(DocFields.MODALITY)).source(pd.get(DocFields.SOURCE));
      readJson(pd, DocFields.META_JSON, META_TYPE).forEach(b::meta);
      readJson(pd, DocFields.TEXT_JSON, TEXT_TYPE).forEach(b::text);
      for (int child = first; child < local; child++) {
        Document cd = stored.document(child);
        Map<String, float[]> vectors = new LinkedHashMap<>();
        for (String space : config.spaces().keySet()) {
          float[] v = vectorOf(ctx, DocFields.vector(space), child);
          if (v != null) {
            vectors.put(space, v);
          }
        }
        int seg = cd.getField(DocFields.SEGMENT).numericValue().intValue();
        if (seg < 0) {
          vectors.forEach(b::vector);
        } else {
          b.segment(
              new Segment(
                  cd.getField(DocFields.SEG_START).numericValue().doubleValue(),
                  cd.getField(DocFields.SEG_END).numericValue().doubleValue(),
                  cd.get(DocFields.SEG_TEXT),
                  vectors));
        }
      }
      return Optional.of(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': get failed", e);
    } finally {
      release(s);
    }
  }

  private static <T> T readJson(Document d, String field, TypeReference<T> type)
      throws IOException {
    BytesRef bytes = d.getBinaryValue(field);
    return JSON.readValue(bytes.bytes, bytes.offset, bytes.length, type);
  }

  private static float[] vectorOf(LeafReaderContext ctx, String field, int doc) throws IOException {
    FieldInfo fi = ctx.reader().getFieldInfos().fieldInfo(field);
    if (fi == null || !fi.hasVectorValues()) {
      return null;
    }
    FloatVectorValues fvv = ctx.reader().getFloatVectorValues(field);
    KnnVectorValues.DocIndexIterator it = fvv.iterator();
    if (it.advance(doc) != doc) {
      return null;
    }
    return fvv.vectorValue(it.index()).clone();
  }

  SearchResult knn(KnnQuery q) {
    SpaceConfig space = config.space(q.space());
    float[] vector = VectorChecks.prepare(space, q.vector(), "query vector");
    String field = DocFields.vector(space.name());
    VectorSimilarityFunction sim = luceneSimilarity(space.similarity());
    IndexSearcher s = acquire();
    try {
      Query parentFilter = q.filter() == null ? null : filterQuery(q.filter());
      Query childFilter =
          parentFilter == null ? null : new ToChildBlockJoinQuery(parentFilter, parents);
      if (q.mode() == SearchMode.EXACT) {
        return exact(s, q, field, vector, sim, space, childFilter);
      }
      int n = candidates(q, space);
      KnnStats stats = new KnnStats();
      Query knn =
          q.groupByParent()
              ? new KnnStats.PerItem(field, vector, childFilter, n, parents, stats)
              : new KnnStats.PerVector(field, vector, n, childFilter, stats);
      TopDocs td = s.search(knn, n);
      List<Candidate> candidates = new ArrayList<>(td.scoreDocs.length);
      for (ScoreDoc sd : td.scoreDocs) {
        candidates.add(new Candidate(sd.doc, sd.score));
      }
      int rescored = 0;
      if (space.storage().quantized()) {
        candidates = rescore(s, field, vector, sim, candidates);
        rescored = candidates.size();
      }
      int segments = s.getIndexReader().leaves().size();
      int exact = stats.exactSegments.get();
      SearchResult.Strategy strategy =
          exact == 0
              ? SearchResult.Strategy.HNSW
              : stats.graphSegments.get() == 0
                  ? SearchResult.Strategy.EXACT
                  : SearchResult.Strategy.HNSW_WITH_EXACT_FALLBACK;
      return new SearchResult(
          new HitLoader(s, parents).rank(candidates, q.k(), space.similarity()),
          strategy,
          stats.visited.get(),
          segments,
          exact,
          rescored);
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': kNN search failed", e);
    } finally {
      release(s);
    }
  }

  /**
   * Graph candidates for a query: ef, times the space's oversampling for quantized storages (all of
   * them are rescored exactly, so more candidates buy back the recall quantization costs).
   */
  static int candidates(KnnQuery q, SpaceConfig space) {
    int ef = q.effectiveEf();
    if (!space.storage().quantized()) {
      return ef;
    }
    return (int) Math.min(KnnQuery.MAX_K, Math.ceil(ef * (double) space.oversample()));
  }

  /** Scores the candidates again with the full-precision vectors kept beside quantized ones. */
  private static List<Candidate> rescore(
      IndexSearcher s,
      String field,
      float[] vector,
      VectorSimilarityFunction sim,
      List<Candidate> candidates)
      throws IOException {
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingInt(Candidate::doc));
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    List<Candidate> out = new ArrayList<>(sorted.size());
    int leafIndex = -1;
    LeafReaderContext ctx = null;
    FloatVectorValues fvv = null;
    KnnVectorValues.DocIndexIterator it = null;
    for (Candidate c : sorted) {
      int li = ReaderUtil.subIndex(c.doc(), leaves);
      if (li != leafIndex) {
        leafIndex = li;
        ctx = leaves.get(li);
        fvv = ctx.reader().getFloatVectorValues(field);
        it = fvv.iterator();
      }
      int local = c.doc() - ctx.docBase;
      if (it.advance(local) != local) {
        throw new IllegalStateException("candidate doc " + c.doc() + " has no vector in " + field);
      }
      out.add(new Candidate(c.doc(), sim.compare(vector, fvv.vectorValue(it.index()))));
    }
    return out;
  }

  private SearchResult exact(
      IndexSearcher s,
      KnnQuery q,
      String field,
      float[] vector,
      VectorSimilarityFunction sim,
      SpaceConfig space,
      Query childFilter)
      throws IOException {
    Weight filterWeight =
        childFilter == null
            ? null
            : s.createWeight(s.rewrite(childFilter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    long visited = 0;
    // Best vector document per item when grouping, else every vector document.
    Map<Integer, Candidate> bestPerItem = new HashMap<>();
    PriorityQueue<Candidate> top =
        new PriorityQueue<>(Comparator.comparingDouble(Candidate::score));
    int keep = q.k() * 2 + 16; // keeps ties at the k-th score; trimmed by id in toHits
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      FieldInfo fi = ctx.reader().getFieldInfos().fieldInfo(field);
      if (fi == null || !fi.hasVectorValues()) {
        continue;
      }
      FloatVectorValues fvv = ctx.reader().getFloatVectorValues(field);
      Bits live = ctx.reader().getLiveDocs();
      FixedBitSet allowed = filterWeight == null ? null : matches(filterWeight, ctx);
      if (filterWeight != null && allowed == null) {
        continue;
      }
      BitSet parentBits = q.groupByParent() ? parents.getBitSet(ctx) : null;
      KnnVectorValues.DocIndexIterator it = fvv.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if ((live != null && !live.get(doc)) || (allowed != null && !allowed.get(doc))) {
          continue;
        }
        visited++;
        Candidate c =
            new Candidate(ctx.docBase + doc, sim.compare(vector, fvv.vectorValue(it.index())));
        if (parentBits != null) {
          int parent = ctx.docBase + parentBits.nextSetBit(doc);
          bestPerItem.merge(parent, c, (a, b) -> b.score() > a.score() ? b : a);
        } else {
          offer(top, c, keep);
        }
      }
    }
    if (q.groupByParent()) {
      bestPerItem.values().forEach(c -> offer(top, c, keep));
    }
    List<Candidate> candidates = new ArrayList<>(top);
    return new SearchResult(
        new HitLoader(s, parents).rank(candidates, q.k(), space.similarity()),
        SearchResult.Strategy.EXACT,
        visited,
        s.getIndexReader().leaves().size(),
        s.getIndexReader().leaves().size(),
        0);
  }

  private static void offer(PriorityQueue<Candidate> top, Candidate c, int keep) {
    if (top.size() < keep) {
      top.add(c);
    } else if (c.score() > top.peek().score()) {
      top.poll();
      top.add(c);
    }
  }

  private static FixedBitSet matches(Weight w, LeafReaderContext ctx) throws IOException {
    Scorer scorer = w.scorer(ctx);
    if (scorer == null) {
      return null;
    }
    FixedBitSet bits = new FixedBitSet(ctx.reader().maxDoc());
    DocIdSetIterator it = scorer.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      bits.set(doc);
    }
    return bits;
  }

  SearchResult text(TextQuery q) {
    IndexSearcher s = acquire();
    try {
      FieldInfos infos = FieldInfos.getMergedFieldInfos(s.getIndexReader());
      Set<String> known = new TreeSet<>();
      for (FieldInfo fi : infos) {
        if (fi.name.startsWith("t.") && !fi.name.equals(DocFields.SEGMENTS_TEXT)) {
          known.add(fi.name.substring(2));
        }
      }
      List<String> fields = new ArrayList<>();
      if (q.fields().isEmpty()) {
        known.forEach(f -> fields.add(DocFields.text(f)));
        if (infos.fieldInfo(DocFields.SEGMENTS_TEXT) != null) {
          fields.add(DocFields.SEGMENTS_TEXT);
        }
      } else {
        for (String f : q.fields()) {
          if (!known.contains(f)) {
            throw new IllegalArgumentException(
                "unknown text field '"
                    + f
                    + "' in collection '"
                    + name
                    + "'; it has "
                    + (known.isEmpty() ? "none yet" : known.toString()));
          }
          fields.add(DocFields.text(f));
        }
      }
      QueryBuilder qb = new QueryBuilder(analyzer);
      BooleanQuery.Builder any = new BooleanQuery.Builder();
      boolean anyTerms = false;
      for (String f : fields) {
        Query fq = qb.createBooleanQuery(f, q.query(), BooleanClause.Occur.SHOULD);
        if (fq != null) {
          any.add(fq, BooleanClause.Occur.SHOULD);
          anyTerms = true;
        }
      }
      if (!anyTerms && !fields.isEmpty()) {
        throw new IllegalArgumentException(
            "text query '" + q.query() + "' has no searchable words after analysis");
      }
      BooleanQuery.Builder full =
          new BooleanQuery.Builder().add(any.build(), BooleanClause.Occur.MUST);
      full.add(q.filter() == null ? ITEMS : filterQuery(q.filter()), BooleanClause.Occur.FILTER);
      Query query = full.build();
      TopDocs td = topWithTies(s, query, q.k());
      List<LeafReaderContext> leaves = s.getIndexReader().leaves();
      Candidate[] found = new Candidate[td.scoreDocs.length];
      for (int i = 0; i < found.length; i++) {
        found[i] = new Candidate(td.scoreDocs[i].doc, td.scoreDocs[i].score);
      }
      List<Hit> hits = new ArrayList<>(new HitLoader(s, parents).load(found));
      hits.sort(Hit.RANKING);
      if (hits.size() > q.k()) {
        hits = List.copyOf(hits.subList(0, q.k()));
      }
      return new SearchResult(
          hits, SearchResult.Strategy.BM25, td.totalHits.value(), leaves.size(), 0, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + name + "': text search failed", e);
    } finally {
      release(s);
    }
  }

  /** Most documents tied at the k-th score that text search ranks by id; beyond, by doc order. */
  static final int MAX_TIE_SCAN = 10_000;

  /**
   * The top {@code k} documents plus every document tied with the k-th score (up to {@link
   * #MAX_TIE_SCAN}), so that ties at the cut are ranked by item id as the contract says, not by
   * Lucene's doc order: the search is repeated with twice as many hits while the last one still
   * ties.
   */
  private static TopDocs topWithTies(IndexSearcher s, Query query, int k) throws IOException {
    int n = k;
    TopDocs td = s.search(query, n);
    while (td.scoreDocs.length == n && n < MAX_TIE_SCAN) {
      float kth = td.scoreDocs[k - 1].score;
      if (td.scoreDocs[n - 1].score < kth) {
        break;
      }
      n = Math.min(MAX_TIE_SCAN, n * 2);
      td = s.search(query, n);
    }
    if (td.scoreDocs.length <= k) {
      return td;
    }
    float kth = td.scoreDocs[k - 1].score;
    int keep = k;
    while (keep < td.scoreDocs.length && td.scoreDocs[keep].score == kth) {
      keep++;
    }
    return new TopDocs(td.totalHits, Arrays.copyOf(td.scoreDocs, keep));
  }

  // ---------------------------------------------------------------- filters

  /** Compiles a filter to a query over item documents. */
  Query filterQuery(Filter f) {
    return new BooleanQuery.Builder()
        .add(ITEMS, BooleanClause.Occur.FILTER)
        .add(compile(f), BooleanClause.Occur.FILTER)
        .build();
  }

  private Query compile(Filter f) {
    CollectionConfig cfg = config;
    return switch (f) {
      case Filter.Term t -> MetadataFields.termQuery(t, fieldType(cfg, t.field()));
      case Filter.Range r -> MetadataFields.rangeQuery(r, fieldType(cfg, r.field()));
      case Filter.InSet set -> {
        FilterSets.Entry e = filterSets.get(set.name());
        yield new OrdinalSetQuery(e.bitmap(), setKey(e), bitsetCache);
      }
      case Filter.And and -> {
        if (allSets(and.clauses())) {
          yield combinedSets("and", and.clauses());
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        and.clauses().forEach(c -> b.add(compile(c), BooleanClause.Occur.FILTER));
        yield b.build();
      }
      case Filter.Or or -> {
        if (allSets(or.clauses())) {
          yield combinedSets("or", or.clauses());
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        or.clauses().forEach(c -> b.add(compile(c), BooleanClause.Occur.SHOULD));
        yield new ConstantScoreQuery(b.build());
      }
      case Filter.AndNot an -> {
        if (an.include() instanceof Filter.InSet && an.exclude() instanceof Filter.InSet) {
          yield combinedSets("andNot", List.of(an.include(), an.exclude()));
        }
        yield new BooleanQuery.Builder()
            .add(compile(an.include()), BooleanClause.Occur.FILTER)
            .add(compile(an.exclude()), BooleanClause.Occur.MUST_NOT)
            .build();
      }
    };
  }

  private static boolean allSets(List<Filter> clauses) {
    return clauses.stream().allMatch(c -> c instanceof Filter.InSet);
  }

  private static String setKey(FilterSets.Entry e) {
    return e.name() + "@" + e.version();
  }

  /** Combines filter sets at the bitmap level; the result is cached by names and versions. */
  private Query combinedSets(String op, List<Filter> clauses) {
    List<FilterSets.Entry> entries = new ArrayList<>();
    for (Filter c : clauses) {
      entries.add(filterSets.get(((Filter.InSet) c).name()));
    }
    String key =
        op
            + entries.stream()
                .map(LuceneCollection::setKey)
                .collect(java.util.stream.Collectors.joining(",", "(", ")"));
    RoaringBitmap bm =
        combinedSets.computeIfAbsent(
            key,
            k -> {
              RoaringBitmap acc = entries.get(0).bitmap().clone();
              for (FilterSets.Entry e : entries.subList(1, entries.size())) {
                switch (op) {
                  case "and" -> acc.and(e.bitmap());
                  case "or" -> acc.or(e.bitmap());
                  case "andNot" -> acc.andNot(e.bitmap());
                  default -> throw new IllegalStateException("unknown set operation " + op);
                }
              }
              return acc;
            });
    return new OrdinalSetQuery(bm, key, bitsetCache);
  }

  private static FieldType fieldType(CollectionConfig cfg, String field) {
    FieldType t = cfg.fields().get(field);
    if (t == null) {
      throw new IllegalArgumentException(
          "filter names unknown metadata field '"
              + field
              + "'; collection '"
              + cfg.name()
              + "' has "
              + (cfg.fields().isEmpty() ? "none" : new TreeSet<>(cfg.fields().keySet())));
    }
    return t;
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

  Set<String> filterSetNames() {
    return filterSets.names();
  }
}
