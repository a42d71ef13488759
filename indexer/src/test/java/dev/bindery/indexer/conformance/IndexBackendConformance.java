package dev.bindery.indexer.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.SyntheticVectors;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.UnprocessableException;
import dev.bindery.indexer.VectorStorage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link IndexBackend} must show, checked against naive reference computations
 * ({@link Reference}). The embedded Lucene backend and the SolrCloud backend both extend this
 * class, so passing it means they give the same results within the same tolerances on the same
 * data. It only uses the contract: no backend's classes, no Lucene.
 *
 * <p>Each test creates its own collections under unique names and drops them afterwards, so a
 * backend may share one cluster between tests.
 */
public abstract class IndexBackendConformance {
  private static final AtomicInteger NAMES = new AtomicInteger();
  static final int DIM = 16;

  /** The backend under test, opened before each test and closed after it. */
  protected IndexBackend backend;

  private final List<String> created = new ArrayList<>();

  /** Opens the backend under test (an empty data directory, or a client of a running cluster). */
  protected abstract IndexBackend openBackend() throws Exception;

  @BeforeEach
  final void openTheBackend() throws Exception {
    backend = openBackend();
  }

  @AfterEach
  final void closeTheBackend() throws Exception {
    try {
      for (String c : created) {
        backend.dropCollection(c);
      }
    } finally {
      backend.close();
    }
  }

  /** Creates a collection called {@code base-N} (unique in this JVM) and returns its name. */
  protected final String create(
      String base, Map<String, SpaceConfig> spaces, Map<String, FieldType> fields) {
    String name = base + "-" + NAMES.incrementAndGet();
    backend.createCollection(new CollectionConfig(name, spaces, fields));
    created.add(name);
    return name;
  }

  private String createDefault(String base) {
    return create(
        base,
        Map.of("e", SpaceConfig.of("e", DIM, Similarity.COSINE)),
        Map.of("taken", FieldType.DATE, "price", FieldType.DOUBLE));
  }

  static float[] random(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static List<String> ids(SearchResult r) {
    return r.hits().stream().map(Hit::id).toList();
  }

  static Set<String> idSet(SearchResult r) {
    return r.hits().stream().map(Hit::id).collect(Collectors.toSet());
  }

  private static void assertRanked(SearchResult r) {
    for (int i = 1; i < r.hits().size(); i++) {
      assertTrue(
          Hit.RANKING.compare(r.hits().get(i - 1), r.hits().get(i)) <= 0,
          "hits not in ranking order (score desc, id asc): " + r.hits());
    }
  }

  // ---------------------------------------------------------------- recall

  @Test
  void recallAt10MatchesBruteForce() {
    long seed = 20261127L;
    int n = 5000;
    int dim = 64;
    SyntheticVectors sv = SyntheticVectors.clustered(n, dim, 50, seed);
    float[][] base = sv.vectors();
    float[][] queries = sv.queries(100, seed + 1);
    String c =
        create(
            "recall",
            Map.of("e", SpaceConfig.of("e", dim, Similarity.COSINE)),
            Map.of("bucket", FieldType.LONG));
    List<Item> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // bucket 0..99: bucket == 7 is a 1% filter, bucket < 10 a 10% filter
      batch.add(
          Item.builder(Integer.toString(i), "vector")
              .vector("e", base[i])
              .meta("bucket", (i * 7919L) % 100)
              .build());
      if (batch.size() == 500) {
        assertEquals(500, backend.upsert(c, batch));
        batch.clear();
      }
    }
    backend.commit(c);
    assertEquals(n, backend.describe(c).count());

    double unfiltered = recall(c, base, queries, null, i -> true);
    double filtered10 =
        recall(c, base, queries, Filter.range("bucket", 0L, 9L), i -> (i * 7919L) % 100 < 10);
    double filtered1 =
        recall(c, base, queries, Filter.term("bucket", 7L), i -> (i * 7919L) % 100 == 7);
    String report =
        getClass().getSimpleName()
            + " seed="
            + seed
            + " recall@10 unfiltered="
            + unfiltered
            + " 10%="
            + filtered10
            + " 1%="
            + filtered1;
    System.out.println(report);
    assertTrue(unfiltered >= 0.95, report);
    assertTrue(filtered10 >= 0.95, report);
    assertTrue(filtered1 >= 0.95, report);

    // Exact mode is the brute force itself: the same ids, the same scores.
    for (int q = 0; q < 20; q++) {
      SearchResult r = backend.knn(c, KnnQuery.of("e", queries[q], 10).withMode(SearchMode.EXACT));
      assertEquals(SearchResult.Strategy.EXACT, r.strategy());
      List<Integer> truth = Reference.topK(Similarity.COSINE, base, queries[q], 10, i -> true);
      assertEquals(truth.stream().map(String::valueOf).toList(), ids(r), "exact query " + q);
      for (int h = 0; h < 10; h++) {
        assertEquals(
            Reference.score(Similarity.COSINE, base[truth.get(h)], queries[q]),
            r.hits().get(h).score(),
            1e-4,
            "exact score, query " + q + " rank " + h);
      }
    }
  }

  private double recall(
      String c, float[][] base, float[][] queries, Filter filter, IntPredicate ok) {
    double sum = 0;
    for (float[] q : queries) {
      SearchResult r = backend.knn(c, KnnQuery.of("e", q, 10).withFilter(filter));
      assertRanked(r);
      assertEquals(10, r.hits().size(), "k hits when enough items pass " + filter);
      for (String id : ids(r)) {
        assertTrue(ok.test(Integer.parseInt(id)), "hit " + id + " does not pass " + filter);
      }
      sum += Reference.recall(ids(r), Reference.topK(Similarity.COSINE, base, q, 10, ok));
    }
    return sum / queries.length;
  }

  // ---------------------------------------------------------------- scores and ties

