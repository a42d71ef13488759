package dev.bindery.langchain4j;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoublePredicate;

/** A store's entries in one collection of the embedded library. */
final class EmbeddedStoreBackend implements StoreBackend {
  private final Bindery bindery;
  private final boolean ownsBindery;
  private final String collection;
  private final String space;
  private final int dimension;
  private final boolean commitEveryWrite;
  private final CollectionConfig rawConfig;
  private final Optional<String> modelLocation;

  EmbeddedStoreBackend(Bindery bindery, boolean ownsBindery, BinderyEmbeddingStore.Builder b) {
    this.bindery = bindery;
    this.ownsBindery = ownsBindery;
    this.collection = b.collection;
    this.commitEveryWrite = b.commitEveryWrite;
    if (!bindery.listCollections().contains(collection)) {
      BinderyEmbeddingStore.requireDimensionToCreate(collection, b.dimension);
      bindery.createCollection(
          CollectionConfig.of(
              collection,
              SpaceConfig.of(b.space == null ? "embedding" : b.space, b.dimension, b.similarity)));
    }
    CollectionConfig config = bindery.config(collection);
    Map<String, SpaceConfig> spaces = config.spaces();
    SpaceConfig sc = config.chooseSpace(b.space, b.dimension, false);
    this.space = sc.name();
    this.dimension = sc.dim();
    this.rawConfig = new CollectionConfig(collection, spaces, Map.of());
    this.modelLocation = bindery.modelLocation(collection);
  }

  Bindery bindery() {
    return bindery;
  }

  @Override
  public String collection() {
    return collection;
  }

  @Override
  public String space() {
    return space;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Set<String> fields() {
    return new LinkedHashSet<>(bindery.config(collection).fields().keySet());
  }

  @Override
  public void write(List<Entry> entries) {
    List<Item> items = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      Item.Builder b =
          Item.builder(e.id(), e.text() == null ? "vector" : "text").vector(space, e.vector());
      if (e.text() != null) {
        b.text(BinderyEmbeddingStore.TEXT_FIELD, e.text());
      }
      e.metadata().forEach(b::meta);
      items.add(b.build());
    }
    bindery.add(collection, items);
    written();
  }

  @Override
  public void delete(Collection<String> ids) {
    bindery.backend().delete(collection, ids);
    written();
  }

  /** Finds the matching entries with exact filtered search, {@value KnnQuery#MAX_K} at a time. */
  @Override
  public void deleteWhere(Filter filter) {
    float[] probe = new float[dimension];
    probe[0] = 1;
    Set<String> removed = new HashSet<>();
    while (true) {
      KnnQuery q = new KnnQuery(space, probe, KnnQuery.MAX_K, filter, 0, SearchMode.EXACT, true);
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

  @Override
  public List<Match> search(float[] vector, int k, Filter filter, DoublePredicate keep) {
    KnnQuery q = new KnnQuery(space, vector, k, filter, 0, SearchMode.AUTO, true);
    List<Match> matches = new ArrayList<>();
    for (Hit h : bindery.backend().knn(collection, q).hits()) {
      if (!keep.test(h.score())) {
        continue;
      }
      Optional<Item> item = bindery.backend().get(collection, h.id());
      if (item.isEmpty()) {
        continue; // deleted between the search and the read
      }
      matches.add(
          new Match(
              h.id(),
              h.score(),
              item.get().vectors().get(space),
              item.get().text().get(BinderyEmbeddingStore.TEXT_FIELD),
              h.metadata()));
    }
    return matches;
  }

  @Override
  public void clear() {
    bindery.dropCollection(collection);
    if (modelLocation.isPresent()) {
      bindery.createCollection(collection, modelLocation.get());
    } else {
      bindery.createCollection(rawConfig);
    }
  }

  @Override
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

  @Override
  public void close() {
    if (ownsBindery) {
      bindery.close();
    } else {
      bindery.commit(collection);
    }
  }
}
