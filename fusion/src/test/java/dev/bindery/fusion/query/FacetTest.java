package dev.bindery.fusion.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.FieldType;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Facet buckets against a naive count: every value falls in exactly one reported bucket, by the
 * reported bounds, and each bucket's count is the number of items whose values fall in it.
 */
class FacetTest {

  @Test
  void rangeBucketsTileTheSpanAndCountLikeTheNaiveReference() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int t = 0; t < 2000; t++) {
      String what = "seed=" + seed + " case=" + t;
      FieldType type = List.of(FieldType.LONG, FieldType.DOUBLE, FieldType.DATE).get(t % 3);
      Map<Object, Long> counts = new HashMap<>();
      int distinct = 1 + r.nextInt(40);
      long base = r.nextInt(3) == 0 ? Long.MIN_VALUE / 2 + r.nextInt(1000) : r.nextInt(1000) - 500;
      long spread = r.nextInt(4) == 0 ? Long.MAX_VALUE / 3 : 1 + r.nextInt(200);
      for (int i = 0; i < distinct; i++) {
        long count = 1 + r.nextInt(5);
        Object v =
            type == FieldType.DOUBLE
                ? (Object) (r.nextGaussian() * (r.nextBoolean() ? 1e-3 : 1e6))
                : (Object) (base + Math.floorMod(r.nextLong(), spread));
        counts.merge(v, count, Long::sum);
      }
      Facet f = Facet.of("f", type, counts, 10);
      List<Facet.RangeCount> ranges = f.ranges();
      assertTrue(!ranges.isEmpty() && ranges.size() <= Facet.BUCKETS, what + " " + ranges);
      long total = counts.values().stream().mapToLong(Long::longValue).sum();
      assertEquals(total, ranges.stream().mapToLong(Facet.RangeCount::count).sum(), what);
      long[] naive = new long[ranges.size()];
      for (Map.Entry<Object, Long> e : counts.entrySet()) {
        int found = -1;
        for (int i = 0; i < ranges.size(); i++) {
          boolean last = i == ranges.size() - 1;
          if (in(type, e.getKey(), ranges.get(i), last)) {
            assertEquals(-1, found, what + ": " + e.getKey() + " in two buckets " + ranges);
            found = i;
          }
        }
        assertTrue(found >= 0, what + ": " + e.getKey() + " in no bucket " + ranges);
        naive[found] += e.getValue();
      }
      for (int i = 0; i < ranges.size(); i++) {
        assertEquals(naive[i], ranges.get(i).count(), what + " bucket " + i + " " + ranges);
      }
      for (int i = 1; i < ranges.size(); i++) {
        assertEquals(ranges.get(i - 1).to(), ranges.get(i).from(), what + " buckets touch");
      }
    }
  }

  private static boolean in(FieldType type, Object v, Facet.RangeCount b, boolean last) {
    if (type == FieldType.DOUBLE) {
      double x = (Double) v;
      double from = (Double) b.from();
      double to = (Double) b.to();
      return x >= from && (last ? x <= to : x < to);
    }
    long x = (Long) v;
    long from = asLong(type, b.from());
    long to = asLong(type, b.to());
    return x >= from && (last ? x <= to : x < to);
  }

  private static long asLong(FieldType type, Object bound) {
    return type == FieldType.DATE ? Instant.parse((String) bound).toEpochMilli() : (Long) bound;
  }

  @Test
  void keywordValuesAreMostFrequentFirstThenByValue() {
    Map<Object, Long> counts = Map.of("b", 3L, "a", 3L, "c", 5L, "d", 1L, "e", 1L);
    Facet f = Facet.of("tag", FieldType.KEYWORD, counts, 3);
    assertEquals(
        List.of(
            new Facet.ValueCount("c", 5),
            new Facet.ValueCount("a", 3),
            new Facet.ValueCount("b", 3)),
        f.values());
    assertEquals(2, f.otherCount());
    assertTrue(Facet.of("tag", FieldType.LONG, Map.of(), 3).ranges().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> Facet.of("t", FieldType.KEYWORD, counts, 0));
    assertThrows(IllegalArgumentException.class, () -> new FacetRequest(List.of("a", "a"), 0, 0));
  }
}
