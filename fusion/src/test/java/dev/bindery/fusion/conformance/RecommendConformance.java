package dev.bindery.fusion.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.fusion.conformance.RecommendReference.Scored;
import dev.bindery.fusion.query.QueryExecutor;
import dev.bindery.fusion.query.QueryExpr;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.Recommend;
import dev.bindery.fusion.query.RecommendStrategy;
import dev.bindery.fusion.query.Recommender;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchCursor;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.fusion.query.TermEmbedder;
import dev.bindery.fusion.rank.FusedHit;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.LegResult;
import dev.bindery.fusion.rank.RankFusion;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.UnprocessableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recommend (fusion's {@link Recommender} and {@link QueryExecutor}) on a backend, against the
 * naive {@link RecommendReference}: both strategies in cosine, dot and L2 spaces, with filters,
 * thresholds and multi-vector items, on random cases from a printed seed ({@code -Dtests.seed=N}
 * reproduces one). The embedded Lucene backend (in fusion) and the SolrCloud backend (in solrcloud)
 * both extend this class; it uses only the backend contract.
 */
public abstract class RecommendConformance {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final long SEED = Long.getLong("tests.seed", 20L);
  private static final int N = 240;
  private static final String[] COLOURS = {"red", "green", "blue"};
  private static final String[] WORDS = {"red", "fox", "owl", "sky", "sea", "tree"};
  private static final Map<String, Similarity> SPACES =
      Map.of("cos", Similarity.COSINE, "dot", Similarity.DOT_PRODUCT, "l2", Similarity.L2);
  private static final Map<String, Integer> DIMS = Map.of("cos", 8, "dot", 8, "l2", 6);
  private static final double TOLERANCE = 1e-4;

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

  /**
   * A collection with three spaces and what was written to it.
   *
   * @param vectors by space, each item's vectors in it: item-level first, then segments
   * @param colours each item's colour (a keyword field)
   * @param plain ids of items with item-level vectors (every one but "seg-only")
   */
  private record Fixture(
      String name,
      Map<String, Map<String, List<float[]>>> vectors,
      Map<String, String> colours,
      List<String> plain) {
    Predicate<String> allowed(Filter f) {
      if (f == null) {
        return id -> true;
      }
      String colour = (String) ((Filter.Term) f).value();
      return id -> colour.equals(colours.get(id));
    }
  }

  private Fixture fixture(Random r) {
    String name = "recommend-" + NAMES.incrementAndGet();
    Map<String, SpaceConfig> spaces = new LinkedHashMap<>();
    SPACES.forEach((s, sim) -> spaces.put(s, SpaceConfig.of(s, DIMS.get(s), sim)));
    backend.createCollection(
        new CollectionConfig(name, spaces, Map.of("colour", FieldType.KEYWORD)));
    created.add(name);
    Map<String, Map<String, List<float[]>>> vectors = new LinkedHashMap<>();
    SPACES.keySet().forEach(s -> vectors.put(s, new LinkedHashMap<>()));
    Map<String, String> colours = new HashMap<>();
    List<String> plain = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      String id = String.format("i%03d", i);
      String colour = COLOURS[r.nextInt(COLOURS.length)];
      Item.Builder b =
          Item.builder(id, "point")
              .meta("colour", colour)
              .text("caption", WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(3)]);
      for (String s : SPACES.keySet()) {
        float[] v = random(r, DIMS.get(s));
        if (SPACES.get(s) == Similarity.DOT_PRODUCT) {
          v = RecommendReference.unit(v); // the dot contract: unit vectors
        }
        b.vector(s, v);
        vectors.get(s).computeIfAbsent(id, k -> new ArrayList<>()).add(v);
      }
      if (i % 10 == 0) {
        // A multi-vector item: its best vector, segment or not, is its match.
        for (int seg = 0; seg < 2; seg++) {
          float[] v = random(r, DIMS.get("cos"));
          b.segment(Segment.of(seg * 2.0, seg * 2.0 + 2, Map.of("cos", v)));
          vectors.get("cos").get(id).add(v);
        }
      }
      colours.put(id, colour);
      plain.add(id);
      items.add(b.build());
    }
    float[] only = random(r, DIMS.get("cos"));
    items.add(
        Item.builder("seg-only", "video")
            .meta("colour", "red")
            .segment(Segment.of(0, 1, Map.of("cos", only)))
            .build());
    vectors.get("cos").put("seg-only", List.of(only));
    colours.put("seg-only", "red");
    backend.upsert(name, items);
    backend.commit(name);
    return new Fixture(name, vectors, colours, plain);
  }

  private static float[] random(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** One random recommend with the vectors the definition uses for its examples. */
  private record Case(
      Recommend recommend,
      List<float[]> positive,
      List<float[]> negative,
      Set<String> examples,
      String space,
      Filter filter) {}

  private static Case randomCase(Random r, Fixture f, RecommendStrategy strategy) {
    String space = List.of("cos", "dot", "l2").get(r.nextInt(3));
    Similarity sim = SPACES.get(space);
    List<String> ids = new ArrayList<>(f.plain());
    java.util.Collections.shuffle(ids, r);
    int np = 1 + r.nextInt(4);
    int nn = r.nextInt(4);
    List<QueryExpr> pos = new ArrayList<>();
    List<QueryExpr> neg = new ArrayList<>();
    List<float[]> posV = new ArrayList<>();
    List<float[]> negV = new ArrayList<>();
    for (int i = 0; i < np + nn; i++) {
      String id = ids.get(i);
      float[] v = f.vectors().get(space).get(id).get(0);
      (i < np ? pos : neg).add(QueryExpr.item(id));
      (i < np ? posV : negV).add(sim == Similarity.COSINE ? RecommendReference.unit(v) : v);
    }
    if (r.nextInt(4) == 0) {
      // An expression example: resolved by embedding arithmetic, so of unit length.
      float[] literal = random(r, DIMS.get(space));
      pos.add(QueryExpr.vector(literal));
      posV.add(RecommendReference.unit(literal));
    }
    Filter filter = r.nextInt(3) == 0 ? Filter.term("colour", COLOURS[r.nextInt(3)]) : null;
    Recommend rec = new Recommend(pos, neg, strategy, space);
    return new Case(rec, posV, negV, rec.exampleIds(), space, filter);
  }

  // ---------------------------------------------------------------- strategies vs reference

  @Test
  void averageVectorMatchesBruteForce() {
    Random r = new Random(SEED);
    Fixture f = fixture(r);
    Recommender recommender = new Recommender(backend);
    for (int t = 0; t < 60; t++) {
      String what = "seed " + SEED + " case " + t;
      Case c = randomCase(r, f, RecommendStrategy.AVERAGE_VECTOR);
      Similarity sim = SPACES.get(c.space());
      List<Scored> all =
          RecommendReference.averageVector(
              sim,
              c.positive(),
              c.negative(),
              f.vectors().get(c.space()),
              f.allowed(c.filter()),
              c.examples());
      int k = 1 + r.nextInt(40);
      Double min = r.nextInt(4) == 0 ? between(all, r) : null;
      Recommender.Examples ex = recommender.resolve(f.name(), c.recommend(), TermEmbedder.none());
      assertEquals(c.space(), ex.space());
      SearchResult got = recommender.search(f.name(), ex, k, c.filter(), min, SearchMode.EXACT);
      assertMatches(expected(all, k, min), all, got, what + " " + c.recommend());
    }
  }

  @Test
  void bestScoreMatchesBruteForce() {
    Random r = new Random(SEED + 1);
    Fixture f = fixture(r);
    Recommender recommender = new Recommender(backend);
    for (int t = 0; t < 40; t++) {
      String what = "seed " + (SEED + 1) + " case " + t;
      Case c = randomCase(r, f, RecommendStrategy.BEST_SCORE);
      Similarity sim = SPACES.get(c.space());
      Map<String, List<float[]>> items = f.vectors().get(c.space());
      Predicate<String> allowed = f.allowed(c.filter());
      Recommender.Examples ex = recommender.resolve(f.name(), c.recommend(), TermEmbedder.none());
      // Deep enough that every positive's candidates are every item: the brute-force answer.
      List<Scored> all =
          RecommendReference.bestScore(
              sim, c.positive(), c.negative(), items, allowed, c.examples(), null);
      Double min = r.nextInt(4) == 0 ? between(all, r) : null;
      SearchResult deep =
          recommender.search(f.name(), ex, N + 10, c.filter(), min, SearchMode.EXACT);
      assertMatches(expected(all, N + 10, min), all, deep, what + " deep " + c.recommend());
      // Shallow: the candidates are each positive's k + |examples| nearest items.
      int k = 1 + r.nextInt(20);
      Set<String> pool = new LinkedHashSet<>();
      for (float[] p : c.positive()) {
        pool.addAll(RecommendReference.nearest(sim, p, items, allowed, k + c.examples().size()));
      }
      List<Scored> inPool =
          RecommendReference.bestScore(
              sim, c.positive(), c.negative(), items, allowed, c.examples(), pool);
      SearchResult shallow =
          recommender.search(f.name(), ex, k, c.filter(), null, SearchMode.EXACT);
      assertMatches(expected(inPool, k, null), inPool, shallow, what + " k=" + k);
      if (!c.negative().isEmpty()) {
        // The penalty puts every item that leans to a negative below every one that does not.
        for (Hit h : deep.hits()) {
          assertTrue(h.score() > -1 || h.score() <= -1 + TOLERANCE, what + " " + h);
        }
      }
    }
  }

  /** A threshold halfway between two neighbouring reference scores, so no score sits on it. */
  private static Double between(List<Scored> all, Random r) {
    if (all.size() < 2) {
      return null;
    }
    int j = r.nextInt(all.size() - 1);
    return (all.get(j).score() + all.get(j + 1).score()) / 2;
  }

  private static List<Scored> expected(List<Scored> all, int k, Double min) {
    return all.stream().filter(s -> min == null || s.score() >= min).limit(k).toList();
  }

  /**
   * Same length, each position's score equal to the reference's there, and each hit's own reference
   * score equal to it too (so near-equal scores may swap places, nothing else may).
   */
  private static void assertMatches(
      List<Scored> want, List<Scored> all, SearchResult got, String what) {
    Map<String, Double> ref = new HashMap<>();
    all.forEach(s -> ref.put(s.id(), s.score()));
    List<String> gotIds = got.hits().stream().map(Hit::id).toList();
    assertEquals(want.size(), got.hits().size(), what + ": want " + want + "\n got " + gotIds);
    for (int i = 0; i < want.size(); i++) {
      Hit h = got.hits().get(i);
      assertEquals(want.get(i).score(), h.score(), TOLERANCE, what + " rank " + (i + 1));
      assertTrue(ref.containsKey(h.id()), what + ": " + h.id() + " should not be a hit");
      assertEquals(want.get(i).score(), ref.get(h.id()), TOLERANCE, what + " " + h.id());
    }
    assertEquals(gotIds.size(), new LinkedHashSet<>(gotIds).size(), what + ": repeated ids");
  }

  // ---------------------------------------------------------------- through the executor

  @Test
  void examplesNeverComeBackFromAnyLeg() {
    Random r = new Random(SEED + 2);
    Fixture f = fixture(r);
    QueryExecutor executor = new QueryExecutor(backend);
    for (int t = 0; t < 40; t++) {
      RecommendStrategy strategy = RecommendStrategy.values()[t % 2];
      Case c = randomCase(r, f, strategy);
      String what = "seed " + (SEED + 2) + " case " + t + " " + c.recommend();
      QuerySpec spec = QuerySpec.of(c.recommend());
      boolean alone = r.nextBoolean();
      if (!alone) {
        // Legs beside it that would rank the examples high: BM25 over every word, and (where a
        // literal names one space) a kNN leg at the first example itself.
        String first = c.examples().iterator().next();
        QueryExpr knn =
            c.space().equals("l2") && r.nextBoolean()
                ? QueryExpr.vector(f.vectors().get("l2").get(first).get(0))
                : null;
        spec = new QuerySpec(knn, "red fox owl sky sea tree", c.recommend());
      }
      int k = alone ? N + 10 : 1 + r.nextInt(60);
      SearchResponse res =
          executor.search(
              f.name(),
              spec,
              SearchOptions.of(k).withFilter(c.filter()).withExplain(true),
              TermEmbedder.none());
      for (ResultHit h : res.hits()) {
        assertFalse(c.examples().contains(h.id()), what + ": example " + h.id() + " came back");
      }
      assertTrue(
          res.legs().containsKey(QueryExecutor.RECOMMEND_PREFIX + c.space()),
          what + " " + res.legs());
      if (alone && strategy == RecommendStrategy.AVERAGE_VECTOR) {
        // Every other item that passes the filter and has a vector in the space.
        long others =
            f.vectors().get(c.space()).keySet().stream()
                .filter(f.allowed(c.filter()))
                .filter(id -> !c.examples().contains(id))
                .count();
        assertEquals(others, res.hits().size(), what);
      }
    }
  }

  @Test
  void pagesOfARecommendNeitherRepeatNorSkip() {
    Random r = new Random(SEED + 3);
    Fixture f = fixture(r);
    QueryExecutor executor = new QueryExecutor(backend);
    for (int t = 0; t < 8; t++) {
      Case c = randomCase(r, f, RecommendStrategy.values()[t % 2]);
      String what = "seed " + (SEED + 3) + " case " + t + " " + c.recommend();
      QuerySpec spec = QuerySpec.of(c.recommend());
      SearchOptions one = SearchOptions.of(42).withFilter(c.filter());
      List<String> whole = ids(executor.search(f.name(), spec, one, TermEmbedder.none()));
      List<String> byOffset = new ArrayList<>();
      List<String> byCursor = new ArrayList<>();
      SearchCursor cursor = null;
      for (int page = 0; page < 6; page++) {
        SearchOptions o = SearchOptions.of(7).withFilter(c.filter());
        byOffset.addAll(
            ids(executor.search(f.name(), spec, o.withOffset(7 * page), TermEmbedder.none())));
        SearchResponse p =
            executor.search(f.name(), spec, o.withCursor(cursor), TermEmbedder.none());
        byCursor.addAll(ids(p));
        if (p.nextCursor() == null) {
          break;
        }
        cursor = SearchCursor.decode(p.nextCursor());
      }
      assertEquals(whole, byOffset, what + " by offset");
      assertEquals(whole, byCursor, what + " by cursor");
    }
  }

  @Test
  void fusesWithOtherLegsLikeAnyLeg() {
    Random r = new Random(SEED + 4);
    Fixture f = fixture(r);
    QueryExecutor executor = new QueryExecutor(backend);
    Recommender recommender = new Recommender(backend);
    Recommend rec =
        Recommend.ofIds(List.of(f.plain().get(3), f.plain().get(7)), List.of(f.plain().get(11)))
            .inSpace("cos");
    QuerySpec spec = QuerySpec.of(rec).withBm25("red fox");
    for (FusionConfig fusion :
        List.of(
            FusionConfig.rrf(),
            FusionConfig.dbsf(),
            FusionConfig.rrf().withWeights(Map.of("recommend:cos", 2.0)))) {
      SearchResponse res =
          executor.search(
              f.name(),
              spec,
              SearchOptions.of(10).withFusion(fusion).withExplain(true),
              TermEmbedder.none());
      assertEquals(List.of("recommend:cos", "bm25"), List.copyOf(res.legs().keySet()));
      assertEquals("recommend", res.legs().get("recommend:cos").kind());
      // The same legs fused by hand: the recommend leg and BM25 without the examples.
      SearchResult recLeg =
          recommender.search(
              f.name(),
              recommender.resolve(f.name(), rec, TermEmbedder.none()),
              SearchOptions.DEFAULT_CANDIDATES,
              null,
              null,
              SearchMode.AUTO);
      List<Hit> text = new ArrayList<>();
      for (Hit h :
          backend
              .text(f.name(), TextQuery.of("red fox", SearchOptions.DEFAULT_CANDIDATES + 3))
              .hits()) {
        if (!rec.exampleIds().contains(h.id()) && text.size() < SearchOptions.DEFAULT_CANDIDATES) {
          text.add(h);
        }
      }
      List<FusedHit> fused =
          RankFusion.fuse(
              List.of(
                  LegResult.of("recommend:cos", recLeg),
                  new LegResult("bm25", text, SearchResult.Strategy.BM25, 0)),
              fusion,
              10);
      assertEquals(fused.stream().map(FusedHit::id).toList(), ids(res), fusion.toString());
      assertEquals(
          Set.of("recommend:cos", "bm25"), Set.copyOf(res.hits().get(0).explain().legs().keySet()));
    }
    // A leg threshold names the recommend leg like any other.
    SearchResponse strict =
        executor.search(
            f.name(),
            QuerySpec.of(rec),
            SearchOptions.of(10).withLegMinScores(Map.of("recommend:cos", 0.99)),
            TermEmbedder.none());
    assertTrue(strict.hits().stream().allMatch(h -> h.score() >= 0.99), strict.hits().toString());
  }

  private static List<String> ids(SearchResponse r) {
    return r.hits().stream().map(ResultHit::id).toList();
  }

  // ---------------------------------------------------------------- errors

  @Test
  void badRecommendsAreRejectedWithTheReason() {
    Fixture f = fixture(new Random(SEED + 5));
    Recommender recommender = new Recommender(backend);
    String a = f.plain().get(0);
    NotFoundException unknown =
        assertThrows(
            NotFoundException.class,
            () ->
                recommender.resolve(
                    f.name(),
                    Recommend.ofIds(List.of(a, "no-such-item"), List.of()).inSpace("cos"),
                    TermEmbedder.none()));
    assertTrue(
        unknown.getMessage().contains("'no-such-item' is not in collection '" + f.name() + "'"),
        unknown.getMessage());
    assertThrows(
        NotFoundException.class,
        () ->
            recommender.resolve(
                f.name(),
                new Recommend(
                    List.of(QueryExpr.item(a).plus(QueryExpr.item("gone"))), null, null, "cos"),
                TermEmbedder.none()));
    rejects(
        () -> Recommend.ofIds(List.of(), List.of(a)),
        "needs at least one positive example, got none (and 1 negative)");
    rejects(
        () -> recommender.resolve(f.name(), Recommend.ofIds(List.of(a), List.of()), none()),
        "spaces [cos, dot, l2] all fit; name one with space=NAME");
    rejects(
        () ->
            recommender.resolve(
                f.name(), Recommend.ofIds(List.of(a), List.of()).inSpace("clip"), none()),
        "names space 'clip', which collection '" + f.name() + "' does not have");
    rejects(
        () ->
            recommender.resolve(
                f.name(), Recommend.ofIds(List.of(a, "seg-only"), List.of()), none()),
        "no space fits them all",
        "item:seg-only fits []");
    rejects(
        () ->
            recommender.resolve(
                f.name(),
                new Recommend(
                    List.of(QueryExpr.item(a), QueryExpr.vector(1, 2, 3)), null, null, "l2"),
                none()),
        "example vector:[1.0, 2.0, 3.0] cannot be in space 'l2'; it fits no space");
    float[] x = new float[8];
    x[0] = 1;
    float[] minusX = new float[8];
    minusX[0] = -1;
    Recommender.Examples cancel =
        recommender.resolve(
            f.name(),
            new Recommend(
                List.of(QueryExpr.vector(x), QueryExpr.vector(minusX)), null, null, "cos"),
            none());
    rejects(
        () -> recommender.search(f.name(), cancel, 5, null, null, SearchMode.AUTO),
        "average vector is zero");

    String empty = "recommend-empty-" + NAMES.incrementAndGet();
    backend.createCollection(CollectionConfig.of(empty, SpaceConfig.of("e", 4, Similarity.COSINE)));
    created.add(empty);
    UnprocessableException e =
        assertThrows(
            UnprocessableException.class,
            () -> recommender.resolve(empty, Recommend.ofIds(List.of("a"), List.of()), none()));
    assertTrue(e.getMessage().contains("collection '" + empty + "' is empty"), e.getMessage());
  }

  private static TermEmbedder none() {
    return TermEmbedder.none();
  }

  private static void rejects(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }
  }
}
