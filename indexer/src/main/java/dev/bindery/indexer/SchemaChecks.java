package dev.bindery.indexer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The schema checks both backends make the same way: a batch's inferred metadata types against the
 * recorded ones, a filter's metadata field, a text query's fields and a filter set's members. Each
 * throws one of the typed request errors with the field, collection and reason in its message, so
 * the two backends refuse the same requests with the same words.
 */
public final class SchemaChecks {
  private SchemaChecks() {}

  /**
   * Refuses a batch whose inferred type of a metadata field differs from the type recorded for it.
   *
   * @param recorded the collection's recorded metadata fields
   * @param batch the types the batch's values imply, for fields it names
   * @throws UnprocessableException naming the first conflicting field and both types
   */
  public static void checkFieldTypes(
      Map<String, FieldType> recorded, Map<String, FieldType> batch) {
    for (Map.Entry<String, FieldType> e : batch.entrySet()) {
      FieldType existing = recorded.get(e.getKey());
      if (existing != null && existing != e.getValue()) {
        throw new UnprocessableException(
            "metadata field '"
                + e.getKey()
                + "' is of type "
                + existing
                + " but the batch has "
                + e.getValue()
                + " values; nothing was written");
      }
    }
  }

  /** The fields of {@code batch} that {@code recorded} does not hold yet, in batch order. */
  public static List<String> unrecorded(
      Map<String, FieldType> recorded, Map<String, FieldType> batch) {
    List<String> out = new ArrayList<>();
    batch.keySet().stream().filter(f -> !recorded.containsKey(f)).forEach(out::add);
    return out;
  }

  /**
   * The recorded type of the metadata field a filter names.
   *
   * @throws BadArgumentException when the collection has no such field, listing the ones it has
   */
  public static FieldType filterFieldType(CollectionConfig cfg, String field) {
    FieldType t = cfg.fields().get(field);
    if (t == null) {
      throw new BadArgumentException(
          "filter names unknown metadata field '"
              + field
              + "'; collection '"
              + cfg.name()
              + "' has "
              + (cfg.fields().isEmpty() ? "none" : new TreeSet<>(cfg.fields().keySet())));
    }
    return t;
  }

  /**
   * The text fields a query searches: the ones it names, each checked against {@code known}; none
   * named means all of {@code known}, in sorted order.
   *
   * @throws BadArgumentException naming the first unknown field and the ones the collection has
   */
  public static List<String> textFields(TextQuery q, Set<String> known, String collection) {
    if (q.fields().isEmpty()) {
      return List.copyOf(new TreeSet<>(known));
    }
    for (String f : q.fields()) {
      if (!known.contains(f)) {
        throw new BadArgumentException(
            "unknown text field '"
                + f
                + "' in collection '"
                + collection
                + "'; it has "
                + (known.isEmpty() ? "none yet" : new TreeSet<>(known).toString()));
      }
    }
    return List.copyOf(q.fields());
  }

  /**
   * Refuses a filter set that names items the collection does not hold.
   *
   * @param missing the named ids that are not in the collection, in the order found
   * @throws BadArgumentException listing up to ten of them; the set is left as it was
   */
  public static void checkSetMembers(String set, String collection, Collection<String> missing) {
    if (missing.isEmpty()) {
      return;
    }
    List<String> shown = missing.stream().limit(10).toList();
    throw new BadArgumentException(
        "filter set '"
            + set
            + "' names "
            + missing.size()
            + " id(s) not in collection '"
            + collection
            + "': "
            + shown
            + (missing.size() > 10 ? " ..." : "")
            + "; the set was not changed");
  }

  /**
   * The error for a filter set name that a collection does not hold.
   *
   * @param existing the sets it has
   */
  public static BadArgumentException unknownFilterSet(String set, Collection<String> existing) {
    return new BadArgumentException(
        "unknown filter set '"
            + set
            + "'"
            + (existing.isEmpty() ? "; there are none" : "; there are " + new TreeSet<>(existing)));
  }
}
