package dev.bindery.springai;

import dev.bindery.client.BinderyClient;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.vectorstore.AbstractVectorStoreBuilder;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.observation.AbstractObservationVectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

/**
 * A Spring AI {@link org.springframework.ai.vectorstore.VectorStore} over one collection of the
 * embedded Bindery library (a Lucene index in a local directory, {@link #builder(Bindery,
 * EmbeddingModel)}) or of a remote Bindery server ({@link #builder(BinderyClient,
 * EmbeddingModel)}); both modes behave the same. Documents are embedded with the given {@link
 * EmbeddingModel} (for Bindery's own encoders, {@link BinderyEmbeddingModel}); each becomes one
 * Bindery item: the vector in the collection's one space, the text as the BM25 field {@code text},
 * and the metadata as typed, filterable Bindery metadata (keys follow Bindery's field-name rules:
 * 1..64 of {@code [A-Za-z0-9_.-]}; values are strings, numbers, booleans or lists of them). Filters
 * are Spring AI's portable expressions, translated by {@link BinderyFilterExpressionConverter};
 * every operator is supported.
 *
 * <p>Scores are {@code (cosine + 1) / 2}, so they lie in [0, 1] and a similarity threshold of 0
 * accepts everything; the {@code distance} metadata of a result is {@code 1 - score}. Writes are
 * durable (committed) before {@code add} and {@code delete} return. Add, delete and query are
 * reported as Micrometer observations the way every Spring AI store reports them ({@code
 * db.vector.client.operation}, {@code db.system=bindery}). Thread-safe.
 */
public final class BinderyVectorStore extends AbstractObservationVectorStore {
  /** The database system name in observations. */
  public static final String DB_SYSTEM = "bindery";

  /** The Bindery text field a document's text is stored in (BM25-searchable). */
  public static final String TEXT_FIELD = Bindery.TEXT_FIELD;

  /**
   * A hidden keyword field every document written by this store has: negated filters ({@code !=},
   * {@code nin}, {@code not}, {@code isNull}) subtract from the set it marks.
   */
  static final String MARKER_FIELD = "spring-ai.document";

  private final CollectionAccess access;
  private final String collection;
  private final String space;
  private final int dimension;

  private BinderyVectorStore(Builder b) {
    super(b);
    this.collection = Objects.requireNonNull(b.collection, "collection");
    this.access =
        b.bindery != null
            ? new EmbeddedCollectionAccess(b.bindery, collection)
            : new RemoteCollectionAccess(b.client, collection);
    if (!access.exists()) {
      if (!b.initializeSchema) {
        throw new IllegalArgumentException(
            "collection '"
                + collection
                + "' does not exist and initializeSchema is off; create it or turn it on");
      }
      int dim = b.dimension > 0 ? b.dimension : embeddingModel.dimensions();
      access.create(SpaceConfig.of("embedding", dim, Similarity.COSINE));
    }
    // A vector query to a remote server names no space: the server picks the space by the
    // vector's dimension, so a remote store's space must be the only one of its dimension.
    SpaceConfig sc = access.config().chooseSpace(b.space, 0, b.client != null);
    this.space = sc.name();
    this.dimension = sc.dim();
  }

  /** Starts a store over the embedded library {@code bindery}, embedding with the model. */
  public static Builder builder(Bindery bindery, EmbeddingModel embeddingModel) {
    return new Builder(Objects.requireNonNull(bindery, "bindery"), null, embeddingModel);
  }

  /**
   * Starts a store over a remote Bindery server through {@code client}, embedding with the model
   * (for the server's own encoders, {@link BinderyRemoteEmbeddingModel}). The store does not close
   * the client.
   */
  public static Builder builder(BinderyClient client, EmbeddingModel embeddingModel) {
    return new Builder(null, Objects.requireNonNull(client, "client"), embeddingModel);
  }

  @Override
  public String getName() {
    return "BinderyVectorStore";
  }

