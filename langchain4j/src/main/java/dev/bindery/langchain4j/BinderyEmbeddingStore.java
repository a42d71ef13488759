package dev.bindery.langchain4j;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A langchain4j {@link EmbeddingStore} over one collection of the embedded Bindery library (a
 * Lucene index in a local directory).
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
 * once with {@link Builder#commitEveryWrite(boolean)}, the default); {@link #close()} commits.
 * Thread-safe, as the library is; {@link #removeAll()} drops and re-creates the collection, so it
 * must not race with other writers.
 */
public final class BinderyEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {
  /** The Bindery text field a segment's text is stored in (BM25-searchable). */
  public static final String TEXT_FIELD = Bindery.TEXT_FIELD;

  private final Bindery bindery;
  private final boolean ownsBindery;
  private final String collection;
  private final String space;
  private final int dimension;
  private final boolean commitEveryWrite;
  private final CollectionConfig rawConfig;
  private final Optional<String> modelLocation;

  private BinderyEmbeddingStore(Builder b) {
    if (b.bindery == null && b.dataDirectory == null) {
      throw new IllegalArgumentException("set either bindery(...) or dataDirectory(...)");
    }
    if (b.bindery != null && b.dataDirectory != null) {
      throw new IllegalArgumentException(
          "set bindery(...) or dataDirectory(...), not both (got " + b.dataDirectory + ")");
    }
    this.ownsBindery = b.bindery == null;
    this.bindery = ownsBindery ? Bindery.open(b.dataDirectory) : b.bindery;
    this.collection = Objects.requireNonNull(b.collection, "collection");
    this.commitEveryWrite = b.commitEveryWrite;
    try {
      if (!bindery.listCollections().contains(collection)) {
        if (b.dimension <= 0) {
          throw new IllegalArgumentException(
              "collection '"
                  + collection
                  + "' does not exist; give dimension(...) (e.g. model.dimension()) to create it");
        }
        bindery.createCollection(
            CollectionConfig.of(
                collection,
                SpaceConfig.of(
                    b.space == null ? "embedding" : b.space, b.dimension, b.similarity)));
      }
      CollectionInfo info = bindery.describe(collection);
      Map<String, SpaceConfig> spaces = info.config().spaces();
      String chosen = b.space;
      if (chosen == null) {
        if (spaces.size() != 1) {
          throw new IllegalArgumentException(
              "collection '"
                  + collection
                  + "' has spaces "
                  + spaces.keySet()
                  + "; name the one to use with space(...)");
        }
        chosen = spaces.keySet().iterator().next();
      }
      SpaceConfig sc = spaces.get(chosen);
      if (sc == null) {
        throw new IllegalArgumentException(
            "collection '"
                + collection
                + "' has no space '"
                + chosen
                + "'; it has "
                + spaces.keySet());
      }
      if (b.dimension > 0 && b.dimension != sc.dim()) {
        throw new IllegalArgumentException(
            "collection '"
                + collection
                + "' space '"
                + chosen
                + "' has dimension "
                + sc.dim()
                + ", but dimension("
                + b.dimension
                + ") was given");
      }
      this.space = chosen;
      this.dimension = sc.dim();
      this.rawConfig = new CollectionConfig(collection, spaces, Map.of());
      this.modelLocation = bindery.modelLocation(collection);
    } catch (RuntimeException e) {
      if (ownsBindery) {
        try {
          bindery.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The collection this store reads and writes. */
  public String collection() {
    return collection;
  }

  /** The vector space entries go to. */
  public String space() {
    return space;
  }

  /** The embedding dimension the space takes. */
  public int dimension() {
    return dimension;
  }

  /** The library underneath, for Bindery's own queries (hybrid BM25 + kNN, fusion, filter sets). */
  public Bindery bindery() {
    return bindery;
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
    List<Item> items = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      Embedding e = Objects.requireNonNull(embeddings.get(i), "embedding " + i);
      TextSegment s = segments == null ? null : segments.get(i);
      Item.Builder b =
          Item.builder(ids.get(i), s == null ? "vector" : "text").vector(space, e.vector());
      if (s != null) {
        b.text(TEXT_FIELD, s.text());
      }
      MetadataCodec.toBindery(s == null ? null : s.metadata()).forEach(b::meta);
      items.add(b.build());
    }
    bindery.add(collection, items);
    written();
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
    bindery.backend().delete(collection, ids);
    written();
  }

  /**
   * Removes every entry the filter matches: finds them with exact filtered search, {@value
   * KnnQuery#MAX_K} at a time, and deletes them.
   */
  @Override
  public void removeAll(dev.langchain4j.store.embedding.filter.Filter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    Optional<Filter> f = translate(filter);
    if (f.isEmpty()) {
      return;
    }
    float[] probe = new float[dimension];
    probe[0] = 1;
    Set<String> removed = new HashSet<>();
    while (true) {
      KnnQuery q = new KnnQuery(space, probe, KnnQuery.MAX_K, f.get(), 0, SearchMode.EXACT, true);
      List<String> ids = new ArrayList<>();
      for (Hit h : bindery.backend().knn(collection, q).hits()) {
        ids.add(h.id());
      }
      if (ids.isEmpty()) {
        break;
      }
      if (!removed.addAll(ids)) {
        throw new IllegalStateException(
            "removing by filter " + filter + " found the same entries again: " + ids.size());
      }
      bindery.backend().delete(collection, ids);
      bindery.refresh(collection);
      if (ids.size() < KnnQuery.MAX_K) {
        break;
      }
    }
    written();
  }

  /** Removes everything: drops the collection and creates it again with the same spaces. */
  @Override
  public void removeAll() {
    bindery.dropCollection(collection);
    if (modelLocation.isPresent()) {
      bindery.createCollection(collection, modelLocation.get());
    } else {
      bindery.createCollection(rawConfig);
    }
  }

  /** Makes every write so far durable (fsync). */
  public void commit() {
    bindery.commit(collection);
  }

  private void written() {
    if (commitEveryWrite) {
      bindery.commit(collection);
    } else {
      bindery.refresh(collection);
    }
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
    float[] vector = request.queryEmbedding().vector();
    KnnQuery q =
        new KnnQuery(space, vector, request.maxResults(), filter, 0, SearchMode.AUTO, true);
    SearchResult result = bindery.backend().knn(collection, q);
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(result.hits().size());
    for (Hit h : result.hits()) {
      double score = RelevanceScore.fromCosineSimilarity(h.score());
      if (score < request.minScore()) {
        continue;
      }
      Optional<Item> item = bindery.backend().get(collection, h.id());
      if (item.isEmpty()) {
        continue; // deleted between the search and the read
      }
      float[] v = item.get().vectors().get(space);
      String text = item.get().text().get(TEXT_FIELD);
      TextSegment segment =
          text == null ? null : TextSegment.from(text, MetadataCodec.fromBindery(h.metadata()));
      matches.add(
          new EmbeddingMatch<>(score, h.id(), v == null ? null : new Embedding(v), segment));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /**
   * The Bindery filter for a langchain4j filter, or empty when it can match nothing because no
   * entry was ever written by this store.
   */
  private Optional<Filter> translate(dev.langchain4j.store.embedding.filter.Filter filter) {
    Set<String> fields =
        new LinkedHashSet<>(bindery.describe(collection).config().fields().keySet());
    if (!fields.contains(MetadataCodec.TYPES_FIELD)) {
      // Validate it all the same, so a bad filter fails on an empty store too.
      new MetadataFilterTranslator(Set.of(), Filter.set("all")).translate(filter);
      return Optional.empty();
    }
    Filter all = Filter.range(MetadataCodec.TYPES_FIELD, "", null);
    return Optional.of(new MetadataFilterTranslator(fields, all).translate(filter));
  }

  /** Commits, and closes the library if this store opened it. */
  @Override
  public void close() {
    if (ownsBindery) {
      bindery.close();
    } else {
      bindery.commit(collection);
    }
  }

  /** Configures a {@link BinderyEmbeddingStore}. */
  public static final class Builder {
    private Bindery bindery;
    private Path dataDirectory;
    private String collection = "langchain4j";
    private String space;
    private int dimension;
    private Similarity similarity = Similarity.COSINE;
    private boolean commitEveryWrite = true;

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
     * True (default): each write is durable (committed) before it returns, as with a database.
     * False: writes are visible at once and durable at {@link #commit()} or {@link #close()}, which
     * is much faster for bulk loads.
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
