package dev.bindery.indexer;

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
 * Typed metadata values as every backend takes them: the type a first value implies, the checks a
 * value must pass for its field's type, and the value in the form an index compares it (String,
 * Long, dates as epoch milliseconds, Double). Both backends call this one piece, so they accept the
 * same values and reject the rest with the same messages, naming the item and the field, before
 * anything is written.
 */
public final class MetadataValues {
  /**
   * Longest value indexed as one term, in UTF-8 bytes: Lucene's {@code
   * IndexWriter.MAX_TERM_LENGTH}, which Solr's string fields inherit (tests compare the two).
   * Keyword values and the modality are one term each.
   */
  public static final int MAX_TERM_BYTES = 32_766;

  /** Longest value quoted whole in an error message; longer ones are cut. */
  private static final int QUOTE_CHARS = 64;

  private MetadataValues() {}

  /** The type a first value implies for an undeclared field of item {@code itemId}. */
  public static FieldType infer(String itemId, String field, Object value) {
    Object v = firstValue(itemId, field, value);
    if (v instanceof String) {
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
    if (v instanceof Boolean) {
      return FieldType.KEYWORD;
    }
    throw refusal(
        itemId,
        where(itemId)
            + "metadata field '"
            + field
            + "' has a value of unsupported type "
            + typeName(v)
            + dateHint(v),
        null);
  }

  private static Object firstValue(String itemId, String field, Object value) {
    if (value instanceof Collection<?> c) {
      if (c.isEmpty()) {
        throw refusal(
            itemId,
            where(itemId)
                + "metadata field '"
                + field
                + "' is an empty list; its type cannot be told",
            null);
      }
      return c.iterator().next();
    }
    return value;
  }

  /**
   * Every value of {@code value} (a single value or a list) in the form the index compares it:
   * String, Long (also dates, epoch ms) or Double. Throws an {@link UnprocessableException} (a
   * {@link BadArgumentException} for a filter value) with item, field and value when a value is
   * null, does not fit {@code type}, or is a keyword longer than {@link #MAX_TERM_BYTES}; after
   * this, an index cannot refuse the values.
   */
  public static List<Object> indexedValues(
      String itemId, String field, FieldType type, Object value) {
    List<Object> out = new ArrayList<>();
    for (Object v : value instanceof Collection<?> c ? new ArrayList<>(c) : List.of(value)) {
      if (v == null) {
        throw refusal(
            itemId,
            "item '" + itemId + "': metadata field '" + field + "' holds a null value",
            null);
      }
      Object indexed = toIndexed(itemId, field, type, v);
      if (type == FieldType.KEYWORD) {
        String s = (String) indexed;
        int bytes = termBytes(s);
        if (bytes > MAX_TERM_BYTES) {
          throw refusal(
              itemId,
              String.format(
                  Locale.ROOT,
                  "item '%s': metadata field '%s' value is %,d UTF-8 bytes; keyword values are"
                      + " limited to %,d (Lucene's term limit); the value starts with '%s'",
                  itemId,
                  field,
                  bytes,
                  MAX_TERM_BYTES,
                  quote(s)),
              null);
        }
      }
      out.add(indexed);
    }
    return out;
  }

  /**
   * Rejects a modality longer than {@link #MAX_TERM_BYTES}: the embedded backend indexes it as one
   * term (SolrCloud only stores it, but takes the same items).
   */
  public static void checkModality(String itemId, String modality) {
    int bytes = termBytes(modality);
    if (bytes > MAX_TERM_BYTES) {
      throw refusal(
          itemId,
          String.format(
              Locale.ROOT,
              "item '%s': modality is %,d UTF-8 bytes; it is indexed as one term, limited to %,d",
              itemId,
              bytes,
              MAX_TERM_BYTES),
          null);
    }
  }

  /**
   * Length of {@code s} as the term an index would hold, in UTF-8 bytes. An unpaired surrogate
   * counts three bytes: Lucene and SolrJ both encode it as U+FFFD.
   */
  public static int termBytes(String s) {
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

  /**
   * One value in the form the index holds: String, Long (also dates, epoch ms) or Double; {@code
   * itemId} null for a filter value (messages then start with "filter: ").
   */
  public static Object toIndexed(String itemId, String field, FieldType type, Object v) {
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
            throw refusal(
                itemId,
                where(itemId) + "metadata field '" + field + "' (double) is not finite: " + d,
                null);
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
    String conflict =
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
            + (type == FieldType.DATE ? dateHint(v) : "");
    throw refusal(itemId, conflict, null);
  }

  /**
   * The error for a value this class refuses. An item's value is part of a well-formed request that
   * this index cannot hold (unprocessable, 422); a filter value ({@code itemId} null) is a bad
   * query argument (400).
   */
  private static BadArgumentException refusal(String itemId, String message, Throwable cause) {
    return itemId == null
        ? new BadArgumentException(message, cause)
        : new UnprocessableException(message, cause);
  }

  /** Epoch milliseconds, which is what the index holds; about 292 million years either way. */
  private static long epochMilli(String itemId, String field, Instant i, Object given) {
    try {
      return i.toEpochMilli();
    } catch (ArithmeticException e) {
      throw refusal(
          itemId,
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

  public static long parseDate(String itemId, String field, String s) {
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
      throw refusal(
          itemId,
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
