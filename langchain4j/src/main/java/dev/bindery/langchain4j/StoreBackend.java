package dev.bindery.langchain4j;

import dev.bindery.indexer.Filter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * Where a {@link BinderyEmbeddingStore}'s entries live: one collection of the embedded library
 * ({@link EmbeddedStoreBackend}) or of a remote Bindery server ({@link RemoteStoreBackend}). The
 * store does the langchain4j part (ids, metadata types, filters, scores) once for both.
 */
interface StoreBackend extends AutoCloseable {

  /** An entry to write: its vector in the store's space, its text (or null) and metadata. */
  record Entry(String id, float[] vector, String text, Map<String, Object> metadata) {}

  /**
   * A search hit with what the store returns of it.
   *
   * @param similarity the space's similarity (cosine for the default space)
   */
  record Match(
      String id, double similarity, float[] vector, String text, Map<String, Object> metadata) {}

  /** The collection's name. */
  String collection();

  /** The vector space entries go to. */
  String space();

  /** The space's dimension. */
  int dimension();

  /** The metadata fields the collection has now (a key no entry has is not among them). */
  Set<String> fields();

  /** Adds or replaces entries, all or nothing. */
  void write(List<Entry> entries);

  /** Deletes these ids; ids that do not exist are ignored. */
  void delete(Collection<String> ids);

  /** Deletes every entry that passes the filter. */
  void deleteWhere(Filter filter);

  /**
   * The {@code k} nearest entries that pass the filter (null: all), best first, ties by id, less
   * those whose similarity {@code keep} refuses (they are not read).
   */
  List<Match> search(float[] vector, int k, Filter filter, DoublePredicate keep);

  /** Removes everything: drops the collection and creates it again as it was. */
  void clear();

  /** Makes every write so far durable. */
  void commit();

  @Override
  void close();
}