  @Test
  void everySimilarityScoresAsTheContractSays() {
    Random r = new Random(3);
    String c =
        create(
            "sims",
            Map.of(
                "cos", SpaceConfig.of("cos", 8, Similarity.COSINE),
                "dot", SpaceConfig.of("dot", 8, Similarity.DOT_PRODUCT),
                "l2", SpaceConfig.of("l2", 8, Similarity.L2)),
            Map.of());
    int n = 60;
    Map<String, float[][]> vectors = new HashMap<>();
    for (String s : List.of("cos", "dot", "l2")) {
      vectors.put(s, new float[n][]);
    }
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Item.Builder b = Item.builder(Integer.toString(i), "point");
      for (String s : List.of("cos", "dot", "l2")) {
        float[] v = random(r, 8);
        if (!s.equals("l2")) {
          v = unit(v);
        }
        vectors.get(s)[i] = v;
        b.vector(s, v);
      }
      items.add(b.build());
    }
    backend.upsert(c, items);
    backend.refresh(c);
    Map<String, Similarity> sims =
        Map.of("cos", Similarity.COSINE, "dot", Similarity.DOT_PRODUCT, "l2", Similarity.L2);
    for (int t = 0; t < 5; t++) {
      for (var e : sims.entrySet()) {
        float[] q = random(r, 8);
        if (e.getValue() != Similarity.L2) {
          q = unit(q);
        }
        List<Integer> truth =
            Reference.topK(e.getValue(), vectors.get(e.getKey()), q, 5, i -> true);
        for (SearchMode mode : SearchMode.values()) {
          SearchResult res = backend.knn(c, KnnQuery.of(e.getKey(), q, 5).withMode(mode));
          assertEquals(
              truth.stream().map(String::valueOf).toList(), ids(res), e.getKey() + " " + mode);
          for (int h = 0; h < 5; h++) {
            assertEquals(
                Reference.score(e.getValue(), vectors.get(e.getKey())[truth.get(h)], q),
                res.hits().get(h).score(),
                1e-4,
                e.getKey() + " " + mode + " rank " + h);
          }
        }
      }
    }
  }

  static float[] unit(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(s));
    }
    return out;
  }

  @Test
  void equalScoresAreRankedById() {
    String c = createDefault("ties");
    float[] v = unit(random(new Random(5), DIM));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      names.add(String.format("t-%02d", i));
    }
    List<String> shuffled = new ArrayList<>(names);
    Collections.shuffle(shuffled, new Random(6));
    List<Item> items = new ArrayList<>();
    for (String id : shuffled) {
      items.add(Item.builder(id, "image").vector("e", v).text("caption", "same words").build());
    }
    backend.upsert(c, items);
    backend.refresh(c);
    for (SearchMode mode : SearchMode.values()) {
      SearchResult r = backend.knn(c, KnnQuery.of("e", v, 10).withMode(mode));
      assertEquals(names.subList(0, 10), ids(r), mode + ": equal scores must rank by id");
    }
    SearchResult all = backend.text(c, TextQuery.of("same", 30));
    assertEquals(names, ids(all), "equal BM25 scores must rank by id");
    // The cut falls inside the tie (items were written in shuffled order): still by id.
    SearchResult top = backend.text(c, TextQuery.of("same", 10));
    assertEquals(names.subList(0, 10), ids(top), "equal BM25 scores at the cut must rank by id");
  }

  // ---------------------------------------------------------------- filters

  /** What the test knows about each item, for the naive filter evaluation. */
  record Known(
      String id, float[] vector, String colour, long year, double price, List<String> tags) {}

  private List<Known> populate(String c, int n, long seed) {
    Random r = new Random(seed);
    String[] colours = {"red", "green", "blue", "black"};
    List<Known> known = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Known k =
          new Known(
              "item-" + i,
              random(r, DIM),
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
    backend.upsert(c, items);
    backend.commit(c);
    return known;
  }

  @Test
  void metadataFiltersMatchNaiveEvaluation() {
    long seed = 42;
    String c = createDefault("filters");
    List<Known> known = populate(c, 600, seed);
    Map<Filter, Predicate<Known>> cases = new LinkedHashMap<>();
    cases.put(Filter.term("colour", "red"), k -> k.colour().equals("red"));
    cases.put(Filter.range("year", 2000L, 2009L), k -> k.year() >= 2000 && k.year() <= 2009);
    cases.put(Filter.range("year", null, 1995L), k -> k.year() <= 1995);
    cases.put(Filter.range("price", 10.0, 20.5), k -> k.price() >= 10 && k.price() <= 20.5);
    cases.put(Filter.term("tags", "t3"), k -> k.tags().contains("t3"));
    cases.put(Filter.term("year", 2001L), k -> k.year() == 2001);
    cases.put(
        Filter.range("taken", "2010-01-01", "2012-12-31T23:59:59Z"),
        k -> k.year() >= 2010 && k.year() <= 2012);
    cases.put(Filter.range("colour", "black", "blue"), k -> k.colour().startsWith("bl"));
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
      float[] q = random(r, DIM);
      List<Known> allowed = known.stream().filter(e.getValue()).toList();
      List<String> expected =
          allowed.stream()
              .sorted(
                  Comparator.comparingDouble(
                      (Known k) -> -Reference.score(Similarity.COSINE, k.vector(), q)))
              .limit(10)
              .map(Known::id)
              .toList();
      SearchResult exact =
          backend.knn(c, KnnQuery.of("e", q, 10).withFilter(e.getKey()).withMode(SearchMode.EXACT));
      assertEquals(expected, ids(exact), "exact, " + e.getKey());
      SearchResult hnsw = backend.knn(c, KnnQuery.of("e", q, 10).withFilter(e.getKey()));
      Set<String> allowedIds = allowed.stream().map(Known::id).collect(Collectors.toSet());
      hnsw.hits()
          .forEach(h -> assertTrue(allowedIds.contains(h.id()), e.getKey() + " let in " + h));
      long found = ids(hnsw).stream().filter(expected::contains).count();
      // 600 items and ef 100: the graph search finds (nearly) the exact answer.
      assertTrue(found >= 9, "hnsw " + e.getKey() + ": " + ids(hnsw) + " vs " + expected);
      assertEquals(
          allowed.size() >= 10 ? 10 : allowed.size(), hnsw.hits().size(), e.getKey().toString());
    }
  }

  @Test
  void filterSetsCombineLikeSets() {
    String c = createDefault("sets");
    List<Known> known = populate(c, 300, 7);
    Random r = new Random(8);
    Map<String, Set<String>> sets = new HashMap<>();
    for (String name : List.of("tenant-a", "tenant-b", "acl")) {
      Set<String> ids = new HashSet<>();
      known.forEach(
          k -> {
            if (r.nextInt(3) == 0) {
              ids.add(k.id());
            }
          });
      sets.put(name, ids);
      backend.putFilterSet(c, name, ids);
    }
    Set<String> red =
        known.stream()
            .filter(k -> k.colour().equals("red"))
            .map(Known::id)
            .collect(Collectors.toSet());
    Map<Filter, Set<String>> cases = new LinkedHashMap<>();
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
    cases.put(
        Filter.set("tenant-b").and(Filter.term("colour", "red")),
        intersect(sets.get("tenant-b"), red));
    for (var e : cases.entrySet()) {
      // k larger than any set: the hits are exactly the members
      SearchResult hnsw =
          backend.knn(c, KnnQuery.of("e", random(r, DIM), 300).withFilter(e.getKey()));
      assertEquals(e.getValue(), idSet(hnsw), e.getKey().toString());
      SearchResult bm25 = backend.text(c, new TextQuery("thing", List.of(), 300, e.getKey()));
      assertEquals(e.getValue(), idSet(bm25), "text, " + e.getKey());
    }
    assertEquals(Set.of("tenant-a", "tenant-b", "acl"), backend.describe(c).filterSets());

    // A set naming unknown ids is refused and keeps its old members.
    assertRejects(
        () -> backend.putFilterSet(c, "acl", List.of("item-1", "ghost-1", "ghost-2")),
        "2 id(s) not in collection '" + c + "'",
        "ghost-1");
    SearchResult still =
        backend.knn(c, KnnQuery.of("e", random(r, DIM), 300).withFilter(Filter.set("acl")));
    assertEquals(sets.get("acl"), idSet(still));

    // Replacing a set replaces its members.
    backend.putFilterSet(c, "acl", List.of("item-1", "item-2"));
    SearchResult replaced =
        backend.knn(c, KnnQuery.of("e", random(r, DIM), 300).withFilter(Filter.set("acl")));
    assertEquals(Set.of("item-1", "item-2"), idSet(replaced));

    assertTrue(backend.deleteFilterSet(c, "acl"));
    assertFalse(backend.deleteFilterSet(c, "acl"));
    assertEquals(Set.of("tenant-a", "tenant-b"), backend.describe(c).filterSets());
    assertRejects(
        () -> backend.knn(c, KnnQuery.of("e", random(r, DIM), 5).withFilter(Filter.set("acl"))),
        "unknown filter set 'acl'",
        "tenant-a");
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

  // ---------------------------------------------------------------- multi-vector items

  @Test
  void groupByParentReturnsTheBestSegmentWithItsOffsets() {
    Random r = new Random(11);
    String c = createDefault("segments");
    Map<String, List<float[]>> segs = new HashMap<>();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Item.Builder ib = Item.builder("video-" + i, "video").meta("colour", "red");
      List<float[]> vs = new ArrayList<>();
      for (int s = 0; s < 6; s++) {
        float[] v = random(r, DIM);
        vs.add(v);
        ib.segment(new Segment(s * 2.0, s * 2.0 + 2.0, "line " + s, Map.of("e", v)));
      }
      segs.put("video-" + i, vs);
      items.add(ib.build());
    }
    for (int i = 0; i < 20; i++) {
      items.add(Item.builder("photo-" + i, "image").vector("e", random(r, DIM)).build());
    }
    backend.upsert(c, items);
    backend.commit(c);
    CollectionInfo info = backend.describe(c);
    assertEquals(60, info.count());
    assertEquals(40 * 6 + 20, info.vectorCount());

    for (int t = 0; t < 10; t++) {
      float[] q = random(r, DIM);
      for (SearchMode mode : SearchMode.values()) {
        SearchResult grouped = backend.knn(c, KnnQuery.of("e", q, 5).withMode(mode));
        assertEquals(5, grouped.hits().size(), mode.toString());
        Set<String> seen = new HashSet<>();
        for (Hit h : grouped.hits()) {
          assertTrue(seen.add(h.id()), "one hit per item when grouped: " + grouped.hits());
          if (h.id().startsWith("video")) {
            List<float[]> vs = segs.get(h.id());
            int best =
                IntStream.range(0, vs.size())
                    .boxed()
                    .max(
                        Comparator.comparingDouble(
                            s -> Reference.score(Similarity.COSINE, vs.get(s), q)))
                    .orElseThrow();
            assertNotNull(h.segment(), h.toString());
            assertEquals(best, h.segment().index(), mode + " " + h);
            assertEquals(best * 2.0, h.segment().start());
            assertEquals(best * 2.0 + 2.0, h.segment().end());
            assertEquals(Reference.score(Similarity.COSINE, vs.get(best), q), h.score(), 1e-4);
            assertEquals("video", h.modality());
            assertEquals(Map.of("colour", "red"), h.metadata());
          } else {
            assertNull(h.segment());
          }
        }
      }
      // Not grouped: every vector competes, so one video can fill several slots.
      SearchResult perVector =
          backend.knn(
              c, KnnQuery.of("e", q, 50).withGroupByParent(false).withMode(SearchMode.EXACT));
      assertEquals(50, perVector.hits().size());
      long distinct = perVector.hits().stream().map(Hit::id).distinct().count();
      assertTrue(distinct < perVector.hits().size(), "expected repeated items: " + distinct);
    }
    // Segment text is searchable through its item.
    assertEquals(40, backend.text(c, TextQuery.of("line", 100)).hits().size());
  }

  // ---------------------------------------------------------------- writes

  @Test
  void upsertReplacesWholeItemsAndGetRoundTrips() {
    String c = createDefault("upsert");
    float[] v = {3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Item first =
        Item.builder("a", "video")
            .source("/v/a.mp4")
            .vector("e", v)
            .segment(new Segment(0, 1.5, "hello", Map.of("e", v)))
            .segment(new Segment(1.5, 3, null, Map.of("e", v)))
            .meta("colour", "red")
            .meta("year", 2024L)
            .meta("tags", List.of("x", "y"))
            .text("caption", "first version")
            .build();
    backend.upsert(c, List.of(first));
    // Not visible before refresh.
    assertTrue(backend.get(c, "a").isEmpty());
    assertEquals(0, backend.knn(c, KnnQuery.of("e", v, 3)).hits().size());
    backend.refresh(c);
    Item got = backend.get(c, "a").orElseThrow();
    assertEquals("video", got.modality());
    assertEquals("/v/a.mp4", got.source());
    assertEquals(Map.of("caption", "first version"), got.text());
    assertEquals(Map.of("colour", "red", "year", 2024L, "tags", List.of("x", "y")), got.metadata());
    // cosine vectors come back normalized
    assertArrayEquals(
        new float[] {0.6f, 0.8f}, java.util.Arrays.copyOf(got.vectors().get("e"), 2), 1e-6f);
    assertEquals(2, got.segments().size());
    assertEquals("hello", got.segments().get(0).text());
    assertNull(got.segments().get(1).text());
    assertEquals(1.5, got.segments().get(1).start());
    assertEquals(3.0, got.segments().get(1).end());
    assertEquals(3, backend.describe(c).vectorCount());

    // Upserting the same item again is idempotent.
    backend.upsert(c, List.of(first));
    backend.refresh(c);
    assertEquals(1, backend.describe(c).count());
    assertEquals(3, backend.describe(c).vectorCount());

    Item second = Item.builder("a", "image").vector("e", v).meta("colour", "blue").build();
    backend.upsert(c, List.of(second));
    backend.refresh(c);
    Item replaced = backend.get(c, "a").orElseThrow();
    assertEquals("image", replaced.modality());
    assertEquals(0, replaced.segments().size(), "old segments must go with the old version");
    assertEquals(1, backend.describe(c).count());
    assertEquals(1, backend.describe(c).vectorCount());
    assertTrue(backend.text(c, TextQuery.of("first version", 5)).hits().isEmpty());
    assertEquals(
        List.of("a"),
        ids(backend.knn(c, KnnQuery.of("e", v, 3).withFilter(Filter.term("colour", "blue")))));
    assertTrue(
        backend
            .knn(c, KnnQuery.of("e", v, 3).withFilter(Filter.term("colour", "red")))
            .hits()
            .isEmpty());

    assertEquals(1, backend.delete(c, List.of("a", "never-there")));
    assertEquals(0, backend.delete(c, List.of("a")), "a deleted id no longer exists");
    backend.refresh(c);
    assertTrue(backend.get(c, "a").isEmpty());
    assertEquals(0, backend.describe(c).count());
    assertEquals(0, backend.describe(c).vectorCount());
  }

  @Test
  void deletedItemsLeaveSearchAndFilterSets() {
    String c = createDefault("delete");
    populate(c, 100, 9);
    List<String> tenant = IntStream.range(0, 20).mapToObj(i -> "item-" + i).toList();
    backend.putFilterSet(c, "tenant", tenant);
    assertEquals(5, backend.delete(c, tenant.subList(0, 5)));
    backend.commit(c);
    assertEquals(95, backend.describe(c).count());
    SearchResult r =
        backend.knn(
            c, KnnQuery.of("e", random(new Random(1), DIM), 100).withFilter(Filter.set("tenant")));
    assertEquals(new HashSet<>(tenant.subList(5, 20)), idSet(r));
    assertTrue(backend.get(c, "item-0").isEmpty());
    assertTrue(backend.get(c, "item-5").isPresent());
  }

  // ---------------------------------------------------------------- BM25 and hybrid

  @Test
  void bm25ScoresMatchTheReferenceAndHybridFusesLikeIt() {
    String c = createDefault("bm25");
    // Words the English analyzer keeps as they are (no stop words, nothing the stemmer changes).
    String[] words = {
      "red", "green", "blue", "black", "cat", "dog", "fox", "owl", "sky", "sea", "tree", "rock"
    };
    Random r = new Random(21);
    Map<String, String> captions = new LinkedHashMap<>();
    float[][] base = new float[200][];
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      StringBuilder text = new StringBuilder("a");
      int len = 2 + r.nextInt(6);
      for (int w = 0; w < len; w++) {
        text.append(' ').append(words[r.nextInt(words.length)]);
      }
      String id = Integer.toString(i);
      captions.put(id, text.toString());
      base[i] = random(r, DIM);
      items.add(
          Item.builder(id, "text").vector("e", base[i]).text("caption", text.toString()).build());
    }
    backend.upsert(c, items);
    backend.commit(c);
    for (String query : List.of("fox", "red fox", "owl sky sea", "black cat dog")) {
      Map<String, Double> expected = Reference.bm25(captions, query);
      SearchResult res = backend.text(c, new TextQuery(query, List.of("caption"), 200, null));
      assertEquals(SearchResult.Strategy.BM25, res.strategy());
      assertRanked(res);
      assertEquals(expected.keySet(), idSet(res), query);
      List<Double> want = expected.values().stream().sorted(Comparator.reverseOrder()).toList();
      for (int i = 0; i < res.hits().size(); i++) {
        Hit h = res.hits().get(i);
        assertEquals(expected.get(h.id()), h.score(), 1e-4 * expected.get(h.id()), query + " " + h);
        assertEquals(want.get(i), h.score(), 1e-4 * want.get(i), query + " rank " + i);
      }
    }
    // A hybrid search: a kNN leg and a BM25 leg, fused by Bindery (here the reference RRF).
    for (int t = 0; t < 5; t++) {
      float[] q = random(r, DIM);
      String text = words[t] + " " + words[t + 4];
      List<String> knnLeg = ids(backend.knn(c, KnnQuery.of("e", q, 20).withMode(SearchMode.EXACT)));
      List<String> textLeg = ids(backend.text(c, TextQuery.of(text, 20)));
      List<String> refKnn =
          Reference.topK(Similarity.COSINE, base, q, 20, i -> true).stream()
              .map(String::valueOf)
              .toList();
      List<String> refText =
          Reference.bm25(captions, text).entrySet().stream()
              .sorted(
                  Map.Entry.<String, Double>comparingByValue()
                      .reversed()
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(20)
              .map(Map.Entry::getKey)
              .toList();
      assertEquals(refKnn, knnLeg, "kNN leg");
      assertEquals(
          Reference.rrf(List.of(refKnn, refText), 10),
          Reference.rrf(List.of(knnLeg, textLeg), 10),
          "fused top 10 for '" + text + "'");
    }
  }

  @Test
  void textSearchHonoursFieldsAndFilters() {
    String c = createDefault("text");
    populate(c, 200, 3);
    SearchResult red = backend.text(c, new TextQuery("red", List.of("caption"), 500, null));
    assertFalse(red.hits().isEmpty());
    red.hits().forEach(h -> assertEquals("red", h.metadata().get("colour"), h.toString()));
    assertRanked(red);
    SearchResult filtered =
        backend.text(c, new TextQuery("red", List.of(), 500, Filter.range("year", 2020L, null)));
    assertFalse(filtered.hits().isEmpty());
    filtered.hits().forEach(h -> assertTrue((Long) h.metadata().get("year") >= 2020, h.toString()));
    // Query syntax in the text is just text.
    SearchResult odd =
        backend.text(c, TextQuery.of("red AND NOT (blue OR \"green\") title:*", 500));
    assertTrue(idSet(odd).containsAll(idSet(red)), "every red item matches 'red' in any query");
    assertRejects(
        () -> backend.text(c, new TextQuery("red", List.of("nope"), 5, null)),
        "unknown text field 'nope'");
  }

  // ---------------------------------------------------------------- search API round two

  /**
   * A naive filter generator over {@link Known} items: random terms, ranges and their and / or /
   * and-not, each with the predicate it means.
   */
  private static Map.Entry<Filter, Predicate<Known>> randomFilter(Random r, int depth) {
    String[] colours = {"red", "green", "blue", "black"};
    int kind = depth > 1 ? 3 + r.nextInt(4) : r.nextInt(7);
    switch (kind) {
      case 0, 1, 2 -> {
        Map.Entry<Filter, Predicate<Known>> a = randomFilter(r, depth + 1);
        Map.Entry<Filter, Predicate<Known>> b = randomFilter(r, depth + 1);
        return switch (kind) {
          case 0 -> Map.entry(a.getKey().and(b.getKey()), a.getValue().and(b.getValue()));
          case 1 -> Map.entry(a.getKey().or(b.getKey()), a.getValue().or(b.getValue()));
          default ->
              Map.entry(a.getKey().andNot(b.getKey()), a.getValue().and(b.getValue().negate()));
        };
      }
      case 3 -> {
        String colour = colours[r.nextInt(colours.length)];
        return Map.entry(Filter.term("colour", colour), k -> k.colour().equals(colour));
      }
      case 4 -> {
        long from = 1990 + r.nextInt(35);
        long to = from + r.nextInt(10);
        return Map.entry(Filter.range("year", from, to), k -> k.year() >= from && k.year() <= to);
      }
      case 5 -> {
        String tag = "t" + r.nextInt(10);
        return Map.entry(Filter.term("tags", tag), k -> k.tags().contains(tag));
      }
      default -> {
        double max = r.nextDouble() * 100;
        return Map.entry(Filter.range("price", null, max), k -> k.price() <= max);
      }
    }
  }

  @Test
  void minScoreKeepsExactlyTheHitsAtOrAboveIt() {
    long seed = 20261207L;
    String c = createDefault("minscore");
    List<Known> known = populate(c, 300, seed);
    Random r = new Random(seed);
    for (int t = 0; t < 40; t++) {
      float[] q = random(r, DIM);
      int k = 1 + r.nextInt(50);
      double min = r.nextDouble() * 1.2 - 0.4;
      String what = "seed=" + seed + " query " + t + " k=" + k + " min=" + min;
      // Naive: the k best of the items scoring at or above min; ties within 1e-4 of the threshold
      // may fall either side of it in float, so those are allowed but not required.
      List<Known> ranked =
          known.stream()
              .sorted(
                  Comparator.comparingDouble(
                      (Known x) -> -Reference.score(Similarity.COSINE, x.vector(), q)))
              .toList();
      for (SearchMode mode : SearchMode.values()) {
        SearchResult res = backend.knn(c, KnnQuery.of("e", q, k).withMode(mode).withMinScore(min));
        assertRanked(res);
        res.hits().forEach(h -> assertTrue(h.score() >= min, what + " below min: " + h));
        long sure =
            ranked.stream()
                .limit(k)
                .filter(x -> Reference.score(Similarity.COSINE, x.vector(), q) >= min + 1e-4)
                .count();
        long maybe =
            ranked.stream()
                .limit(k)
                .filter(x -> Reference.score(Similarity.COSINE, x.vector(), q) >= min - 1e-4)
                .count();
        if (mode == SearchMode.EXACT) {
          assertTrue(
              res.hits().size() >= sure && res.hits().size() <= maybe,
              what
                  + " "
                  + mode
                  + ": "
                  + res.hits().size()
                  + " hits, expected "
                  + sure
                  + ".."
                  + maybe);
          List<String> expected = ranked.stream().limit(res.hits().size()).map(Known::id).toList();
          assertEquals(expected, ids(res), what);
        } else {
          assertTrue(res.hits().size() <= maybe, what + " " + mode + " too many hits");
        }
      }
    }
    float[] q = random(r, DIM);
    assertEquals(
        List.of(), ids(backend.knn(c, KnnQuery.of("e", q, 10).withMinScore(1.001))), "none pass");
    // BM25: the reference scores of one-word captions, thresholded.
    Map<String, String> captions = new LinkedHashMap<>();
    known.forEach(x -> captions.put(x.id(), "a " + x.colour() + " thing from " + x.year()));
    for (String query : List.of("red", "red 2001", "blue green 1999")) {
      Map<String, Double> ref = Reference.bm25(captions, query);
      double top = ref.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double min = top * 0.8;
      SearchResult res = backend.text(c, new TextQuery(query, List.of("caption"), 300, null, min));
      Set<String> must = new HashSet<>();
      Set<String> may = new HashSet<>();
      ref.forEach(
          (id, score) -> {
            if (score >= min * (1 + 1e-4)) {
              must.add(id);
            }
            if (score >= min * (1 - 1e-4)) {
              may.add(id);
            }
          });
      assertTrue(idSet(res).containsAll(must), query + ": missed hits above " + min);
      assertTrue(may.containsAll(idSet(res)), query + ": hits below " + min);
      assertRanked(res);
    }
    assertTrue(
        backend.text(c, new TextQuery("red", List.of(), 10, null, 1e6)).hits().isEmpty(),
        "a BM25 threshold no item reaches returns nothing");
    assertRejects(
        () -> backend.knn(c, KnnQuery.of("e", q, 10).withMinScore(Double.NaN)),
        "min score must be a finite number");
  }

  @Test
  void deeperSearchesExtendShallowerOnes() {
    // Paging cuts pages from searches of growing depth: the shallow answer must be a prefix of
    // the deep one, or a page would repeat or skip a hit.
    long seed = 11;
    String c = createDefault("prefix");
    populate(c, 250, seed);
    Random r = new Random(seed);
    for (int t = 0; t < 20; t++) {
      float[] q = random(r, DIM);
      int k1 = 1 + r.nextInt(40);
      int k2 = k1 + 1 + r.nextInt(100);
      List<String> deep = ids(backend.knn(c, KnnQuery.of("e", q, k2).withMode(SearchMode.EXACT)));
      List<String> shallow =
          ids(backend.knn(c, KnnQuery.of("e", q, k1).withMode(SearchMode.EXACT)));
      assertEquals(deep.subList(0, k1), shallow, "exact kNN, seed " + seed + " query " + t);
      String words = List.of("red", "blue thing", "2001 green", "black 1999").get(t % 4);
      List<String> deepText = ids(backend.text(c, TextQuery.of(words, k2)));
      List<String> shallowText = ids(backend.text(c, TextQuery.of(words, k1)));
      assertEquals(
          deepText.subList(0, Math.min(k1, deepText.size())),
          shallowText,
          "BM25 '" + words + "', seed " + seed);
    }
  }

  @Test
  void countAndDeleteWhereMatchNaiveEvaluation() {
    long seed = 77;
    String c = createDefault("count");
    List<Known> known = new ArrayList<>(populate(c, 300, seed));
    assertEquals(300, backend.count(c, null));
    Random r = new Random(seed);
    for (int t = 0; t < 60; t++) {
      Map.Entry<Filter, Predicate<Known>> f = randomFilter(r, 0);
      long expected = known.stream().filter(f.getValue()).count();
      assertEquals(expected, backend.count(c, f.getKey()), "seed " + seed + " count " + f.getKey());
    }
    for (int t = 0; t < 4; t++) {
      Map.Entry<Filter, Predicate<Known>> f = randomFilter(r, 1);
      Set<String> doomed =
          known.stream().filter(f.getValue()).map(Known::id).collect(Collectors.toSet());
      assertEquals(doomed.size(), backend.count(c, f.getKey()), "dry run of " + f.getKey());
      assertEquals(
          doomed.stream().sorted().toList(),
          backend.deleteWhere(c, f.getKey()),
          "deleted by " + f.getKey());
      backend.refresh(c);
      known.removeIf(k -> doomed.contains(k.id()));
      assertEquals(known.size(), backend.count(c, null), "left after " + f.getKey());
      assertEquals(0, backend.count(c, f.getKey()), "none match " + f.getKey() + " any more");
      for (String id : doomed) {
        assertTrue(backend.get(c, id).isEmpty(), id + " deleted by " + f.getKey());
      }
    }
    assertRejects(
        () -> backend.count(c, Filter.term("nope", "x")), "unknown metadata field 'nope'");
    long before = backend.count(c, null);
    assertThrows(RuntimeException.class, () -> backend.deleteWhere(c, Filter.term("nope", "x")));
    backend.refresh(c);
    assertEquals(before, backend.count(c, null), "a rejected delete deletes nothing");
  }

  @Test
  void updateMetadataChangesFieldsButNotVectors() {
    String c = createDefault("patch");
    float[] v = unit(random(new Random(3), DIM));
    Item item =
        Item.builder("p", "video")
            .source("/v/p.mp4")
            .vector("e", v)
            .segment(new Segment(0, 2, "intro", Map.of("e", unit(random(new Random(4), DIM)))))
            .meta("colour", "red")
            .meta("year", 2020L)
            .text("caption", "a patched thing")
            .build();
    backend.upsert(c, List.of(item));
    backend.refresh(c);
    Item before = backend.get(c, "p").orElseThrow();
    Map<String, Object> changes = new HashMap<>();
    changes.put("colour", "blue");
    changes.put("year", null);
    changes.put("rating", 4L);
    Item returned = backend.updateMetadata(c, "p", changes).orElseThrow();
    assertEquals(Map.of("colour", "blue", "rating", 4L), returned.metadata());
    backend.refresh(c);
    Item after = backend.get(c, "p").orElseThrow();
    assertEquals(Map.of("colour", "blue", "rating", 4L), after.metadata());
    assertArrayEquals(before.vectors().get("e"), after.vectors().get("e"), "item vector bits");
    assertArrayEquals(
        before.segments().get(0).vectors().get("e"),
        after.segments().get(0).vectors().get("e"),
        "segment vector bits");
    assertEquals(before.text(), after.text());
    assertEquals(before.source(), after.source());
    assertEquals(before.modality(), after.modality());
    assertEquals(1, backend.describe(c).count());
    assertEquals(2, backend.describe(c).vectorCount());
    assertEquals(
        List.of("p"),
        ids(backend.knn(c, KnnQuery.of("e", v, 3).withFilter(Filter.term("colour", "blue")))));
    assertEquals(1, backend.count(c, Filter.term("rating", 4L)));
    assertEquals(0, backend.count(c, Filter.range("year", 0L, null)));
    assertEquals(List.of("p"), ids(backend.text(c, TextQuery.of("patched", 3))));
    // Type-checked as on ingest; nothing is written when a value is bad.
    assertRejects(
        () -> backend.updateMetadata(c, "p", Map.of("rating", "five")),
        "metadata field 'rating'",
        "long");
    assertRejects(
        () -> backend.updateMetadata(c, "p", Map.of("taken", "yesterday")),
        "metadata field 'taken'");
    backend.refresh(c);
    assertEquals(
        Map.of("colour", "blue", "rating", 4L), backend.get(c, "p").orElseThrow().metadata());
    assertTrue(backend.updateMetadata(c, "nobody", Map.of("colour", "x")).isEmpty());
    backend.refresh(c);
    assertTrue(backend.get(c, "nobody").isEmpty(), "an update does not create an item");
  }

  @Test
  void valueCountsMatchNaiveCounting() {
    long seed = 4242;
    String c = createDefault("facets");
    List<Known> known = populate(c, 300, seed);
    Random r = new Random(seed);
    List<String> fields = List.of("colour", "tags", "year", "price", "taken");
    for (int t = 0; t < 40; t++) {
      Map.Entry<Filter, Predicate<Known>> f = t == 0 ? null : randomFilter(r, 0);
      Map<String, Map<Object, Long>> expected = new LinkedHashMap<>();
      fields.forEach(field -> expected.put(field, new HashMap<>()));
      for (Known k : known) {
        if (f != null && !f.getValue().test(k)) {
          continue;
        }
        expected.get("colour").merge(k.colour(), 1L, Long::sum);
        new HashSet<>(k.tags()).forEach(tag -> expected.get("tags").merge(tag, 1L, Long::sum));
        expected.get("year").merge(k.year(), 1L, Long::sum);
        expected.get("price").merge(k.price(), 1L, Long::sum);
        long taken =
            java.time.LocalDate.of((int) k.year(), 6, 1)
                .atStartOfDay(java.time.ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
        expected.get("taken").merge(taken, 1L, Long::sum);
      }
      Map<String, Map<Object, Long>> got =
          backend.valueCounts(c, f == null ? null : f.getKey(), fields);
      assertEquals(fields, new ArrayList<>(got.keySet()), "fields in the order asked");
      for (String field : fields) {
        assertEquals(
            expected.get(field),
            got.get(field),
            "seed "
                + seed
                + " case "
                + t
                + " field "
                + field
                + " filter "
                + (f == null ? null : f.getKey()));
      }
    }
    assertRejects(
        () -> backend.valueCounts(c, null, List.of("colour", "nope")),
        "facet on unknown metadata field 'nope'");
  }

  // ---------------------------------------------------------------- collections

  @Test
  void collectionSettingsAreKeptWithTheCollectionOrNotAtAll() {
    String c = createDefault("settings");
    assertRejects(
        () -> backend.collectionSetting("no-such-collection", "model"), "no-such-collection");
    assertRejects(
        () -> backend.putCollectionSetting("no-such-collection", "model", "m"),
        "no-such-collection");
    assertEquals(Optional.empty(), backend.collectionSetting(c, "model"));
    if (!backend.putCollectionSetting(c, "model", "classpath:/models/bindery-mini")) {
      // A backend that keeps no settings says so and keeps nothing.
      assertEquals(Optional.empty(), backend.collectionSetting(c, "model"));
      return;
    }
    assertEquals(
        Optional.of("classpath:/models/bindery-mini"), backend.collectionSetting(c, "model"));
    assertTrue(backend.putCollectionSetting(c, "model", "/models/other"));
    assertEquals(Optional.of("/models/other"), backend.collectionSetting(c, "model"));
    assertEquals(Optional.empty(), backend.collectionSetting(c, "other"));
    assertRejects(() -> backend.putCollectionSetting(c, "bad key!", "x"), "bad key!");
    // Settings do not disturb the collection, and a reopened backend sees them.
    backend.upsert(
        c, List.of(Item.builder("a", "text").vector("e", random(new Random(5), DIM)).build()));
    backend.commit(c);
    assertEquals(1, backend.describe(c).count());
    try {
      backend.close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try {
      backend = openBackend();
    } catch (Exception e) {
      throw new IllegalStateException("cannot reopen the backend", e);
    }
    assertEquals(Optional.of("/models/other"), backend.collectionSetting(c, "model"));
    assertTrue(backend.putCollectionSetting(c, "model", null));
    assertEquals(Optional.empty(), backend.collectionSetting(c, "model"));
    // They go away with the collection.
    assertTrue(backend.putCollectionSetting(c, "model", "m"));
    assertTrue(backend.dropCollection(c));
    backend.createCollection(
        new CollectionConfig(
            c, Map.of("e", SpaceConfig.of("e", DIM, Similarity.COSINE)), Map.of()));
    assertEquals(Optional.empty(), backend.collectionSetting(c, "model"));
  }

  @Test
  void collectionsAreListedDescribedAndDropped() {
    SpaceConfig e = SpaceConfig.of("e", 4, Similarity.COSINE).withGraph(24, 200);
    SpaceConfig q = SpaceConfig.of("img.v2", 8, Similarity.L2, VectorStorage.INT8);
    String a =
        create(
            "list",
            Map.of("e", e, "img.v2", q),
            Map.of("year", FieldType.LONG, "shot", FieldType.DATE));
    String b = create("list", Map.of("e", e), Map.of());
    List<String> all = backend.listCollections();
    assertTrue(all.containsAll(List.of(a, b)), all.toString());
    assertEquals(all.stream().sorted().toList(), all, "listCollections is sorted");

    CollectionInfo info = backend.describe(a);
    assertEquals(e, info.config().space("e"));
    assertEquals(q, info.config().space("img.v2"));
    assertEquals(Map.of("year", FieldType.LONG, "shot", FieldType.DATE), info.config().fields());
    assertEquals(0, info.count());

    backend.upsert(
        a,
        List.of(
            Item.builder("x", "image")
                .vector("e", new float[] {1, 0, 0, 0})
                .vector("img.v2", new float[] {1, 2, 3, 4, 5, 6, 7, 8})
                .meta("colour", "red")
                .meta("score", 0.5)
                .meta("taken", "2024-05-01T10:00:00Z")
                .meta("shot", "2024-05-01T10:00:00Z")
                .build()));
    backend.refresh(a);
    Map<String, FieldType> fields = backend.describe(a).config().fields();
    assertEquals(FieldType.KEYWORD, fields.get("colour"));
    assertEquals(FieldType.DOUBLE, fields.get("score"));
    // An ISO-8601 string infers keyword; a declared date field takes it as a date.
    assertEquals(FieldType.KEYWORD, fields.get("taken"));
    assertEquals(1, backend.describe(a).count());
    assertEquals(
        List.of("x"),
        ids(
            backend.knn(
                a,
                KnnQuery.of("img.v2", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1)
                    .withFilter(Filter.range("shot", "2024-05-01", null)))));

    assertRejects(
        () ->
            backend.createCollection(CollectionConfig.of(a, SpaceConfig.of("e", 8, Similarity.L2))),
        "already exists");
    assertThrows(
        ConflictException.class,
        () ->
            backend.createCollection(
                CollectionConfig.of(a, SpaceConfig.of("e", 8, Similarity.L2))));
    assertEquals(4, backend.describe(a).config().space("e").dim(), "original kept");
    // config() is describe() without the counts: the same configuration, the same refusal
    assertEquals(backend.describe(a).config(), backend.config(a));

    assertTrue(backend.dropCollection(b));
    assertFalse(backend.dropCollection(b));
    assertFalse(backend.listCollections().contains(b));
    CollectionNotFoundException gone =
        assertThrows(CollectionNotFoundException.class, () -> backend.describe(b));
    assertTrue(gone.getMessage().contains("unknown collection '" + b + "'"), gone.getMessage());
    CollectionNotFoundException goneConfig =
        assertThrows(CollectionNotFoundException.class, () -> backend.config(b));
    assertEquals(gone.getMessage(), goneConfig.getMessage());
    assertThrows(
        CollectionNotFoundException.class,
        () ->
            backend.upsert(
                b,
                List.of(Item.builder("y", "image").vector("e", new float[] {1, 0, 0, 0}).build())));
    assertThrows(
        CollectionNotFoundException.class,
        () -> backend.knn(b, KnnQuery.of("e", new float[] {1, 0, 0, 0}, 1)));
    created.remove(b);
  }

  // ---------------------------------------------------------------- bad input

  private String badInputCollection() {
    String c =
        create(
            "bad",
            Map.of(
                "e", SpaceConfig.of("e", 4, Similarity.COSINE),
                "d", SpaceConfig.of("d", 2, Similarity.DOT_PRODUCT)),
            Map.of("year", FieldType.LONG));
    backend.upsert(c, List.of(good("existing")));
    backend.putFilterSet(c, "tenant", List.of("existing"));
    backend.commit(c);
    return c;
  }

  static Item good(String id) {
    return Item.builder(id, "image")
        .vector("e", new float[] {1, 0, 0, 0})
        .meta("year", 2020L)
        .build();
  }

  /** Runs [good, good, bad] and checks the error names the input and nothing was written. */
  private void rejectsBatch(String c, Supplier<Item> bad, String... messageParts) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.upsert(c, List.of(good("g1"), good("g2"), bad.get())));
    for (String part : messageParts) {
      assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks " + part);
    }
    assertNothingWritten(c);
    backend.commit(c);
    assertNothingWritten(c);
  }

  private void assertNothingWritten(String c) {
    backend.refresh(c);
    assertEquals(1, backend.describe(c).count(), "a rejected batch left items behind");
    assertTrue(backend.get(c, "g1").isEmpty());
    assertTrue(backend.get(c, "g2").isEmpty());
    assertTrue(backend.get(c, "existing").isPresent());
  }

  @Test
  void badBatchesAreRejectedWholeWithTheReason() {
    String c = badInputCollection();
    rejectsBatch(
        c,
        () -> Item.builder("bad", "image").vector("e", new float[] {1, 2, 3}).build(),
        "item 'bad'",
        "dimension 3",
        "space 'e' has dimension 4");
    rejectsBatch(
        c,
        () -> Item.builder("bad", "image").vector("e", new float[] {1, Float.NaN, 0, 0}).build(),
        "item 'bad'",
        "[1] = NaN");
    rejectsBatch(
        c,
        () ->
            Item.builder("bad", "video")
                .segment(Segment.of(0, 1, Map.of("e", new float[] {1, 0, 0, 0})))
                .segment(Segment.of(1, 2, Map.of("e", new float[] {Float.NaN, 0, 0, 0})))
                .build(),
        "item 'bad' segment #1",
        "non-finite");
    rejectsBatch(
        c, () -> Item.builder("bad", "image").vector("e", new float[4]).build(), "zero vector");
    rejectsBatch(
        c,
        () -> Item.builder("bad", "image").vector("d", new float[] {3, 4}).build(),
        "L2 norm 5.0",
        "unit vectors");
    rejectsBatch(
        c,
        () -> Item.builder("bad", "image").vector("nope", new float[] {1, 0, 0, 0}).build(),
        "unknown space 'nope'",
        "[d, e]");
    rejectsBatch(
        c,
        () ->
            Item.builder("bad", "image")
                .vector("e", new float[] {1, 0, 0, 0})
                .meta("year", "last year")
                .build(),
        "item 'bad'",
        "'year' is of type long",
        "last year");
    IllegalArgumentException dup =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.upsert(c, List.of(good("g1"), good("g2"), good("g1"))));
    assertTrue(dup.getMessage().contains("duplicate id 'g1'"), dup.getMessage());
    assertTrue(dup.getMessage().contains("#0 and #2"), dup.getMessage());
    assertNothingWritten(c);

    // An inferred field keeps its first type: a later batch of another type is rejected whole.
    backend.upsert(
        c,
        List.of(
            Item.builder("k1", "image")
                .vector("e", new float[] {0, 1, 0, 0})
                .meta("tag", "x")
                .build()));
    UnprocessableException e =
        assertThrows(
            UnprocessableException.class,
            () ->
                backend.upsert(
                    c,
                    List.of(
                        good("g1"),
                        Item.builder("k2", "image")
                            .vector("e", new float[] {0, 1, 0, 0})
                            .meta("tag", 5L)
                            .build())));
    assertTrue(e.getMessage().contains("'tag' is of type keyword"), e.getMessage());
    backend.refresh(c);
    assertTrue(backend.get(c, "g1").isEmpty());
    assertTrue(backend.get(c, "k2").isEmpty());
    assertEquals(2, backend.describe(c).count());
    assertEquals(FieldType.KEYWORD, backend.describe(c).config().fields().get("tag"));
  }

  @Test
  void badQueriesAreRejectedWithTheReason() {
    String c = badInputCollection();
    float[] one = {1, 0, 0, 0};
    assertRejects(() -> backend.knn(c, KnnQuery.of("e", new float[] {1, 2}, 5)), "dimension 2");
    assertRejects(
        () -> backend.knn(c, KnnQuery.of("e", new float[] {Float.NaN, 0, 0, 0}, 5)), "non-finite");
    assertRejects(() -> backend.knn(c, KnnQuery.of("e", new float[4], 5)), "zero vector");
    assertRejects(() -> backend.knn(c, KnnQuery.of("zz", one, 5)), "unknown space 'zz'");
    assertRejects(
        () -> backend.knn(c, KnnQuery.of("e", one, 5).withFilter(Filter.term("colour", "red"))),
        "unknown metadata field 'colour'");
    assertRejects(
        () -> backend.knn(c, KnnQuery.of("e", one, 5).withFilter(Filter.term("year", "soon"))),
        "'year' is of type long");
    assertRejects(
        () -> backend.knn(c, KnnQuery.of("e", one, 5).withFilter(Filter.set("ghost"))),
        "unknown filter set 'ghost'",
        "[tenant]");
    assertRejects(
        () ->
            backend.knn(
                c,
                KnnQuery.of("e", one, 5)
                    .withFilter(Filter.set("tenant").and(Filter.range("year", "x", null)))),
        "'year' is of type long");
    assertRejects(
        () -> backend.putFilterSet(c, "tenant", List.of("existing", "ghost-1")),
        "1 id(s) not in collection",
        "ghost-1");
    assertEquals(
        List.of("existing"),
        ids(backend.knn(c, KnnQuery.of("e", one, 5).withFilter(Filter.set("tenant")))));
    assertThrows(
        CollectionNotFoundException.class, () -> backend.knn("nope", KnnQuery.of("e", one, 5)));
  }

  static void assertRejects(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks " + p);
    }
  }
}
