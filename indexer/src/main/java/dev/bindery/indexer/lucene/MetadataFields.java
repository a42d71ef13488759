package dev.bindery.indexer.lucene;

import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/** Typed metadata: inference, checking, Lucene fields and the filter queries over them. */
final class MetadataFields {
  /** Longest value quoted whole in an error message; longer ones are cut. */
  private static final int QUOTE_CHARS = 64;

  private MetadataFields() {}

  /** The type a first value implies for an undeclared field of item {@code itemId}. */
  static FieldType infer(String itemId, String field, Object value) {
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
    throw new IllegalArgumentException(
        where(itemId)
            + "metadata field '"
            + field
            + "' has a value of unsupported type "
            + typeName(v)
            + dateHint(v));
  }

  private static Object firstValue(String itemId, String field, Object value) {
    if (value instanceof Collection<?> c) {
      if (c.isEmpty()) {
        throw new IllegalArgumentException(
            where(itemId)
                + "metadata field '"
                + field
                + "' is an empty list; its type cannot be told");
      }
      return c.iterator().next();
    }
    return value;
  }

  /**
   * Checks every value of {@code value} against {@code type}, and keyword values against Lucene's
   * term length limit; throws with item, field and value. After this, {@link #addTo} cannot fail.
   */
  static void check(String itemId, String field, FieldType type, Object value) {
    for (Object v : values(value)) {
      if (v == null) {
        throw new IllegalArgumentException(
            "item '" + itemId + "': metadata field '" + field + "' holds a null value");
      }
      Object indexed = toIndexed(itemId, field, type, v);
      if (type == FieldType.KEYWORD) {
        String s = (String) indexed;
        int bytes = DocFields.termBytes(s);
        if (bytes > DocFields.MAX_TERM_BYTES) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "item '%s': metadata field '%s' value is %,d UTF-8 bytes; keyword values are"
                      + " limited to %,d (Lucene's term limit); the value starts with '%s'",
                  itemId,
                  field,
                  bytes,
                  DocFields.MAX_TERM_BYTES,
                  quote(s)));
        }
      }
    }
  }

  private static List<?> values(Object value) {
    return value instanceof Collection<?> c ? List.copyOf(c) : List.of(value);
  }

  /** Adds the filterable fields of one metadata field to a parent document. */
  static void addTo(Document doc, String itemId, String field, FieldType type, Object value) {
    String name = DocFields.meta(field);
    for (Object v : values(value)) {
      Object indexed = toIndexed(itemId, field, type, v);
      switch (type) {
        case KEYWORD -> {
          String s = (String) indexed;
          doc.add(new StringField(name, s, Field.Store.NO));
          doc.add(new SortedSetDocValuesField(name, new BytesRef(s)));
        }
        case LONG, DATE -> {
          long l = (Long) indexed;
          doc.add(new LongPoint(name, l));
          doc.add(new SortedNumericDocValuesField(name, l));
        }
        case DOUBLE -> {
          double d = (Double) indexed;
          doc.add(new DoublePoint(name, d));
          doc.add(new SortedNumericDocValuesField(name, NumericUtils.doubleToSortableLong(d)));
        }
      }
    }
  }

  /** The value in the form the index holds: String, Long (also dates, epoch ms) or Double. */
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

  /** Epoch milliseconds, which is what the index holds; about 292 million years either way. */
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

  /** Query for {@code field == value}. */
  static Query termQuery(Filter.Term t, FieldType type) {
    String name = DocFields.meta(t.field());
    Object v = toIndexed(null, t.field(), type, t.value());
    return switch (type) {
      case KEYWORD -> new TermQuery(new Term(name, (String) v));
      case LONG, DATE -> LongPoint.newExactQuery(name, (Long) v);
      case DOUBLE -> DoublePoint.newExactQuery(name, (Double) v);
    };
  }

  /** Query for {@code from <= field <= to}; a null bound is open. */
  static Query rangeQuery(Filter.Range r, FieldType type) {
    String name = DocFields.meta(r.field());
    return switch (type) {
      case KEYWORD ->
          TermRangeQuery.newStringRange(
              name, (String) bound(r, type, r.from()), (String) bound(r, type, r.to()), true, true);
      case LONG, DATE -> {
        Long from = (Long) bound(r, type, r.from());
        Long to = (Long) bound(r, type, r.to());
        yield LongPoint.newRangeQuery(
            name, from == null ? Long.MIN_VALUE : from, to == null ? Long.MAX_VALUE : to);
      }
      case DOUBLE -> {
        Double from = (Double) bound(r, type, r.from());
        Double to = (Double) bound(r, type, r.to());
        yield DoublePoint.newRangeQuery(
            name,
            from == null ? Double.NEGATIVE_INFINITY : from,
            to == null ? Double.POSITIVE_INFINITY : to);
      }
    };
  }

  private static Object bound(Filter.Range r, FieldType type, Object b) {
    return b == null ? null : toIndexed(null, r.field(), type, b);
  }
}
