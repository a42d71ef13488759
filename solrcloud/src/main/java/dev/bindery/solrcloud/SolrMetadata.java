package dev.bindery.solrcloud;

import dev.bindery.indexer.FieldType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Typed metadata for Solr: the same inference and checks as the embedded backend (so both reject
 * the same values with the same messages), and the values in the form Solr indexes them.
 */
final class SolrMetadata {
  private SolrMetadata() {}

  /** The type a first value implies for an undeclared field. */
  static FieldType infer(String field, Object value) {
    Object v = value;
    if (value instanceof Collection<?> c) {
      if (c.isEmpty()) {
        throw new IllegalArgumentException(
            "metadata field '" + field + "' is an empty list; its type cannot be told");
      }
      v = c.iterator().next();
    }
    if (v instanceof String || v instanceof Boolean) {
      return FieldType.KEYWORD;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return FieldType.LONG;
    }
    if (v instanceof Double || v instanceof Float) {
      return FieldType.DOUBLE;
    }
    if (v instanceof Instant) {
      return FieldType.DATE;
    }
    throw new IllegalArgumentException(
        "metadata field '" + field + "' has a value of unsupported type " + typeName(v));
  }

  /**
   * Every value of {@code value} converted for Solr: String, Long, Double, or Date (epoch ms).
   * Throws with the item, field and value when a value does not fit {@code type}.
   */
  static List<Object> solrValues(String itemId, String field, FieldType type, Object value) {
    List<Object> out = new ArrayList<>();
    for (Object v : value instanceof Collection<?> c ? new ArrayList<>(c) : List.of(value)) {
      if (v == null) {
        throw new IllegalArgumentException(
            "item '" + itemId + "': metadata field '" + field + "' holds a null value");
      }
      Object indexed = toIndexed(itemId, field, type, v);
      out.add(type == FieldType.DATE ? new Date((Long) indexed) : indexed);
    }
    return out;
  }

  /** The value as the index compares it: String, Long (dates: epoch ms) or Double. */
  static Object toIndexed(String itemId, String field, FieldType type, Object v) {
    switch (type) {
      case KEYWORD -> {
        if (v instanceof String s) {
          return s;
        }
        if (v instanceof Boolean b) {
          return b.toString();
        }
      }
      case LONG -> {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
          return d.longValue();
        }
      }
      case DOUBLE -> {
        if (v instanceof Number n) {
          double d = n.doubleValue();
          if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(
                where(itemId) + "metadata field '" + field + "' (double) is not finite: " + d);
          }
          return d;
        }
      }
      case DATE -> {
        if (v instanceof Instant i) {
          return i.toEpochMilli();
        }
        if (v instanceof String s) {
          return parseDate(itemId, field, s);
        }
      }
    }
    throw new IllegalArgumentException(
        where(itemId)
            + "metadata field '"
            + field
            + "' is of type "
            + type
            + " but got "
            + typeName(v)
            + " value '"
            + v
            + "'");
  }

  /** A filter value as Solr query syntax understands it for {@code type}. */
  static String queryValue(String field, FieldType type, Object v) {
    Object indexed = toIndexed(null, field, type, v);
    return switch (type) {
      case KEYWORD -> (String) indexed;
      case LONG -> Long.toString((Long) indexed);
      case DOUBLE -> Double.toString((Double) indexed);
      case DATE -> Instant.ofEpochMilli((Long) indexed).toString();
    };
  }

  private static String where(String itemId) {
    return itemId == null ? "filter: " : "item '" + itemId + "': ";
  }

  static long parseDate(String itemId, String field, String s) {
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (DateTimeParseException e) {
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where(itemId)
              + "metadata field '"
              + field
              + "' (date) needs ISO-8601 like 2024-05-01 or 2024-05-01T10:00:00Z, got '"
              + s
              + "'",
          e);
    }
  }

  private static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Number) {
      return "number";
    }
    if (v instanceof Map<?, ?>) {
      return "object";
    }
    if (v instanceof Collection<?>) {
      return "list";
    }
    return v.getClass().getSimpleName();
  }
}