  /** The embedded {@link Bindery} library, or the remote server's {@link BinderyClient}. */
  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) access.nativeClient());
  }

  /** The collection documents go to. */
  public String collection() {
    return collection;
  }

  /** True when this store works on a remote Bindery server, false for the embedded library. */
  public boolean remote() {
    return access instanceof RemoteCollectionAccess;
  }

  @Override
  public void doAdd(List<Document> documents) {
    if (documents.isEmpty()) {
      return;
    }
    List<float[]> vectors =
        embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batchingStrategy);
    List<CollectionAccess.Entry> entries = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      Map<String, Object> metadata = new LinkedHashMap<>();
      d.getMetadata()
          .forEach(
              (k, v) -> {
                if (k.equals(MARKER_FIELD)) {
                  throw new IllegalArgumentException(
                      "document '" + d.getId() + "': metadata key '" + k + "' is reserved");
                }
                metadata.put(k, v);
              });
      metadata.put(MARKER_FIELD, "1");
      entries.add(new CollectionAccess.Entry(d.getId(), vectors.get(i), d.getText(), metadata));
    }
    access.write(space, entries);
  }

  @Override
  public void doDelete(List<String> ids) {
    access.delete(ids);
  }

  /**
   * Deletes every document the expression matches (embedded: found by exact filtered search;
   * remote: the server's delete by filter).
   */
  @Override
  protected void doDelete(Expression filterExpression) {
    Optional<Filter> f = convert(filterExpression);
    if (f.isPresent()) {
      access.deleteWhere(space, dimension, f.get());
    }
  }

  @Override
  public List<Document> doSimilaritySearch(SearchRequest request) {
    Filter filter = null;
    if (request.hasFilterExpression()) {
      Optional<Filter> f = convert(request.getFilterExpression());
      if (f.isEmpty()) {
        return List.of();
      }
      filter = f.get();
    }
    float[] query = embeddingModel.embed(request.getQuery());
    double threshold = request.getSimilarityThreshold();
    List<Document> out = new ArrayList<>();
    for (CollectionAccess.Match m :
        access.search(space, query, request.getTopK(), filter, s -> score(s) >= threshold)) {
      double score = score(m.similarity());
      Map<String, Object> metadata = new LinkedHashMap<>(m.metadata());
      metadata.remove(MARKER_FIELD);
      metadata.put(DocumentMetadata.DISTANCE.value(), 1 - score);
      out.add(Document.builder().id(m.id()).text(m.text()).metadata(metadata).score(score).build());
    }
    return out;
  }

  /** Spring AI's score in [0, 1] for a cosine similarity. */
  private static double score(double cosine) {
    return (cosine + 1) / 2.0;
  }

  private Optional<Filter> convert(Expression e) {
    Map<String, FieldType> fields = access.fields();
    if (!fields.containsKey(MARKER_FIELD)) {
      // Nothing written by this store yet; still reject an expression that cannot be translated.
      new BinderyFilterExpressionConverter(Map.of(), Filter.set("none")).convert(e);
      return Optional.empty();
    }
    Filter all = Filter.term(MARKER_FIELD, "1");
    return Optional.of(new BinderyFilterExpressionConverter(fields, all).convert(e));
  }

  @Override
  public VectorStoreObservationContext.Builder createObservationContextBuilder(
      String operationName) {
    return VectorStoreObservationContext.builder(DB_SYSTEM, operationName)
        .collectionName(collection)
        .dimensions(dimension)
        .fieldName(space)
        .similarityMetric("cosine");
  }

  /** Configures a {@link BinderyVectorStore}. */
  public static final class Builder extends AbstractVectorStoreBuilder<Builder> {
    private final Bindery bindery;
    private final BinderyClient client;
    private String collection = "spring-ai";
    private String space;
    private int dimension;
    private boolean initializeSchema = true;

    private Builder(Bindery bindery, BinderyClient client, EmbeddingModel embeddingModel) {
      super(embeddingModel);
      this.bindery = bindery;
      this.client = client;
    }

    /** The collection (default {@code spring-ai}). */
    public Builder collection(String collection) {
      this.collection = collection;
      return this;
    }

    /** The vector space to use, when the collection has several. */
    public Builder space(String space) {
      this.space = space;
      return this;
    }

    /** The dimension of a new collection (default: ask the embedding model). */
    public Builder dimension(int dimension) {
      this.dimension = dimension;
      return this;
    }

    /** Create the collection when it is missing (default true). */
    public Builder initializeSchema(boolean initializeSchema) {
      this.initializeSchema = initializeSchema;
      return this;
    }

    @Override
    public BinderyVectorStore build() {
      return new BinderyVectorStore(this);
    }
  }
}
