package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the embedded backend, checked against naive reference computations. */
class LuceneBackendTest {
  static final int DIM = 16;
  @TempDir Path data;

  static float[] random(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static CollectionConfig config(String name) {
    return new CollectionConfig(
        name,
        Map.of("e", SpaceConfig.of("e", DIM, Similarity.COSINE)),
        Map.of("taken", FieldType.DATE, "price", FieldType.DOUBLE));
  }

  /** What the test knows about each item, for the naive filter evaluation. */
  record Known(
      String id, float[] vector, String colour, long year, double price, List<String> tags) {}

  private static List<Known> populate(LuceneBackend b, String coll, int n, long seed) {
    Random r = new Random(seed);
    String[] colours = {"red", "green", "blue", "black"};
    List<Known> known = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Known k =
          new Known(
              "item-" + i,
              random(r),
              colours[r.nextInt(colours.length)],
              1990 + r.nextInt(35),
              Math.round(r.nextDouble() * 10000) / 100.0,
              List.of("t" + r.nextInt(5), "t" + (5 + r.nextInt(5))));
      known.add(k);
      items.add(
          Item.builder(k.id(), "image")
              .source("/photos/" + k.id() + ".jpg")
              .vector("e", k.vector())
              .meta("colour", k.colour())
              .meta("year", k.year())
              .meta("price", k.price())
              .meta("tags", k.tags())
              .meta("taken", k.year() + "-06-01")
              .text("caption", "a " + k.colour() + " thing from " + k.year())
              .build());
    }
    b.upsert(coll, items);
    b.commit(coll);
    return known;
  }

  private static Set<String> knnIds(LuceneBackend b, Filter f, float[] q, int k, SearchMode mode) {
    SearchResult r = b.knn("c", KnnQuery.of("e", q, k).withFilter(f).withMode(mode));
    return r.hits().stream().map(Hit::id).collect(Collectors.toSet());
  }

