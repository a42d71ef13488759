package dev.bindery.fusion.query;

import dev.bindery.indexer.FieldType;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Counts of one metadata field over a set of items: per value for a keyword field (most frequent
 * first, then by value; the rest summed in {@code otherCount}), per range bucket for a long, double
 * or date field ({@value #BUCKETS} equal-width buckets from the smallest to the largest value
 * present, each {@code [from, to)}, the last {@code [from, to]}; empty buckets are kept so the
 * ranges tile the span). An item with several values counts once per distinct value.
 *
 * @param field the metadata field
 * @param type its type
 * @param values keyword counts, best first (empty for other types)
 * @param ranges bucket counts in ascending order (empty for keywords)
 * @param otherCount for keywords, the items counted for values beyond those listed
 */
public record Facet(
    String field,
    FieldType type,
    List<ValueCount> values,
    List<RangeCount> ranges,
    long otherCount) {

  /** Buckets of a numeric or date facet (fewer when a long span is shorter). */
  public static final int BUCKETS = 10;

  /** Keyword values listed by default. */
  public static final int DEFAULT_VALUES = 10;

  /** Most keyword values a facet may list. */
  public static final int MAX_VALUES = 1000;

  public Facet {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
    values = List.copyOf(values);
    ranges = List.copyOf(ranges);
  }

  /** One keyword value and the number of items holding it. */
  public record ValueCount(String value, long count) {}

  /**
   * One bucket: {@code from <= value < to}, or {@code <= to} for the last; bounds are Long, Double,
   * or ISO-8601 text for dates.
   */
  public record RangeCount(Object from, Object to, long count) {}

  /**
   * Builds a facet from value counts in indexed form (String, Long, Double).
   *
   * @param maxValues keyword values to list, 1..{@value #MAX_VALUES}
   */
  public static Facet of(String field, FieldType type, Map<Object, Long> counts, int maxValues) {
    if (maxValues < 1 || maxValues > MAX_VALUES) {
      throw new IllegalArgumentException(
          "facet size must be in 1.." + MAX_VALUES + ", got " + maxValues);
    }
    return switch (type) {
      case KEYWORD -> keywords(field, counts, maxValues);
      case LONG, DATE -> longs(field, type, counts);
      case DOUBLE -> doubles(field, counts);
    };
  }

  private static Facet keywords(String field, Map<Object, Long> counts, int maxValues) {
    List<ValueCount> all = new ArrayList<>();
    counts.forEach((v, c) -> all.add(new ValueCount((String) v, c)));
    all.sort(
        Comparator.comparingLong((ValueCount v) -> -v.count()).thenComparing(ValueCount::value));
    long other = 0;
    for (ValueCount v : all.subList(Math.min(maxValues, all.size()), all.size())) {
      other += v.count();
    }
    return new Facet(
        field,
        FieldType.KEYWORD,
        all.subList(0, Math.min(maxValues, all.size())),
        List.of(),
        other);
  }

  private static Facet longs(String field, FieldType type, Map<Object, Long> counts) {
    if (counts.isEmpty()) {
      return new Facet(field, type, List.of(), List.of(), 0);
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Object v : counts.keySet()) {
      min = Math.min(min, (Long) v);
      max = Math.max(max, (Long) v);
    }
    // Exact integer widths (BigInteger: a span of dates may not fit a long): ceil(span / BUCKETS).
    BigInteger lo = BigInteger.valueOf(min);
    BigInteger span = BigInteger.valueOf(max).subtract(lo).add(BigInteger.ONE);
    BigInteger buckets = BigInteger.valueOf(BUCKETS);
    BigInteger width = span.add(buckets).subtract(BigInteger.ONE).divide(buckets);
    int n = span.add(width).subtract(BigInteger.ONE).divide(width).intValueExact();
    long[] c = new long[n];
    for (Map.Entry<Object, Long> e : counts.entrySet()) {
      int i = BigInteger.valueOf((Long) e.getKey()).subtract(lo).divide(width).intValueExact();
      c[i] += e.getValue();
    }
    List<RangeCount> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BigInteger from = lo.add(width.multiply(BigInteger.valueOf(i)));
      // The last bucket ends at the largest value, inclusive; the others at the next start.
      BigInteger to = i == n - 1 ? BigInteger.valueOf(max) : from.add(width);
      out.add(new RangeCount(bound(type, from), bound(type, to), c[i]));
    }
    return new Facet(field, type, List.of(), out, 0);
  }

  private static Object bound(FieldType type, BigInteger v) {
    // A bound past the long range (only the last bucket's end could be) is clamped.
    long l =
        v.bitLength() < 64 ? v.longValueExact() : v.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    return type == FieldType.DATE ? Instant.ofEpochMilli(l).toString() : (Object) l;
  }

  private static Facet doubles(String field, Map<Object, Long> counts) {
    if (counts.isEmpty()) {
      return new Facet(field, FieldType.DOUBLE, List.of(), List.of(), 0);
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Object v : counts.keySet()) {
      min = Math.min(min, (Double) v);
      max = Math.max(max, (Double) v);
    }
    if (min == max) {
      long total = counts.values().stream().mapToLong(Long::longValue).sum();
      return new Facet(
          field, FieldType.DOUBLE, List.of(), List.of(new RangeCount(min, max, total)), 0);
    }
    double width = (max - min) / BUCKETS;
    double[] from = new double[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      from[i] = min + i * width;
    }
    long[] c = new long[BUCKETS];
    for (Map.Entry<Object, Long> e : counts.entrySet()) {
      double v = (Double) e.getKey();
      int i = (int) Math.min(BUCKETS - 1, Math.floor((v - min) / width));
      // Rounding may put a value next to its bucket: the reported bounds decide.
      while (i > 0 && v < from[i]) {
        i--;
      }
      while (i < BUCKETS - 1 && v >= from[i + 1]) {
        i++;
      }
      c[i] += e.getValue();
    }
    List<RangeCount> out = new ArrayList<>(BUCKETS);
    for (int i = 0; i < BUCKETS; i++) {
      out.add(new RangeCount(from[i], i == BUCKETS - 1 ? max : from[i + 1], c[i]));
    }
    return new Facet(field, FieldType.DOUBLE, List.of(), out, 0);
  }
}
