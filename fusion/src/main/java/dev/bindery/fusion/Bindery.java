package dev.bindery.fusion;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.RowTower;
import dev.bindery.encoders.audio.AudioDecoder;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.encoders.pkg.ModelCatalog;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.fusion.query.CachingTermEmbedder;
import dev.bindery.fusion.query.PackageTermEmbedder;
import dev.bindery.fusion.query.QueryExecutor;
import dev.bindery.fusion.query.QueryParser;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.fusion.query.TermEmbedder;
import dev.bindery.fusion.query.TextEmbeddingCache;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.lucene.HnswMergeWorkers;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bindery as a library: a data directory of collections, the model packages that embed their items
 * and queries, and search with the expression syntax or a {@link QuerySpec}. The CLI and the server
 * go through this class too, so there is one code path.
 *
 * <pre>{@code
 * try (Bindery bindery = Bindery.open(Path.of("bindery-data"))) {
 *   bindery.createCollection("notes", ModelPackage.DEFAULT_TEXT);
 *   bindery.addText("notes", "n1", "a cat asleep on the sofa", Map.of());
 *   bindery.commit("notes");
 *   bindery.search("notes", "text:\"kitten on a couch\"", 5).hits().forEach(System.out::println);
 * }
 * }</pre>
 *
 * <p>A collection created with a model package gets one cosine float32 space per distinct (space,
 * dimension) of the package's towers, and remembers the package location in {@code
 * <collection>/bindery-collection.json}. Packages are opened once per location and shared by the
 * collections that use them; {@link #close()} closes them and the backend. Writes are visible to
 * search after {@link #refresh} or {@link #commit}, durable after {@link #commit}. Thread-safe.
 *
 * <p>Why one class of about 600 lines: it is the library's one public entry, a facade of short
 * methods (collections, writes, embedding, search, ask's retrieval) that each delegate to the piece
 * that does the work ({@code IndexBackend}, the model packages, {@code MediaEmbedder}, {@code
 * QueryExecutor}, {@code Ingestor}); what it owns itself is only which package embeds which
 * collection.
 */
public final class Bindery implements AutoCloseable {
  /**
   * The collection setting ({@link IndexBackend#putCollectionSetting}) naming the model package of
   * a collection, on backends that keep settings; the embedded backend uses {@code
   * bindery-collection.json} in the collection's directory instead.
   */
  public static final String MODEL_SETTING = "model";

  /** The BM25 text field that text items and text files are stored under. */
  public static final String TEXT_FIELD = "text";

  private final IndexBackend backend;
  private final HnswMergeWorkers graphWorkers; // closed after the backend
  private final Path collectionsDir;
  private final QueryExecutor executor;
  private final ModelCache models;
  private final QueryParser parser = new QueryParser();
  private final ImageDecoder images = new ImageDecoder();
  private final AudioDecoder audio = new AudioDecoder();
  private final MediaEmbedder mediaEmbedder = new MediaEmbedder(images, audio);
  private final Map<String, ModelPackage> packages = new ConcurrentHashMap<>();
  private final Map<String, Optional<String>> modelOf = new ConcurrentHashMap<>();
  private final TextEmbeddingCache textEmbeddings = TextEmbeddingCache.defaultCache();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  /**
   * A facade over a backend.
   *
   * @param backend the index; closed by {@link #close()}
   * @param collectionsDir where each collection's {@code bindery-collection.json} lives, in {@code
   *     <collectionsDir>/<name>/}
   */
  public Bindery(IndexBackend backend, Path collectionsDir) {
    this(backend, collectionsDir, ModelCache.fromEnvironment(System.getenv()));
  }

  /**
   * A facade over a backend that finds pulled models by name in {@code models}.
   *
   * @param backend the index; closed by {@link #close()}
   * @param collectionsDir see {@link #Bindery(IndexBackend, Path)}
   * @param models the model cache that names like {@code clip-vit-b32} resolve in
   */
  public Bindery(IndexBackend backend, Path collectionsDir, ModelCache models) {
    this(backend, collectionsDir, models, HnswMergeWorkers.none());
  }

  private Bindery(
      IndexBackend backend, Path collectionsDir, ModelCache models, HnswMergeWorkers graphWorkers) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.collectionsDir = Objects.requireNonNull(collectionsDir, "collectionsDir");
    this.models = Objects.requireNonNull(models, "models");
    this.graphWorkers = graphWorkers;
    this.executor = new QueryExecutor(backend);
  }

  /**
   * Opens (creating if needed) a data directory with the embedded Lucene backend; pulled models are
   * looked up in the cache the environment names ({@link ModelCache#fromEnvironment}).
   */
  public static Bindery open(Path dataDir) {
    return open(dataDir, ModelCache.fromEnvironment(System.getenv()));
  }

  /** Like {@link #open(Path)} with the model cache given. */
  public static Bindery open(Path dataDir, ModelCache models) {
    LuceneBackend backend = new LuceneBackend(dataDir);
    return new Bindery(backend, backend.collectionsDir(), models);
  }

  /**
   * Opens a data directory with the embedded Lucene backend for a bulk load: segments are flushed
   * without an HNSW graph (searched exactly meanwhile) and {@link #buildGraphs} builds one graph
   * for all of them at the end from {@code graphThreads} threads ({@link HnswMergeWorkers#bulk}),
   * from the merged segment's memory-mapped vectors: a load that ends in {@code forceMerge(1)}
   * measured 1.4-1.8x faster on one thread than with graphs built while flushing, and the merge
   * uses every thread (docs/benchmarks/ann-rounds.md). What {@code bindery index} does. The threads
   * end with {@link #close()}.
   */
  public static Bindery openForBulkLoad(Path dataDir, ModelCache models, int graphThreads) {
    HnswMergeWorkers workers = HnswMergeWorkers.bulk(graphThreads);
    try {
      LuceneBackend backend = new LuceneBackend(dataDir, workers);
      return new Bindery(backend, backend.collectionsDir(), models, workers);
    } catch (RuntimeException e) {
      workers.close();
      throw e;
    }
  }

  /**
   * Opens a data directory with the embedded Lucene backend for searching only: nothing is locked
   * or written, so this works beside another process (a running server) that writes to it, and sees
   * what that writer has committed. Writes through this facade fail with an {@link
   * IllegalStateException}.
   */
  public static Bindery openReadOnly(Path dataDir) {
    return openReadOnly(dataDir, ModelCache.fromEnvironment(System.getenv()));
  }

  /** Like {@link #openReadOnly(Path)} with the model cache given. */
  public static Bindery openReadOnly(Path dataDir, ModelCache models) {
    LuceneBackend backend = LuceneBackend.readOnly(dataDir);
    return new Bindery(backend, backend.collectionsDir(), models);
  }

  /** The backend, for what the facade does not cover (filter sets, deletes). */
  public IndexBackend backend() {
    return backend;
  }

  // ------------------------------------------------------------------ collections

  /**
   * Creates a collection whose items and queries the model package at {@code modelLocation} embeds
   * (a directory, {@code classpath:/...} such as {@link ModelPackage#DEFAULT_TEXT}, or the name of
   * a pulled model such as {@code clip-vit-b32}; see {@link #resolveModel}).
   *
   * @return the collection's configuration
   * @throws IllegalArgumentException if the package cannot be opened, two towers share a space id
   *     with different dimensions, or the collection exists
   */
  public CollectionConfig createCollection(String name, String modelLocation) {
    Names.checkName("collection", name);
    String location = resolveModel(modelLocation);
    ModelPackage pkg = model(location);
    Map<String, SpaceConfig> spaces = new LinkedHashMap<>();
    for (Modality m : new TreeSet<>(pkg.modalities())) {
      Encoder<?> e = pkg.encoder(m);
      SpaceConfig existing = spaces.get(e.space());
      if (existing != null && existing.dim() != e.dimension()) {
        throw new IllegalArgumentException(
            "model package "
                + location
                + " puts "
                + m
                + " ("
                + e.dimension()
                + "-d) and another tower ("
                + existing.dim()
                + "-d) in the same space '"
                + e.space()
                + "'");
      }
      spaces.put(e.space(), SpaceConfig.of(e.space(), e.dimension(), Similarity.COSINE));
    }
    CollectionConfig config = new CollectionConfig(name, spaces, Map.of());
    synchronized (lifecycle) {
      ensureOpen();
      backend.createCollection(config);
      try {
        // A backend shared by many processes keeps the binding in the cluster; else a local file.
        if (!backend.putCollectionSetting(name, MODEL_SETTING, location)) {
          CollectionModelFile.write(collectionsDir.resolve(name), location);
        }
      } catch (RuntimeException e) {
        try {
          backend.dropCollection(name);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      modelOf.put(name, Optional.of(location));
    }
    return config;
  }

  /** Creates a collection of raw vectors (no model package: queries use vector: and item:). */
  public void createCollection(CollectionConfig config) {
    synchronized (lifecycle) {
      ensureOpen();
      backend.createCollection(config);
      modelOf.put(config.name(), Optional.empty());
    }
  }

  /** Drops a collection; false if there was none. */
  public boolean dropCollection(String name) {
    synchronized (lifecycle) {
      ensureOpen();
      modelOf.remove(name);
      return backend.dropCollection(name);
    }
  }

  public List<String> listCollections() {
    return backend.listCollections();
  }

  public CollectionInfo describe(String collection) {
    return backend.describe(collection);
  }

  /** A collection's configuration without its counts ({@link IndexBackend#config}). */
  public CollectionConfig config(String collection) {
    return backend.config(collection);
  }

  /** The model package location a collection uses, or empty for raw vectors. */
  public Optional<String> modelLocation(String collection) {
    Names.checkName("collection", collection);
    return modelOf.computeIfAbsent(
        collection,
        c -> {
          // Fails with the backend's "not found" for unknown collections.
          Optional<String> kept = backend.collectionSetting(c, MODEL_SETTING);
          return kept.isPresent() ? kept : CollectionModelFile.read(collectionsDir.resolve(c));
        });
  }

  // ------------------------------------------------------------------ writes

  /** Adds or replaces one item. */
  public void add(String collection, Item item) {
    add(collection, List.of(item));
  }

  /** Adds or replaces items; the batch is all-or-nothing (see {@link IndexBackend#upsert}). */
  public void add(String collection, List<Item> items) {
    ensureOpen();
    backend.upsert(collection, items);
  }

  /** Embeds a text with the collection's text tower and adds it (BM25 field {@code text}). */
  public Item addText(String collection, String id, String text, Map<String, Object> metadata) {
    Item item = embedText(collection, id, text, metadata);
    add(collection, item);
    return item;
  }

  /** Embeds a text with the collection's text tower into an item, without adding it. */
  public Item embedText(String collection, String id, String text, Map<String, Object> metadata) {
    Objects.requireNonNull(text, "text");
    Encoder<String> enc = packageOf(collection).textEncoder();
    Item item =
        Item.builder(id, Modality.TEXT.wireName())
            .text(TEXT_FIELD, text)
            .vector(enc.space(), enc.encode(text))
            .build();
    return MediaEmbedder.withMetadata(item, metadata);
  }

  /** Adds a file under its file name as id; see {@link #addFile(String, String, Path, Map)}. */
  public Item addFile(String collection, Path file) {
    return addFile(collection, file.getFileName().toString(), file, Map.of());
  }

  /**
   * Embeds a file with the tower its kind calls for and adds it (see {@link #embed}).
   *
   * @throws IllegalArgumentException for an unknown extension (listing the known ones), a modality
   *     the collection's package has no tower for, or an unreadable file
   */
  public Item addFile(String collection, String id, Path file, Map<String, Object> metadata) {
    return add(collection, id, MediaSource.of(file), metadata);
  }

  /**
   * Adds media held in memory, named {@code name}; see {@link #add(String, String, MediaSource,
   * Map)}.
   *
   * @deprecated use {@link #add(String, String, MediaSource, Map)} with {@link
   *     MediaSource#of(byte[], String, String)}; video now works from bytes too
   */
  @Deprecated
  public Item addBytes(
      String collection, String id, byte[] bytes, String name, Map<String, Object> metadata) {
    return add(collection, id, MediaSource.of(bytes, name, null), metadata);
  }

  /** Embeds media with {@link #embed} and adds the item. */
  public Item add(String collection, String id, MediaSource media, Map<String, Object> metadata) {
    Item item = embed(collection, id, media, metadata);
    add(collection, item);
    return item;
  }

  /**
   * Embeds media (a file, or bytes in memory) into an item, without adding it. What the media is
   * comes from {@link MediaSource#type()} (declared MIME type, extension, magic number): images go
   * through the image tower; audio through the audio tower (the item vector plus one segment per
   * window when the tower segments); video likewise, from a file or from bytes alike; text (UTF-8)
   * through the text tower and is stored for BM25 too. The item's source is the file's path or the
   * bytes' name.
   *
   * @throws IllegalArgumentException if the media's kind cannot be told (listing the known
   *     extensions) or contradicts its name, the collection's package has no tower for it, or it
   *     does not decode
   */
  public Item embed(String collection, String id, MediaSource media, Map<String, Object> metadata) {
    return embedAll(collection, List.of(prepare(collection, id, media, metadata))).get(0);
  }

  /**
   * The first half of {@link #embed}: decodes media and, for an image tower that preprocesses apart
   * from its model call ({@link RowTower}), preprocesses the image; text, audio and video are
   * embedded here, item by item. Thread-safe: an ingest runs it on worker threads and hands the
   * results to {@link #embedAll}, which runs the image tower on whole batches.
   *
   * @throws IllegalArgumentException as {@link #embed}
   */
  public Prepared prepare(
      String collection, String id, MediaSource media, Map<String, Object> metadata) {
    Objects.requireNonNull(media, "media");
    return mediaEmbedder.prepare(collection, () -> packageOf(collection), id, media, metadata);
  }

  /**
   * The second half of {@link #embed}: runs each tower once per run of consecutive prepared items
   * it serves (at its batch size), and builds the items, in the order given. Items whose media were
   * embedded by {@link #prepare} pass through.
   *
   * @throws IllegalArgumentException if an item was prepared for another collection
   * @throws IllegalStateException if a tower fails (the whole call fails: retry the items one by
   *     one to find the one it refuses)
   */
  public List<Item> embedAll(String collection, List<Prepared> prepared) {
    return mediaEmbedder.embedAll(collection, prepared);
  }

  /**
   * An item between {@link #prepare} and {@link #embedAll}: built but for the vector of its image
   * tower, which is pending as a preprocessed row (or a decoded image, for a tower that does not
   * preprocess apart). Hand it from the thread that prepared it to the one that embeds it through
   * something that orders memory (a future, a queue); it is used once.
   */
  public static final class Prepared {
    final String collection;
    final String id;
    final Item.Builder builder;
    final Map<String, Object> metadata;
    final Encoder<?> tower;
    final BufferedImage image;
    final FloatTensor row;

    Prepared(
        String collection,
        String id,
        Item.Builder builder,
        Map<String, Object> metadata,
        Encoder<?> tower,
        BufferedImage image,
        FloatTensor row) {
      this.collection = collection;
      this.id = id;
      this.builder = builder;
      this.metadata = metadata;
      this.tower = tower;
      this.image = image;
      this.row = row;
    }

    /** Whether the item still needs its tower ({@link #embedAll} runs it). */
    public boolean pending() {
      return tower != null;
    }
  }

  /** Adds an item made of precomputed vectors by space. */
  public Item addVectors(
      String collection, String id, Map<String, float[]> vectors, Map<String, Object> metadata) {
    Item item = new Item(id, "vector", null, Map.of(), metadata, vectors, List.of());
    add(collection, item);
    return item;
  }

  /**
   * Sets ({@code value}) or removes ({@code null}) metadata fields of one item without re-embedding
   * it: its vectors, text and segments stay as stored (see {@link IndexBackend#updateMetadata}).
   *
   * @return the item as written, or empty if there is none of that id
   */
  public Optional<Item> updateMetadata(String collection, String id, Map<String, Object> changes) {
    ensureOpen();
    return backend.updateMetadata(collection, id, changes);
  }

  /** Items by id, in the order asked; ids with no item are left out. */
  public List<Item> get(String collection, List<String> ids) {
    ensureOpen();
    List<Item> out = new java.util.ArrayList<>(ids.size());
    for (String id : new java.util.LinkedHashSet<>(ids)) {
      backend.get(collection, id).ifPresent(out::add);
    }
    return out;
  }

  /** Items visible to search that pass {@code filter} (null: all). */
  public long count(String collection, dev.bindery.indexer.Filter filter) {
    ensureOpen();
    return backend.count(collection, filter);
  }

  /**
   * Deletes every item visible to search that passes {@code filter}; count first with {@link
   * #count} for a dry run. Durable with the next {@link #commit}.
   *
   * @return the ids deleted, sorted
   */
  public List<String> deleteWhere(String collection, dev.bindery.indexer.Filter filter) {
    ensureOpen();
    return backend.deleteWhere(collection, filter);
  }

  /** Makes writes visible to search. */
  public void refresh(String collection) {
    backend.refresh(collection);
  }

  /** Makes writes durable and visible. */
  public void commit(String collection) {
    backend.commit(collection);
  }

  /**
   * Ends a bulk load ({@link #openForBulkLoad}): builds one HNSW graph for the segments written
   * without one and commits. Returns the number of segments merged for it; 0 when there were none,
   * or when the backend builds graphs as it writes (the default, and every backend but the embedded
   * one opened for bulk loading).
   */
  public int buildGraphs(String collection) {
    return backend instanceof LuceneBackend lucene ? lucene.buildGraphs(collection) : 0;
  }

  /**
   * Merges the whole collection into one segment with one HNSW graph (built by the backend's merge
   * workers, including the graphs that segments of a bulk load lack) and commits; searches then
   * visit one graph instead of several. Rewrites the whole collection. Returns false, doing
   * nothing, on a backend that manages its own segments (every backend but the embedded one).
   */
  public boolean mergeToOneSegment(String collection) {
    if (!(backend instanceof LuceneBackend lucene)) {
      return false;
    }
    lucene.forceMerge(collection, 1);
    return true;
  }

  // ------------------------------------------------------------------ search

  /** Searches with the expression syntax (see {@link QueryParser}) for the k best hits. */
  public SearchResponse search(String collection, String expression, int k) {
    return search(collection, parser.parse(expression), SearchOptions.of(k));
  }

  /** Searches with a parsed query and options (filter, fusion, MMR, explain). */
  public SearchResponse search(String collection, QuerySpec spec, SearchOptions options) {
    ensureOpen();
    return executor.search(collection, spec, options, embedder(collection));
  }

  /** The query-side embedder of a collection: its package's towers, or none for raw vectors. */
  public TermEmbedder embedder(String collection) {
    Optional<String> location = modelLocation(collection);
    if (location.isEmpty()) {
      return TermEmbedder.none();
    }
    return new CachingTermEmbedder(
        new PackageTermEmbedder(model(location.get()), images, audio, Path.of("")),
        textEmbeddings,
        location.get());
  }

  /** Hits, misses and size of the cache of text-query embeddings {@link #embedder} shares. */
  public TextEmbeddingCache.Stats textEmbeddingCacheStats() {
    return textEmbeddings.stats();
  }

  /**
   * The model package at {@code location} (a directory or {@code classpath:/...}), opened once per
   * location and shared with the collections that use it; {@link #close()} closes it. For callers
   * that embed without a collection, such as an embeddings endpoint.
   *
   * @throws IllegalArgumentException if the package cannot be opened
   */
  public ModelPackage modelPackage(String location) {
    return model(resolveModel(location));
  }

  /** Closes the backend (which commits) and every model package opened. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<RuntimeException> failures = new ArrayList<>();
    try {
      backend.close();
    } catch (IOException e) {
      failures.add(new UncheckedIOException("closing the backend failed: " + e, e));
    } catch (RuntimeException e) {
      failures.add(e);
    }
    graphWorkers.close();
    for (ModelPackage p : packages.values()) {
      try {
        p.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    packages.clear();
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  /** How many distinct model packages are open (each location is opened once). */
  int openPackages() {
    return packages.size();
  }

  // ------------------------------------------------------------------ helpers

  private ModelPackage packageOf(String collection) {
    String location =
        modelLocation(collection)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "collection '"
                            + collection
                            + "' has no model package (it holds raw vectors): add vectors with"
                            + " addVectors or add(Item)"));
    return model(location);
  }

  private ModelPackage model(String location) {
    ensureOpen();
    return packages.computeIfAbsent(location, ModelPackage::open);
  }

  /**
   * Where a model named by a user lives: {@code classpath:/...} as is; an existing path as an
   * absolute path (so a collection finds it from another working directory); otherwise the name of
   * a pulled model ({@code clip-vit-b32}, or {@code owner/name} for one pulled by repository) as
   * its folder in the model cache.
   *
   * @throws IllegalArgumentException if the name is in the catalog but not pulled, saying how to
   *     pull it
   */
  public String resolveModel(String location) {
    Objects.requireNonNull(location, "model package location");
    if (location.isBlank()) {
      throw new IllegalArgumentException("model package location must not be blank");
    }
    if (location.startsWith(PackageFiles.CLASSPATH)) {
      return location;
    }
    Path path = Path.of(location);
    if (Files.exists(path)) {
      return path.toAbsolutePath().normalize().toString();
    }
    String name =
        location.indexOf('/') > 0 && location.indexOf('/') == location.lastIndexOf('/')
            ? location.substring(location.indexOf('/') + 1)
            : location;
    Optional<Path> pulled = models.find(name);
    if (pulled.isPresent()) {
      return pulled.get().toAbsolutePath().normalize().toString();
    }
    if (ModelCatalog.builtIn().find(location).isPresent()) {
      throw new IllegalArgumentException(
          "model '"
              + location
              + "' is not downloaded (model cache "
              + models.root()
              + "): run 'bindery models pull "
              + location
              + "' first");
    }
    // Neither a file nor a pulled model: opening it reports the path that is missing.
    return path.toAbsolutePath().normalize().toString();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this Bindery is closed");
    }
  }
}