  @Test
  void metadataFiltersMatchNaiveEvaluation() throws Exception {
    long seed = 42;
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      List<Known> known = populate(b, "c", 600, seed);
      Map<Filter, Predicate<Known>> cases = new java.util.LinkedHashMap<>();
      cases.put(Filter.term("colour", "red"), k -> k.colour().equals("red"));
      cases.put(Filter.range("year", 2000L, 2009L), k -> k.year() >= 2000 && k.year() <= 2009);
      cases.put(Filter.range("year", null, 1995L), k -> k.year() <= 1995);
      cases.put(Filter.range("price", 10.0, 20.5), k -> k.price() >= 10 && k.price() <= 20.5);
      cases.put(Filter.term("tags", "t3"), k -> k.tags().contains("t3"));
      cases.put(
          Filter.range("taken", "2010-01-01", "2012-12-31T23:59:59Z"),
          k -> k.year() >= 2010 && k.year() <= 2012);
      cases.put(
          Filter.term("colour", "blue").or(Filter.term("colour", "green")),
          k -> k.colour().equals("blue") || k.colour().equals("green"));
      cases.put(
          Filter.term("colour", "blue").and(Filter.range("year", 2015L, null)),
          k -> k.colour().equals("blue") && k.year() >= 2015);
      cases.put(
          Filter.term("tags", "t1").andNot(Filter.term("colour", "black")),
          k -> k.tags().contains("t1") && !k.colour().equals("black"));
      Random r = new Random(seed + 1);
      for (var e : cases.entrySet()) {
        float[] q = random(r);
        List<Known> allowed = known.stream().filter(e.getValue()).toList();
        Set<String> expected =
            allowed.stream()
                .sorted(
                    java.util.Comparator.comparingDouble(
                        (Known k) -> -BruteForce.cosine(k.vector(), q)))
                .limit(10)
                .map(Known::id)
                .collect(Collectors.toSet());
        assertEquals(
            expected, knnIds(b, e.getKey(), q, 10, SearchMode.EXACT), "exact, " + e.getKey());
        // 600 items: HNSW with a filter must find the same (small graph, ef 100).
        assertEquals(
            expected, knnIds(b, e.getKey(), q, 10, SearchMode.AUTO), "hnsw, " + e.getKey());
      }
    }
  }

  @Test
  void filterSetsCombineLikeSets() throws Exception {
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      List<Known> known = populate(b, "c", 300, 7);
      Random r = new Random(8);
      Map<String, Set<String>> sets = new java.util.HashMap<>();
      for (String name : List.of("tenant-a", "tenant-b", "acl")) {
        Set<String> ids = new HashSet<>();
        known.forEach(
            k -> {
              if (r.nextInt(3) == 0) {
                ids.add(k.id());
              }
            });
        sets.put(name, ids);
        b.putFilterSet("c", name, ids);
      }
      Map<Filter, Set<String>> cases = new java.util.LinkedHashMap<>();
      cases.put(Filter.set("acl"), sets.get("acl"));
      cases.put(
          Filter.set("tenant-a").and(Filter.set("acl")),
          intersect(sets.get("tenant-a"), sets.get("acl")));
      cases.put(
          Filter.set("tenant-a").or(Filter.set("tenant-b")),
          union(sets.get("tenant-a"), sets.get("tenant-b")));
      cases.put(
          Filter.set("tenant-a").andNot(Filter.set("acl")),
          minus(sets.get("tenant-a"), sets.get("acl")));
      Set<String> red =
          known.stream()
              .filter(k -> k.colour().equals("red"))
              .map(Known::id)
              .collect(Collectors.toSet());
      cases.put(
          Filter.set("tenant-b").and(Filter.term("colour", "red")),
          intersect(sets.get("tenant-b"), red));
      for (var e : cases.entrySet()) {
        // k larger than any set: the hits are exactly the members of the set
        SearchResult hnsw = b.knn("c", KnnQuery.of("e", random(r), 300).withFilter(e.getKey()));
        assertEquals(e.getValue(), ids(hnsw), e.getKey().toString());
        // and the same filter twice (cached bit sets) gives the same answer
        assertEquals(
            e.getValue(), ids(b.knn("c", KnnQuery.of("e", random(r), 300).withFilter(e.getKey()))));
      }
      // Filter sets are durable with the commit and survive a reopen.
      b.commit("c");
    }
    try (LuceneBackend b = new LuceneBackend(data)) {
      assertEquals(Set.of("tenant-a", "tenant-b", "acl"), b.describe("c").filterSets());
      assertTrue(b.deleteFilterSet("c", "acl"));
      assertFalse(b.deleteFilterSet("c", "acl"));
    }
  }

  private static Set<String> ids(SearchResult r) {
    return r.hits().stream().map(Hit::id).collect(Collectors.toSet());
  }

  private static Set<String> intersect(Set<String> a, Set<String> b) {
    Set<String> s = new HashSet<>(a);
    s.retainAll(b);
    return s;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> s = new HashSet<>(a);
    s.addAll(b);
    return s;
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> s = new HashSet<>(a);
    s.removeAll(b);
    return s;
  }

  @Test
  void groupByParentReturnsTheBestSegmentWithItsOffsets() throws Exception {
    Random r = new Random(11);
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      Map<String, List<float[]>> segs = new java.util.HashMap<>();
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Item.Builder ib = Item.builder("video-" + i, "video").meta("colour", "red");
        List<float[]> vs = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
          float[] v = random(r);
          vs.add(v);
          ib.segment(new Segment(s * 2.0, s * 2.0 + 2.0, "line " + s, Map.of("e", v)));
        }
        segs.put("video-" + i, vs);
        items.add(ib.build());
      }
      // Items with an item-level vector only, and one with both.
      for (int i = 0; i < 20; i++) {
        items.add(Item.builder("photo-" + i, "image").vector("e", random(r)).build());
      }
      b.upsert("c", items);
      b.commit("c");
      assertEquals(60, b.describe("c").count());
      assertEquals(40 * 6 + 20, b.describe("c").vectorCount());

      for (int t = 0; t < 10; t++) {
        float[] q = random(r);
        for (SearchMode mode : SearchMode.values()) {
          SearchResult grouped = b.knn("c", KnnQuery.of("e", q, 5).withMode(mode));
          Set<String> seen = new HashSet<>();
          for (Hit h : grouped.hits()) {
            assertTrue(seen.add(h.id()), "one hit per item when grouped: " + grouped.hits());
            if (h.id().startsWith("video")) {
              // naive: the best segment of this video
              List<float[]> vs = segs.get(h.id());
              int best =
                  IntStream.range(0, vs.size())
                      .boxed()
                      .max(
                          java.util.Comparator.comparingDouble(
                              s -> BruteForce.cosine(vs.get(s), q)))
                      .orElseThrow();
              assertNotNull(h.segment(), h.toString());
              assertEquals(best, h.segment().index(), mode + " " + h);
              assertEquals(best * 2.0, h.segment().start());
              assertEquals(best * 2.0 + 2.0, h.segment().end());
              assertEquals(BruteForce.cosine(vs.get(best), q), h.score(), 1e-4);
            } else {
              assertNull(h.segment());
            }
          }
        }
        // Not grouped: every vector document competes, so one video can fill several slots.
        SearchResult perVector =
            b.knn("c", KnnQuery.of("e", q, 50).withGroupByParent(false).withMode(SearchMode.EXACT));
        long distinct = perVector.hits().stream().map(Hit::id).distinct().count();
        assertTrue(distinct < perVector.hits().size(), "expected repeated items: " + distinct);
      }
      // Segment text is searchable through its item.
      SearchResult text = b.text("c", TextQuery.of("line", 100));
      assertEquals(40, text.hits().size());
    }
  }

  @Test
  void upsertReplacesWholeItemsAndGetRoundTrips() throws Exception {
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      float[] v = {3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
      Item first =
          Item.builder("a", "video")
              .source("/v/a.mp4")
              .vector("e", v)
              .segment(new Segment(0, 1.5, "hello", Map.of("e", v)))
              .segment(new Segment(1.5, 3, null, Map.of("e", v)))
              .meta("colour", "red")
              .meta("year", 2024L)
              .text("caption", "first version")
              .build();
      b.upsert("c", List.of(first));
      // Near-real-time: not visible before refresh.
      assertTrue(b.get("c", "a").isEmpty());
      assertEquals(0, b.knn("c", KnnQuery.of("e", v, 3)).hits().size());
      b.refresh("c");
      Item got = b.get("c", "a").orElseThrow();
      assertEquals("video", got.modality());
      assertEquals("/v/a.mp4", got.source());
      assertEquals(Map.of("caption", "first version"), got.text());
      assertEquals("red", got.metadata().get("colour"));
      assertEquals(2024L, got.metadata().get("year"));
      // cosine vectors come back normalized
      assertArrayEquals(
          new float[] {0.6f, 0.8f}, java.util.Arrays.copyOf(got.vectors().get("e"), 2), 1e-6f);
      assertEquals(2, got.segments().size());
      assertEquals("hello", got.segments().get(0).text());
      assertEquals(1.5, got.segments().get(1).start());

      Item second = Item.builder("a", "image").vector("e", v).meta("colour", "blue").build();
      b.upsert("c", List.of(second));
      b.refresh("c");
      Item replaced = b.get("c", "a").orElseThrow();
      assertEquals("image", replaced.modality());
      assertEquals(0, replaced.segments().size(), "old segments must go with the old version");
      assertEquals(1, b.describe("c").count());
      assertEquals(1, b.describe("c").vectorCount());
      assertTrue(b.text("c", TextQuery.of("first version", 5)).hits().isEmpty());

      assertEquals(1, b.delete("c", List.of("a", "never-there")));
      b.refresh("c");
      assertTrue(b.get("c", "a").isEmpty());
      assertEquals(0, b.describe("c").count());
      assertEquals(0, b.describe("c").vectorCount());
    }
  }

  @Test
  void textSearchRanksWithBm25AndHonoursFilters() throws Exception {
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      populate(b, "c", 200, 3);
      SearchResult r = b.text("c", new TextQuery("red", List.of("caption"), 500, null));
      assertEquals(SearchResult.Strategy.BM25, r.strategy());
      assertFalse(r.hits().isEmpty());
      r.hits().forEach(h -> assertEquals("red", h.metadata().get("colour"), h.toString()));
      SearchResult filtered =
          b.text("c", new TextQuery("red", List.of(), 500, Filter.range("year", 2020L, null)));
      filtered.hits().forEach(h -> assertTrue((Long) h.metadata().get("year") >= 2020));
      for (int i = 1; i < r.hits().size(); i++) {
        assertTrue(Hit.RANKING.compare(r.hits().get(i - 1), r.hits().get(i)) < 0);
      }
    }
  }

  @Test
  void collectionsAndInferredFieldsPersistAcrossReopen() throws Exception {
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      b.createCollection(CollectionConfig.of("other", SpaceConfig.of("x", 3, Similarity.L2)));
      populate(b, "c", 10, 1);
      assertEquals(List.of("c", "other"), b.listCollections());
    }
    try (LuceneBackend b = new LuceneBackend(data)) {
      assertEquals(List.of("c", "other"), b.listCollections());
      var info = b.describe("c");
      assertEquals(10, info.count());
      assertEquals(FieldType.KEYWORD, info.config().fields().get("colour"));
      assertEquals(FieldType.LONG, info.config().fields().get("year"));
      assertEquals(FieldType.DATE, info.config().fields().get("taken"));
      assertTrue(b.dropCollection("other"));
      assertFalse(b.dropCollection("other"));
      assertEquals(List.of("c"), b.listCollections());
      // L2 scores are 1 / (1 + squared distance)
      b.createCollection(CollectionConfig.of("l2", SpaceConfig.of("x", 3, Similarity.L2)));
      b.upsert(
          "l2", List.of(Item.builder("p", "point").vector("x", new float[] {1, 2, 2}).build()));
      b.refresh("l2");
      Hit h = b.knn("l2", KnnQuery.of("x", new float[] {0, 0, 0}, 1)).hits().get(0);
      assertEquals(1f / (1 + 9), h.score(), 1e-6);
    }
  }

  @Test
  void resultsSayWhatHappened() throws Exception {
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      populate(b, "c", 500, 5);
      float[] q = random(new Random(6));
      SearchResult hnsw = b.knn("c", KnnQuery.of("e", q, 10));
      assertEquals(SearchResult.Strategy.HNSW, hnsw.strategy());
      assertTrue(hnsw.visited() > 0 && hnsw.visited() < 500 * 2, "visited " + hnsw.visited());
      SearchResult exact = b.knn("c", KnnQuery.of("e", q, 10).withMode(SearchMode.EXACT));
      assertEquals(SearchResult.Strategy.EXACT, exact.strategy());
      assertEquals(500, exact.visited());
      // A filter matching a handful of items makes Lucene score them exactly.
      SearchResult selective =
          b.knn("c", KnnQuery.of("e", q, 10).withFilter(Filter.range("year", 1990L, 1990L)));
      assertEquals(SearchResult.Strategy.EXACT, selective.strategy(), selective.toString());
      assertEquals(selective.segments(), selective.exactSegments());
    }
  }
}
