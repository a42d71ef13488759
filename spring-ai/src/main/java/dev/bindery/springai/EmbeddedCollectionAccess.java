package dev.bindery.springai;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoublePredicate;

/** A store's documents in one collection of the embedded library. */
final class EmbeddedCollectionAccess implements CollectionAccess {
  private final Bindery bindery;
  private final String collection;

  EmbeddedCollectionAccess(Bindery bindery, String collection) {
    this.bindery = Objects.requireNonNull(bindery, "bindery");
    this.collection = collection;
  }

  @Override
  public boolean exists() {
    return bindery.listCollections().contains(collection);
  }

  @Override
  public void create(SpaceConfig space) {
    bindery.createCollection(CollectionConfig.of(collection, space));
  }

  @Override
  public CollectionConfig config() {
    return bindery.config(collection);
  }

  @Override
  public Map<String, FieldType> fields() {
    return bindery.config(collection).fields();
  }

  @Override
  public void write(String space, List<Entry> entries) {
    List<Item> items = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      Item.Builder b = Item.builder(e.id(), "text").vector(space, e.vector());
      if (e.text() != null) {
        b.text(BinderyVectorStore.TEXT_FIELD, e.text());
      }
      e.metadata().forEach(b::meta);
      items.add(b.build());
    }
    bindery.add(collection, items);
    bindery.commit(collection);
  }

  @Override
  public void delete(List<String> ids) {
    bindery.backend().delete(collection, ids);
    bindery.commit(collection);
  }

  /** Finds the matching documents by exact filtered search, {@value KnnQuery#MAX_K} at a time. */
  @Override
  public void deleteWhere(String space, int dimension, Filter filter) {
    float[] probe = new float[dimension];
    probe[0] = 1;
    Set<String> removed = new HashSet<>();
    while (true) {
      KnnQuery q = new KnnQuery(space, probe, KnnQuery.MAX_K, filter, 0, SearchMode.EXACT, true);
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
  public List<Match> search(
      String space, float[] vector, int k, Filter filter, DoublePredicate keep) {
    KnnQuery q = new KnnQuery(space, vector, k, filter, 0, SearchMode.AUTO, true);
    List<Match> out = new ArrayList<>();
    for (Hit h : bindery.backend().knn(collection, q).hits()) {
      if (!keep.test(h.score())) {
        continue;
      }
      Optional<Item> item = bindery.backend().get(collection, h.id());
      if (item.isEmpty()) {
        continue; // deleted between the search and the read
      }
      out.add(
          new Match(
              h.id(),
              h.score(),
              item.get().text().get(BinderyVectorStore.TEXT_FIELD),
              h.metadata()));
    }
    return out;
  }

  @Override
  public Object nativeClient() {
    return bindery;
  }
}
