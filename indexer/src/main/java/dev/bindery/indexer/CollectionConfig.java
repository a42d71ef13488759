package dev.bindery.indexer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a collection holds: its named vector spaces and its declared metadata fields. Metadata
 * fields that are not declared get their type from the first value written (string: keyword,
 * integer: long, other number: double) and keep it.
 *
 * @param name collection name (also its directory name)
 * @param spaces vector spaces by name; at least one
 * @param fields declared metadata field types by name
 */
public record CollectionConfig(
    String name, Map<String, SpaceConfig> spaces, Map<String, FieldType> fields) {

  public CollectionConfig {
    Names.checkName("collection", name);
    Objects.requireNonNull(spaces, "spaces");
    Objects.requireNonNull(fields, "fields");
    if (spaces.isEmpty()) {
      throw new IllegalArgumentException("collection '" + name + "' needs at least one space");
    }
    for (Map.Entry<String, SpaceConfig> e : spaces.entrySet()) {
      if (!e.getKey().equals(e.getValue().name())) {
        throw new IllegalArgumentException(
            "collection '"
                + name
                + "': space key '"
                + e.getKey()
                + "' differs from its name '"
                + e.getValue().name()
                + "'");
      }
    }
    fields.keySet().forEach(f -> Names.checkName("metadata field", f));
    spaces = Map.copyOf(new LinkedHashMap<>(spaces));
    fields = Map.copyOf(fields);
  }

  /** A collection with the given spaces and no declared metadata fields. */
  public static CollectionConfig of(String name, SpaceConfig... spaces) {
    Map<String, SpaceConfig> m = new LinkedHashMap<>();
    for (SpaceConfig s : spaces) {
      if (m.put(s.name(), s) != null) {
        throw new IllegalArgumentException("space '" + s.name() + "' given twice");
      }
    }
    return new CollectionConfig(name, m, Map.of());
  }

  /** A copy that also declares {@code field} with {@code type}. */
  public CollectionConfig withField(String field, FieldType type) {
    Map<String, FieldType> f = new LinkedHashMap<>(fields);
    f.put(field, type);
    return new CollectionConfig(name, spaces, f);
  }

  /** The space called {@code space}, or an error that lists the spaces there are. */
  public SpaceConfig space(String space) {
    SpaceConfig s = spaces.get(space);
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown space '"
              + space
              + "' in collection '"
              + name
              + "'; it has "
              + spaces.keySet().stream().sorted().toList());
    }
    return s;
  }
}
