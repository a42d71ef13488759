package dev.bindery.springai;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.SpaceConfig;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * Where a {@link BinderyVectorStore}'s documents live: one collection of the embedded library
 * ({@link EmbeddedCollectionAccess}) or of a remote Bindery server ({@link
 * RemoteCollectionAccess}). The store does the Spring AI part (embedding, filters, scores,
 * observations) once for both.
 */
interface CollectionAccess {

  /** A document to write: its vector, text (or null) and metadata. */
  record Entry(String id, float[] vector, String text, Map<String, Object> metadata) {}

  /** A hit: the space's similarity, the document's text and metadata. */
  record Match(String id, double similarity, String text, Map<String, Object> metadata) {}

  /** True when the collection exists. */
  boolean exists();

  /** Creates the collection with one space. */
  void create(SpaceConfig space);

  /** The collection's description now: its spaces and declared metadata fields. */
  CollectionConfig config();

  /** The collection's metadata fields and their types, now. */
  Map<String, FieldType> fields();

  /** Adds or replaces documents, all or nothing, durable when this returns. */
  void write(String space, List<Entry> entries);

  /** Deletes these ids (missing ones are ignored), durable when this returns. */
  void delete(List<String> ids);

  /** Deletes every document that passes the filter, durable when this returns. */
  void deleteWhere(String space, int dimension, Filter filter);

  /**
   * The {@code k} nearest documents that pass the filter (null: all), best first, ties by id, less
   * those whose similarity {@code keep} refuses.
   */
  List<Match> search(String space, float[] vector, int k, Filter filter, DoublePredicate keep);

  /** What {@code getNativeClient()} answers: the library or the client. */
  Object nativeClient();
}
