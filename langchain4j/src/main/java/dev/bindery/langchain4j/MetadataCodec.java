package dev.bindery.langchain4j;

import dev.langchain4j.data.document.Metadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * langchain4j metadata to Bindery metadata and back. Bindery keeps keywords, longs and doubles, so
 * UUIDs are written as strings, integers as longs and floats as (exactly widened) doubles; the Java
 * type of each key is written beside them in one hidden keyword field, {@link #TYPES_FIELD}, so
 * that a search returns the same {@link Metadata} that was added. Every entry the store writes has
 * that field (empty when there is no metadata), which also gives negated filters a set to subtract
 * from.
 */
final class MetadataCodec {
  /** The hidden field: {@code key=t;key=t} with t one of s, u, i, l, f, d. */
  static final String TYPES_FIELD = "langchain4j.types";

  private MetadataCodec() {}

  /** Bindery metadata for a langchain4j entry, with {@link #TYPES_FIELD}; null means none. */
  static Map<String, Object> toBindery(Metadata metadata) {
    Map<String, Object> out = new LinkedHashMap<>();
    StringBuilder types = new StringBuilder();
    if (metadata != null) {
      // Sorted, so the same metadata always gives the same types value.
      for (Map.Entry<String, Object> e : new TreeMap<>(metadata.toMap()).entrySet()) {
        String key = e.getKey();
        if (key.equals(TYPES_FIELD)) {
          throw new IllegalArgumentException(
              "metadata key '" + TYPES_FIELD + "' is reserved by BinderyEmbeddingStore");
        }
        Object v = e.getValue();
        char t;
        Object stored;
        switch (v) {
          case String s -> {
            t = 's';
            stored = s;
          }
          case UUID u -> {
            t = 'u';
            stored = u.toString();
          }
          case Integer i -> {
            t = 'i';
            stored = i.longValue();
          }
          case Long l -> {
            t = 'l';
            stored = l;
          }
          case Float f -> {
            t = 'f';
            stored = (double) f;
          }
          case Double d -> {
            t = 'd';
            stored = d;
          }
          default ->
              throw new IllegalArgumentException(
                  "metadata key '"
                      + key
                      + "' has a value of unsupported type "
                      + v.getClass().getName());
        }
        out.put(key, stored);
        if (!types.isEmpty()) {
          types.append(';');
        }
        types.append(key).append('=').append(t);
      }
    }
    out.put(TYPES_FIELD, types.toString());
    return out;
  }

  /**
   * langchain4j metadata from a Bindery entry's metadata: the types the store wrote, or for entries
   * written some other way, strings and numbers as they are and anything else (lists) as its text.
   */
  static Metadata fromBindery(Map<String, Object> stored) {
    Map<String, Character> types = parseTypes(stored.get(TYPES_FIELD));
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : stored.entrySet()) {
      String key = e.getKey();
      if (key.equals(TYPES_FIELD)) {
        continue;
      }
      Object v = e.getValue();
      Character t = types.get(key);
      out.put(key, t == null ? plain(v) : typed(t, v));
    }
    return Metadata.from(out);
  }

  private static Object typed(char t, Object v) {
    return switch (t) {
      case 's' -> v.toString();
      case 'u' -> UUID.fromString(v.toString());
      case 'i' -> ((Number) v).intValue();
      case 'l' -> ((Number) v).longValue();
      case 'f' -> ((Number) v).floatValue();
      case 'd' -> ((Number) v).doubleValue();
      default -> throw new IllegalStateException("unknown metadata type tag '" + t + "'");
    };
  }

  private static Object plain(Object v) {
    if (v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    return String.valueOf(v);
  }

  private static Map<String, Character> parseTypes(Object value) {
    Map<String, Character> types = new LinkedHashMap<>();
    if (value == null || value.toString().isEmpty()) {
      return types;
    }
    for (String pair : value.toString().split(";")) {
      int eq = pair.lastIndexOf('=');
      if (eq <= 0 || eq != pair.length() - 2) {
        throw new IllegalStateException(
            "malformed " + TYPES_FIELD + " entry '" + pair + "' in '" + value + "'");
      }
      types.put(pair.substring(0, eq), pair.charAt(eq + 1));
    }
    return types;
  }
}
