package dev.bindery.indexer;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts of metadata values, per field, over a set of items: the numbers behind facets. A value is
 * in its indexed form (String for keyword, Long for long and date (epoch ms), Double for double);
 * an item with several values counts once for each distinct one. Backends that cannot count from
 * their index count item by item with {@link #add}; {@link IndexBackend#valueCounts} must give the
 * same numbers either way. Not thread-safe.
 */
public final class ValueCounts {
  private final Map<String, FieldType> types;
  private final Map<String, Map<Object, Long>> counts = new LinkedHashMap<>();

  /**
   * Counts for {@code fields} of a collection.
   *
   * @throws IllegalArgumentException naming a field the collection does not have
   */
  public ValueCounts(CollectionConfig config, List<String> fields) {
    this.types = fieldTypes(config, fields);
    types.keySet().forEach(f -> counts.put(f, new LinkedHashMap<>()));
  }

  /**
   * The types of {@code fields} in {@code config}, in the order given.
   *
   * @throws IllegalArgumentException for an empty list, a duplicate or an unknown field
   */
  public static Map<String, FieldType> fieldTypes(CollectionConfig config, List<String> fields) {
    if (fields == null || fields.isEmpty()) {
      throw new IllegalArgumentException("facets need at least one metadata field");
    }
    Map<String, FieldType> out = new LinkedHashMap<>();
    for (String f : fields) {
      Names.checkName("metadata field", f);
      FieldType t = config.fields().get(f);
      if (t == null) {
        throw new IllegalArgumentException(
            "facet on unknown metadata field '"
                + f
                + "'; collection '"
                + config.name()
                + "' has "
                + (config.fields().isEmpty() ? "none" : new TreeSet<>(config.fields().keySet())));
      }
      if (out.put(f, t) != null) {
        throw new IllegalArgumentException("facet field '" + f + "' is named twice");
      }
    }
    return out;
  }

  /** Counts one item's metadata (as stored: values or lists of them). */
  public void add(String itemId, Map<String, Object> metadata) {
    types.forEach(
        (field, type) -> {
          Object value = metadata.get(field);
          if (value == null) {
            return;
          }
          Set<Object> distinct =
              new HashSet<>(MetadataValues.indexedValues(itemId, field, type, value));
          Map<Object, Long> c = counts.get(field);
          distinct.forEach(v -> c.merge(v, 1L, Long::sum));
        });
  }

  /** Field to (value to number of items), fields in the order asked. */
  public Map<String, Map<Object, Long>> counts() {
    return counts;
  }
}
