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
      throw new BadArgumentException("collection '" + name + "' needs at least one space");
    }
    for (Map.Entry<String, SpaceConfig> e : spaces.entrySet()) {
      if (!e.getKey().equals(e.getValue().name())) {
        throw new BadArgumentException(
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
        throw new BadArgumentException("space '" + s.name() + "' given twice");
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

  /**
   * The space a client that writes and reads one space (a LangChain4j or Spring AI store) uses:
   * {@code space} when given, else the collection's only space.
   *
   * @param space the space's name, or null for the only one
   * @param dimension the dimension the caller's vectors have, checked against the space's; 0 or
   *     less when the caller does not know it
   * @param uniqueDimension true when no other space may have the chosen one's dimension: a vector
   *     query to a remote server names no space, so the server picks the space by the vector's
   *     dimension
   * @throws BadArgumentException naming the collection and its spaces when there is no such space,
   *     no space was named among several, or a dimension does not fit
   */
  public SpaceConfig chooseSpace(String space, int dimension, boolean uniqueDimension) {
    String chosen = space;
    if (chosen == null) {
      if (spaces.size() != 1) {
        throw new BadArgumentException(
            "collection '"
                + name
                + "' has spaces "
                + sortedSpaceNames()
                + "; name the one to use with space(...)");
      }
      chosen = spaces.keySet().iterator().next();
    }
    SpaceConfig sc = spaces.get(chosen);
    if (sc == null) {
      throw new BadArgumentException(
          "collection '" + name + "' has no space '" + chosen + "'; it has " + sortedSpaceNames());
    }
    if (dimension > 0 && dimension != sc.dim()) {
      throw new BadArgumentException(
          "collection '"
              + name
              + "' space '"
              + chosen
              + "' has dimension "
              + sc.dim()
              + ", but dimension("
              + dimension
              + ") was given");
    }
    if (uniqueDimension) {
      for (SpaceConfig other : spaces.values()) {
        if (!other.name().equals(sc.name()) && other.dim() == sc.dim()) {
          throw new BadArgumentException(
              "collection '"
                  + name
                  + "' has spaces '"
                  + sc.name()
                  + "' and '"
                  + other.name()
                  + "' of the same dimension "
                  + sc.dim()
                  + "; a remote store needs its space's dimension to be the only one of its"
                  + " size");
        }
      }
    }
    return sc;
  }

  private java.util.List<String> sortedSpaceNames() {
    return spaces.keySet().stream().sorted().toList();
  }

  /** The space called {@code space}, or an error that lists the spaces there are. */
  public SpaceConfig space(String space) {
    SpaceConfig s = spaces.get(space);
    if (s == null) {
      throw new BadArgumentException(
          "unknown space '"
              + space
              + "' in collection '"
              + name
              + "'; it has "
              + sortedSpaceNames());
    }
    return s;
  }
}
