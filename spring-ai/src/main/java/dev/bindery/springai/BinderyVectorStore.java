package dev.bindery.springai;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * embedded Bindery library (a Lucene index in a local directory). Documents are embedded with the
 * given {@link EmbeddingModel} (for Bindery's own encoders, {@link BinderyEmbeddingModel}); each
 * becomes one Bindery item: the vector in the collection's one space, the text as the BM25 field
 * {@code text}, and the metadata as typed, filterable Bindery metadata (keys follow Bindery's
 * field-name rules: 1..64 of {@code [A-Za-z0-9_.-]}; values are strings, numbers, booleans or lists
 * of them). Filters are Spring AI's portable expressions, translated by {@link
 * BinderyFilterExpressionConverter}; every operator is supported.
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

  private final Bindery bindery;
  private final String collection;
  private final String space;
  private final int dimension;

  private BinderyVectorStore(Builder b) {
    super(b);
    this.bindery = Objects.requireNonNull(b.bindery, "bindery");
    this.collection = Objects.requireNonNull(b.collection, "collection");
    if (!bindery.listCollections().contains(collection)) {
      if (!b.initializeSchema) {
        throw new IllegalArgumentException(
            "collection '"
                + collection
                + "' does not exist and initializeSchema is off; create it or turn it on");
      }
      int dim = b.dimension > 0 ? b.dimension : embeddingModel.dimensions();
      bindery.createCollection(
          CollectionConfig.of(collection, SpaceConfig.of("embedding", dim, Similarity.COSINE)));
    }
    Map<String, SpaceConfig> spaces = bindery.describe(collection).config().spaces();
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
    this.space = chosen;
    this.dimension = sc.dim();
  }

  /** Starts a store over {@code bindery} that embeds with {@code embeddingModel}. */
  public static Builder builder(Bindery bindery, EmbeddingModel embeddingModel) {
    return new Builder(bindery, embeddingModel);
  }

  @Override
  public String getName() {
    return "BinderyVectorStore";
  }

  /** The library underneath. */
  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) bindery);
  }

  /** The collection documents go to. */
  public String collection() {
    return collection;
  }

  @Override
  public void doAdd(List<Document> documents) {
    if (documents.isEmpty()) {
      return;
    }
    List<float[]> vectors =
        embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batchingStrategy);
    List<Item> items = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      Item.Builder b = Item.builder(d.getId(), "text").vector(space, vectors.get(i));
      if (d.getText() != null) {
        b.text(TEXT_FIELD, d.getText());
      }
      d.getMetadata()
          .forEach(
              (k, v) -> {
                if (k.equals(MARKER_FIELD)) {
                  throw new IllegalArgumentException(
                      "document '" + d.getId() + "': metadata key '" + k + "' is reserved");
                }
                b.meta(k, v);
              });
      b.meta(MARKER_FIELD, "1");
      items.add(b.build());
    }
    bindery.add(collection, items);
    bindery.commit(collection);
  }

  @Override
  public void doDelete(List<String> ids) {
    bindery.backend().delete(collection, ids);
    bindery.commit(collection);
  }

  /** Deletes every document the expression matches, found by exact filtered search. */
  @Override
  protected void doDelete(Expression filterExpression) {
    Optional<Filter> f = convert(filterExpression);
    if (f.isEmpty()) {
      return;
    }
    float[] probe = new float[dimension];
    probe[0] = 1;
    Set<String> removed = new HashSet<>();
    while (true) {
      KnnQuery q = new KnnQuery(space, probe, KnnQuery.MAX_K, f.get(), 0, SearchMode.EXACT, true);
      List<String> ids = bindery.backend().knn(collection, q).hits().stream().map(Hit::id).toList();
      if (ids.isEmpty() || !removed.addAll(ids)) {
        break;
      }
      bindery.backend().delete(collection, ids);
      bindery.refresh(collection);
      if (ids.size() < KnnQuery.MAX_K) {
        break;
      }
    }
    bindery.commit(collection);
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
    KnnQuery q = new KnnQuery(space, query, request.getTopK(), filter, 0, SearchMode.AUTO, true);
    List<Document> out = new ArrayList<>();
    for (Hit h : bindery.backend().knn(collection, q).hits()) {
      double score = (h.score() + 1) / 2.0;
      if (score < request.getSimilarityThreshold()) {
        continue;
      }
      Optional<Item> item = bindery.backend().get(collection, h.id());
      if (item.isEmpty()) {
        continue; // deleted between the search and the read
      }
      Map<String, Object> metadata = new LinkedHashMap<>(h.metadata());
      metadata.remove(MARKER_FIELD);
      metadata.put(DocumentMetadata.DISTANCE.value(), 1 - score);
      out.add(
          Document.builder()
              .id(h.id())
              .text(item.get().text().get(TEXT_FIELD))
              .metadata(metadata)
              .score(score)
              .build());
    }
    return out;
  }

  private Optional<Filter> convert(Expression e) {
    Map<String, FieldType> fields = bindery.describe(collection).config().fields();
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
    private String collection = "spring-ai";
    private String space;
    private int dimension;
    private boolean initializeSchema = true;

    private Builder(Bindery bindery, EmbeddingModel embeddingModel) {
      super(embeddingModel);
      this.bindery = Objects.requireNonNull(bindery, "bindery");
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
