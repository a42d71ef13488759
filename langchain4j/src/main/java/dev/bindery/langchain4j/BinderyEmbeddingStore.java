package dev.bindery.langchain4j;

import dev.bindery.client.BinderyClient;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Similarity;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A langchain4j {@link EmbeddingStore} over one collection of the embedded Bindery library (a
 * Lucene index in a local directory) or, built with {@link Builder#serverUrl} instead of {@link
 * Builder#dataDirectory}, of a remote Bindery server ({@code bin/bindery serve}) through its REST
 * API. Both modes behave the same (langchain4j's conformance suites run against each).
 *
 * <pre>{@code
 * try (BinderyEmbeddingModel model = BinderyEmbeddingModel.open(ModelPackage.DEFAULT);
 *     BinderyEmbeddingStore store = BinderyEmbeddingStore.builder()
 *         .dataDirectory(Path.of("bindery-data")).collection("docs")
 *         .dimension(model.dimension()).build()) {
 *   store.add(model.embed("a cat on a sofa").content(), TextSegment.from("a cat on a sofa"));
 *   store.search(EmbeddingSearchRequest.builder()
 *       .queryEmbedding(model.embed("kitten").content()).maxResults(3).build());
 * }
 * }</pre>
 *
 * <p>Each entry is one Bindery item: the embedding in the collection's one vector space (cosine
 * unless the collection says otherwise), the segment's text as the BM25 field {@code text}, and the
 * segment's metadata as typed, filterable Bindery metadata (keys follow Bindery's field-name rules:
 * 1..64 of {@code [A-Za-z0-9_.-]}). Scores are langchain4j relevance scores, {@code (cosine + 1) /
 * 2}. Writes are visible to search when the call returns and durable after {@link #commit()} (or at
 * once with {@link Builder#commitEveryWrite(boolean)}, the default; a remote server commits every
 * write); {@link #close()} commits. Thread-safe, as the library and the client are; {@link
 * #removeAll()} drops and re-creates the collection, so it must not race with other writers.
 */
public final class BinderyEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {
  /** The Bindery text field a segment's text is stored in (BM25-searchable). */
  public static final String TEXT_FIELD = Bindery.TEXT_FIELD;

  /** How long a remote store waits for each answer unless told otherwise. */
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final StoreBackend backend;

  private BinderyEmbeddingStore(Builder b) {
    Objects.requireNonNull(b.collection, "collection");
    List<String> given = new ArrayList<>();
    if (b.bindery != null) {
      given.add("bindery(...)");
    }
    if (b.dataDirectory != null) {
      given.add("dataDirectory(" + b.dataDirectory + ")");
    }
    if (b.serverUrl != null) {
      given.add("serverUrl(" + b.serverUrl + ")");
    }
    if (b.client != null) {
      given.add("client(" + b.client.baseUrl() + ")");
    }
    if (given.size() != 1) {
      throw new IllegalArgumentException(
          given.isEmpty()
              ? "set one of bindery(...) or dataDirectory(...) (embedded), or serverUrl(...) or"
                  + " client(...) (a remote Bindery server)"
              : "set only one of bindery, dataDirectory, serverUrl, client; got " + given);
    }
    if ((b.apiKey != null || b.requestTimeout != DEFAULT_REQUEST_TIMEOUT) && b.serverUrl == null) {
      throw new IllegalArgumentException(
          "apiKey(...) and requestTimeout(...) are for serverUrl(...); a client(...) brings its own");
    }
    if (b.bindery != null || b.dataDirectory != null) {
      boolean owns = b.bindery == null;
      Bindery bindery = owns ? Bindery.open(b.dataDirectory) : b.bindery;
      this.backend = openOrClose(() -> new EmbeddedStoreBackend(bindery, owns, b), owns, bindery);
    } else {
      boolean owns = b.client == null;
      BinderyClient client =
          owns
              ? BinderyClient.builder(b.serverUrl)
                  .apiKey(b.apiKey)
                  .requestTimeout(b.requestTimeout)
                  .build()
              : b.client;
      this.backend = openOrClose(() -> new RemoteStoreBackend(client, owns, b), owns, client);
    }
  }

  /** The backend, or, when it cannot be set up, closes what this store opened and rethrows. */
  private static StoreBackend openOrClose(
      java.util.function.Supplier<StoreBackend> open, boolean owns, AutoCloseable opened) {
    try {
      return open.get();
    } catch (RuntimeException e) {
      if (owns) {
        try {
          opened.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  static void requireDimensionToCreate(String collection, int dimension) {
    if (dimension <= 0) {
      throw new IllegalArgumentException(
          "collection '"
              + collection
              + "' does not exist; give dimension(...) (e.g. model.dimension()) to create it");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The collection this store reads and writes. */
  public String collection() {
    return backend.collection();
  }

  /** The vector space entries go to. */
  public String space() {
    return backend.space();
  }

  /** The embedding dimension the space takes. */
  public int dimension() {
    return backend.dimension();
  }

  /** True when this store works on a remote Bindery server, false for the embedded library. */
  public boolean remote() {
    return backend instanceof RemoteStoreBackend;
  }

  /**
   * The embedded library underneath, for Bindery's own queries (hybrid BM25 + kNN, fusion, filter
   * sets).
   *
   * @throws IllegalStateException for a remote store (use {@link #client()})
   */
  public Bindery bindery() {
    if (backend instanceof EmbeddedStoreBackend e) {
      return e.bindery();
    }
    throw new IllegalStateException(
        "this store works on a remote Bindery server, not an embedded library; use client()");
  }

  /**
   * The client of the remote server underneath.
   *
   * @throws IllegalStateException for an embedded store (use {@link #bindery()})
   */
  public BinderyClient client() {
    if (backend instanceof RemoteStoreBackend r) {
      return r.client();
    }
    throw new IllegalStateException(
        "this store works on an embedded library, not a remote server; use bindery()");
  }

  // ------------------------------------------------------------------ writes

  @Override
  public String add(Embedding embedding) {
    String id = generateIds(1).get(0);
    addAll(List.of(id), List.of(embedding), null);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(id), List.of(embedding), null);
  }

  @Override
  public String add(Embedding embedding, TextSegment segment) {
    String id = generateIds(1).get(0);
    addAll(List.of(id), List.of(embedding), segment == null ? null : List.of(segment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, null);
    return ids;
  }

  /**
   * Adds or replaces entries by id, all or nothing: Bindery checks the whole batch (dimensions,
   * finite values, metadata types) before it writes any of it.
   *
   * @param segments null for entries without text; else one per embedding (an element may be null)
   */
  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(embeddings, "embeddings");
    if (ids.size() != embeddings.size()) {
      throw new IllegalArgumentException(
          "ids and embeddings differ in size: " + ids.size() + " != " + embeddings.size());
    }
    if (segments != null && segments.size() != embeddings.size()) {
      throw new IllegalArgumentException(
          "segments and embeddings differ in size: "
              + segments.size()
              + " != "
              + embeddings.size());
    }
    if (ids.isEmpty()) {
      return;
    }
    List<StoreBackend.Entry> entries = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      Embedding e = Objects.requireNonNull(embeddings.get(i), "embedding " + i);
      TextSegment s = segments == null ? null : segments.get(i);
      entries.add(
          new StoreBackend.Entry(
              ids.get(i),
              e.vector(),
              s == null ? null : s.text(),
              MetadataCodec.toBindery(s == null ? null : s.metadata())));
    }
    backend.write(entries);
  }

  @Override
  public void remove(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id cannot be null or blank");
    }
    removeAll(List.of(id));
  }

  @Override
  public void removeAll(Collection<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids cannot be null or empty");
    }
    backend.delete(ids);
  }

  /**
   * Removes every entry the filter matches (embedded: found with exact filtered search, {@value
   * KnnQuery#MAX_K} at a time; remote: the server's delete by filter).
   */
  @Override
  public void removeAll(dev.langchain4j.store.embedding.filter.Filter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    Optional<Filter> f = translate(filter);
    if (f.isPresent()) {
      backend.deleteWhere(f.get());
    }
  }

  /**
   * Removes everything: drops the collection and creates it again with the same spaces (on a server
   * this needs an admin key).
   */
  @Override
  public void removeAll() {
    backend.clear();
  }

  /** Makes every write so far durable (fsync); a remote server already committed each write. */
  public void commit() {
    backend.commit();
  }

  // ------------------------------------------------------------------ search

  /**
   * The nearest entries to the request's embedding, best first (ties by id), restricted by its
   * filter, those below its minimum relevance score left out.
   *
   * @throws UnsupportedOperationException for a filter Bindery cannot express ({@code
   *     ContainsString})
   */
  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    Objects.requireNonNull(request, "request");
    Filter filter = null;
    if (request.filter() != null) {
      Optional<Filter> f = translate(request.filter());
      if (f.isEmpty()) {
        return new EmbeddingSearchResult<>(List.of());
      }
      filter = f.get();
    }
    double minScore = request.minScore();
    List<StoreBackend.Match> found =
        backend.search(
            request.queryEmbedding().vector(),
            request.maxResults(),
            filter,
            similarity -> RelevanceScore.fromCosineSimilarity(similarity) >= minScore);
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(found.size());
    for (StoreBackend.Match m : found) {
      TextSegment segment =
          m.text() == null
              ? null
              : TextSegment.from(m.text(), MetadataCodec.fromBindery(m.metadata()));
      matches.add(
          new EmbeddingMatch<>(
              RelevanceScore.fromCosineSimilarity(m.similarity()),
              m.id(),
              m.vector() == null ? null : new Embedding(m.vector()),
              segment));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /**
   * The Bindery filter for a langchain4j filter, or empty when it can match nothing because no
   * entry was ever written by this store.
   */
  private Optional<Filter> translate(dev.langchain4j.store.embedding.filter.Filter filter) {
    Set<String> fields = backend.fields();
    if (!fields.contains(MetadataCodec.TYPES_FIELD)) {
      // Validate it all the same, so a bad filter fails on an empty store too.
      new MetadataFilterTranslator(Set.of(), Filter.set("all")).translate(filter);
      return Optional.empty();
    }
    Filter all = Filter.range(MetadataCodec.TYPES_FIELD, "", null);
    return Optional.of(new MetadataFilterTranslator(fields, all).translate(filter));
  }

  /**
   * Commits, and closes the library or the client if this store opened it (not one passed to the
   * builder).
   */
  @Override
  public void close() {
    backend.close();
  }

  /**
   * Configures a {@link BinderyEmbeddingStore}: on the embedded library ({@link #dataDirectory} or
   * {@link #bindery}) or on a remote Bindery server ({@link #serverUrl} with {@link #apiKey}, or
   * {@link #client}); exactly one of the four.
   */
  public static final class Builder {
    Bindery bindery;
    Path dataDirectory;
    String serverUrl;
    String apiKey;
    BinderyClient client;
    Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    String collection = "langchain4j";
    String space;
    int dimension;
    Similarity similarity = Similarity.COSINE;
    boolean commitEveryWrite = true;

    private Builder() {}

    /** An open library to use (the store does not close it). */
    public Builder bindery(Bindery bindery) {
      this.bindery = bindery;
      return this;
    }

    /** A data directory to open the library on (the store closes it). */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
      return this;
    }

    /**
     * A remote Bindery server's root URL ({@code http://127.0.0.1:7700}); the store opens a {@link
     * BinderyClient} on it and closes it.
     */
    public Builder serverUrl(String serverUrl) {
      this.serverUrl = serverUrl;
      return this;
    }

    /**
     * The server's API key (with {@link #serverUrl}): {@code write} scope to add and remove, {@code
     * admin} to create the collection or {@link #removeAll()} everything.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * How long to wait for each answer of the server (with {@link #serverUrl}; default 60 s). The
     * server's own search timeout ({@code serve --timeout}, default 30 s) answers 503 before it.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** A client of a remote Bindery server to use (the store does not close it). */
    public Builder client(BinderyClient client) {
      this.client = client;
      return this;
    }

    /**
     * The collection (default {@code langchain4j}); created when missing, which needs dimension.
     */
    public Builder collection(String collection) {
      this.collection = collection;
      return this;
    }

    /**
     * The vector space to use: needed when the collection has several (a model package's collection
     * may), and the name of the one a new collection gets (default {@code embedding}).
     */
    public Builder space(String space) {
      this.space = space;
      return this;
    }

    /** The embedding dimension, to create the collection or to check an existing one. */
    public Builder dimension(int dimension) {
      this.dimension = dimension;
      return this;
    }

    /**
     * Similarity of a new collection's space (default cosine). Relevance scores are {@code (s + 1)
     * / 2} of it, which is langchain4j's for cosine and dot product of unit vectors.
     */
    public Builder similarity(Similarity similarity) {
      this.similarity = Objects.requireNonNull(similarity, "similarity");
      return this;
    }

    /**
     * Embedded only. True (default): each write is durable (committed) before it returns, as with a
     * database. False: writes are visible at once and durable at {@link #commit()} or {@link
     * #close()}, which is much faster for bulk loads. A remote server commits every write.
     */
    public Builder commitEveryWrite(boolean commitEveryWrite) {
      this.commitEveryWrite = commitEveryWrite;
      return this;
    }

    public BinderyEmbeddingStore build() {
      return new BinderyEmbeddingStore(this);
    }
  }
}
