package dev.bindery.solrcloud;

import dev.bindery.indexer.FieldType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed metadata for Solr: the same inference and checks as the embedded backend (so both reject
 * the same values with the same messages, before anything is sent), and the values in the form Solr
 * indexes them.
 */
final class SolrMetadata {
  /**
   * Longest value indexed as one term, in UTF-8 bytes: Lucene's {@code
   * IndexWriter.MAX_TERM_LENGTH}, which Solr's string fields ({@code mk_*}) inherit. Solr refuses a
   * longer keyword only while it adds the document, after Bindery recorded the batch's new field
   * types and sent the items before it, so upsert checks it up front. (The backend's own classpath
   * has no Lucene; the tests compare this with Lucene's constant.)
   */
  static final int MAX_TERM_BYTES = 32_766;

  /** Longest value quoted whole in an error message; longer ones are cut. */
  private static final int QUOTE_CHARS = 64;

  private SolrMetadata() {}

  /** The type a first value implies for an undeclared field of item {@code itemId}. */
  static FieldType infer(String itemId, String field, Object value) {
    Object v = value;
    if (value instanceof Collection<?> c) {
      if (c.isEmpty()) {
        throw new IllegalArgumentException(
            where(itemId)
                + "metadata field '"
                + field
                + "' is an empty list; its type cannot be told");
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
        where(itemId)
            + "metadata field '"
            + field
            + "' has a value of unsupported type "
            + typeName(v)
            + dateHint(v));
  }

  /**
   * Every value of {@code value} converted for Solr: String, Long, Double, or Date (epoch ms).
   * Throws with the item, field and value when a value does not fit {@code type}, or when a keyword
   * is longer than {@link #MAX_TERM_BYTES}: after this, Solr cannot refuse the values.
   */
  static List<Object> solrValues(String itemId, String field, FieldType type, Object value) {
    List<Object> out = new ArrayList<>();
    for (Object v : value instanceof Collection<?> c ? new ArrayList<>(c) : List.of(value)) {
      if (v == null) {
        throw new IllegalArgumentException(
            "item '" + itemId + "': metadata field '" + field + "' holds a null value");
      }
      Object indexed = toIndexed(itemId, field, type, v);
      if (type == FieldType.KEYWORD) {
        checkTermLength(itemId, field, (String) indexed);
      }
      out.add(type == FieldType.DATE ? new Date((Long) indexed) : indexed);
    }
    return out;
  }

  private static void checkTermLength(String itemId, String field, String s) {
    int bytes = termBytes(s);
    if (bytes > MAX_TERM_BYTES) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "item '%s': metadata field '%s' value is %,d UTF-8 bytes; keyword values are"
                  + " limited to %,d (Lucene's term limit); the value starts with '%s'",
              itemId,
              field,
              bytes,
              MAX_TERM_BYTES,
              quote(s)));
    }
  }

  /**
   * Length of {@code s} as the term Lucene would index, in UTF-8 bytes. An unpaired surrogate
   * counts three bytes: SolrJ and Lucene both encode it as U+FFFD.
   */
  static int termBytes(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
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
          return epochMilli(itemId, field, i, v);
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
            + quote(v)
            + "'"
            + (type == FieldType.DATE ? dateHint(v) : ""));
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

  /**
   * Epoch milliseconds, which is what Solr's date fields hold (as the embedded backend's do); about
   * 292 million years either way.
   */
  private static long epochMilli(String itemId, String field, Instant i, Object given) {
    try {
      return i.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          where(itemId)
              + "metadata field '"
              + field
              + "' (date) '"
              + quote(given)
              + "' is out of range: dates are indexed as epoch milliseconds, from "
              + Instant.ofEpochMilli(Long.MIN_VALUE)
              + " to "
              + Instant.ofEpochMilli(Long.MAX_VALUE),
          e);
    }
  }

  /** A pointer to what dates may be, for values of a date-like type that is not accepted. */
  private static String dateHint(Object v) {
    return v instanceof TemporalAccessor || v instanceof Date
        ? "; dates must be java.time.Instant or ISO-8601 text (2024-05-01, 2024-05-01T10:00:00Z)"
        : "";
  }

  /** The value for an error message, cut after {@link #QUOTE_CHARS} characters. */
  private static String quote(Object v) {
    String s = String.valueOf(v);
    if (s.length() <= QUOTE_CHARS) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(QUOTE_CHARS - 1)) ? QUOTE_CHARS - 1 : QUOTE_CHARS;
    return s.substring(0, cut) + "... (" + s.length() + " characters)";
  }

  private static String where(String itemId) {
    return itemId == null ? "filter: " : "item '" + itemId + "': ";
  }

  static long parseDate(String itemId, String field, String s) {
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      Instant instant;
      try {
        instant = Instant.parse(s);
      } catch (DateTimeParseException e) {
        instant = OffsetDateTime.parse(s).toInstant();
      }
      return epochMilli(itemId, field, instant, s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where(itemId)
              + "metadata field '"
              + field
              + "' (date) needs ISO-8601 like 2024-05-01 or 2024-05-01T10:00:00Z, got '"
              + quote(s)
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
