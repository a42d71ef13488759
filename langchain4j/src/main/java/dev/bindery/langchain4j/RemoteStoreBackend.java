package dev.bindery.langchain4j;

import dev.bindery.client.BinderyClient;
import dev.bindery.client.ItemWrite;
import dev.bindery.client.RemoteCollection;
import dev.bindery.client.RemoteMatch;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * A store's entries in one collection of a remote Bindery server, through {@link BinderyClient}.
 * The server commits every write before it answers, so every write is durable when it returns. A
 * search is two requests: the vector search, then the hits' text and stored vectors ({@code
 * items/get}).
 */
final class RemoteStoreBackend implements StoreBackend {
  private final BinderyClient client;
  private final boolean ownsClient;
  private final String collection;
  private final String space;
  private final int dimension;
  private final CollectionConfig rawConfig;
  private final Optional<String> model;

  RemoteStoreBackend(BinderyClient client, boolean ownsClient, BinderyEmbeddingStore.Builder b) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.collection = b.collection;
    Optional<RemoteCollection> found = client.find(collection);
    if (found.isEmpty()) {
      BinderyEmbeddingStore.requireDimensionToCreate(collection, b.dimension);
      client.createCollection(
          CollectionConfig.of(
              collection,
              SpaceConfig.of(b.space == null ? "embedding" : b.space, b.dimension, b.similarity)));
      found = Optional.of(client.describe(collection));
    }
    Map<String, SpaceConfig> spaces = found.get().config().spaces();
    // A vector query to the server names no space: it picks the space by the vector's dimension.
    SpaceConfig sc = found.get().config().chooseSpace(b.space, b.dimension, true);
    this.space = sc.name();
    this.dimension = sc.dim();
    this.rawConfig = new CollectionConfig(collection, spaces, Map.of());
    this.model = found.get().model();
  }

  BinderyClient client() {
    return client;
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
    return new LinkedHashSet<>(client.describe(collection).config().fields().keySet());
  }

  @Override
  public void write(List<Entry> entries) {
    List<ItemWrite> items = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      items.add(new ItemWrite(e.id(), e.text(), Map.of(space, e.vector()), e.metadata()));
    }
    client.addItems(collection, items);
  }

  @Override
  public void delete(Collection<String> ids) {
    client.deleteItems(collection, ids);
  }

  @Override
  public void deleteWhere(Filter filter) {
    client.deleteWhere(collection, filter);
  }

  @Override
  public List<Match> search(float[] vector, int k, Filter filter, DoublePredicate keep) {
    List<Match> matches = new ArrayList<>();
    for (RemoteMatch m : client.searchWithItems(collection, vector, k, filter, keep, true)) {
      matches.add(
          new Match(
              m.hit().id(),
              m.hit().score(),
              m.item().vectors().get(space),
              m.item().text().get(BinderyEmbeddingStore.TEXT_FIELD),
              m.userMetadata()));
    }
    return matches;
  }

  @Override
  public void clear() {
    client.dropCollection(collection);
    if (model.isPresent()) {
      client.createCollection(collection, model.get());
    } else {
      client.createCollection(rawConfig);
    }
  }

  /** Nothing to do: the server commits every write before it answers. */
  @Override
  public void commit() {}

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
