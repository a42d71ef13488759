package dev.bindery.springai;

import dev.bindery.client.BinderyClient;
import dev.bindery.client.ItemWrite;
import dev.bindery.client.RemoteMatch;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoublePredicate;

/**
 * A store's documents in one collection of a remote Bindery server, through {@link BinderyClient}.
 * The server commits every write before it answers. A search is two requests: the vector search,
 * then the hits' text ({@code items/get}).
 */
final class RemoteCollectionAccess implements CollectionAccess {

  private final BinderyClient client;
  private final String collection;

  RemoteCollectionAccess(BinderyClient client, String collection) {
    this.client = Objects.requireNonNull(client, "client");
    this.collection = collection;
  }

  @Override
  public boolean exists() {
    return client.find(collection).isPresent();
  }

  @Override
  public void create(SpaceConfig space) {
    client.createCollection(CollectionConfig.of(collection, space));
  }

  @Override
  public CollectionConfig config() {
    return client.describe(collection).config();
  }

  @Override
  public Map<String, FieldType> fields() {
    return client.describe(collection).config().fields();
  }

  @Override
  public void write(String space, List<Entry> entries) {
    List<ItemWrite> items = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      items.add(new ItemWrite(e.id(), e.text(), Map.of(space, e.vector()), e.metadata()));
    }
    client.addItems(collection, items);
  }

  @Override
  public void delete(List<String> ids) {
    client.deleteItems(collection, ids);
  }

  @Override
  public void deleteWhere(String space, int dimension, Filter filter) {
    client.deleteWhere(collection, filter);
  }

  @Override
  public List<Match> search(
      String space, float[] vector, int k, Filter filter, DoublePredicate keep) {
    List<Match> out = new ArrayList<>();
    for (RemoteMatch m : client.searchWithItems(collection, vector, k, filter, keep, false)) {
      out.add(
          new Match(
              m.hit().id(),
              m.hit().score(),
              m.item().text().get(BinderyVectorStore.TEXT_FIELD),
              m.userMetadata()));
    }
    return out;
  }

  @Override
  public Object nativeClient() {
    return client;
  }
}
