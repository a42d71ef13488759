package dev.bindery.indexer;

import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The storage and search contract that the embedded Lucene backend and the SolrCloud backend both
 * implement. It stores vectors and searches them; it never encodes (fusion does that).
 *
 * <p>Writes are visible to search after {@link #refresh} and durable after {@link #commit}:
 * everything acknowledged by a returned {@code commit} survives a crash ({@code kill -9}). A batch
 * is validated as a whole before anything is written: one bad item rejects the batch and writes
 * nothing. Implementations are thread-safe: many threads may search while others write.
 */
public interface IndexBackend extends Closeable {

  /** Creates a collection; fails if one of that name exists. */
  void createCollection(CollectionConfig config);

  /** Deletes a collection and all its data; returns false if there was none. */
  boolean dropCollection(String name);

  /** Names of all collections, sorted. */
  List<String> listCollections();

  /** Configuration and counts of a collection. */
  CollectionInfo describe(String collection);

  /**
   * A collection's configuration alone (its spaces and field types), failing as {@link #describe}
   * does for an unknown collection. What every search needs; a backend that can answer it without
   * counting items (the counts cost an index query) overrides it.
   */
  default CollectionConfig config(String collection) {
    return describe(collection).config();
  }

  /**
   * Adds or replaces items by id. The whole batch is checked first (dimensions, finite values, zero
   * vectors under cosine, unknown spaces, duplicate ids in the batch, metadata types); nothing is
   * written if any item is bad.
   *
   * @return number of items written
   */
  int upsert(String collection, List<Item> items);

  /** Deletes items by id; returns how many of the ids existed. */
  int delete(String collection, Collection<String> ids);

  /** The item with its vectors and segments as last written (after refresh), if any. */
  Optional<Item> get(String collection, String id);

  /**
   * Number of items that pass {@code filter} (null: every item), among those visible to search.
   *
   * @throws IllegalArgumentException for a filter naming an unknown field or set
   */
  long count(String collection, Filter filter);

  /**
   * Deletes every item that passes {@code filter}, as visible to search when the call starts (an
   * item written but not yet refreshed is neither counted nor deleted). Equals {@link #delete} with
   * the ids {@link #count} counts; durable with the next commit.
   *
   * @param filter which items; required (there is {@link #dropCollection} for all of them)
   * @return the ids of the items deleted, sorted (an item another writer deleted meanwhile is left
   *     out)
   */
  List<String> deleteWhere(String collection, Filter filter);

  /**
   * Sets or removes metadata fields of one item without touching its vectors, text or segments:
   * each entry of {@code changes} sets that field, a null value removes it, fields not named stay.
   * Values are checked as on ingest (types of declared and inferred fields, term lengths; a new
   * field gets its type inferred). Atomic per item: a concurrent write of the same id happens
   * wholly before or after it. It starts from the item as last written, refreshed or not, and like
   * {@link #upsert} is visible after {@link #refresh} and durable after {@link #commit}.
   *
   * @return the item as written, or empty if there is no item {@code id} (nothing written)
   * @throws IllegalArgumentException naming the field and the reason; nothing is written
   */
  Optional<Item> updateMetadata(String collection, String id, Map<String, Object> changes);

  /**
   * How many items visible to search that pass {@code filter} (null: all) hold each value of each
   * field: the counts behind facets. Values are in their indexed form (String for keyword, Long for
   * long and date (epoch ms), Double for double); an item counts once for each distinct value it
   * holds (see {@link ValueCounts}).
   *
   * @return field to (value to number of items), fields in the order asked, values unordered
   * @throws IllegalArgumentException naming an unknown field, or a bad filter
   */
  Map<String, Map<Object, Long>> valueCounts(String collection, Filter filter, List<String> fields);

  /** Makes all writes so far visible to search. */
  void refresh(String collection);

  /** Makes all writes so far durable (fsync) and visible. */
  void commit(String collection);

  /** k-nearest-neighbour search in one space. */
  SearchResult knn(String collection, KnnQuery query);

  /** BM25 search over text fields. */
  SearchResult text(String collection, TextQuery query);

  /**
   * Creates or replaces a named filter set holding the given item ids. Ids not in the collection
   * are rejected, so a set never silently names nothing. Durable with the next commit.
   */
  void putFilterSet(String collection, String name, Collection<String> ids);

  /** Removes a filter set; returns false if there was none. */
  boolean deleteFilterSet(String collection, String name);

  /**
   * A setting that the application keeps with the collection, e.g. which model package embeds it
   * (see {@link #putCollectionSetting}).
   *
   * @return the value, or empty if the setting was never put or the backend keeps none
   * @throws CollectionNotFoundException if there is no such collection
   */
  default Optional<String> collectionSetting(String collection, String key) {
    describe(collection);
    return Optional.empty();
  }

  /**
   * Stores a small application setting with the collection, so that every process that opens the
   * collection sees it; a backend shared by many processes (SolrCloud) keeps it in the cluster. It
   * goes away with the collection.
   *
   * @param key a name ({@link Names#checkName} rules)
   * @param value the value, or null to remove the setting
   * @return false if this backend keeps no settings (the caller keeps them elsewhere)
   * @throws CollectionNotFoundException if there is no such collection
   */
  default boolean putCollectionSetting(String collection, String key, String value) {
    describe(collection);
    return false;
  }
}
