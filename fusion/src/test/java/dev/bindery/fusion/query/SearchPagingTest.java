package dev.bindery.fusion.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.fusion.rank.FusedHit;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.LegResult;
import dev.bindery.fusion.rank.Normalization;
import dev.bindery.fusion.rank.RankFusion;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thresholds and paging through {@link QueryExecutor} on the real Lucene backend, against naive
 * references: the pages of a search, by offset and by cursor, concatenate to exactly the one-page
 * answer (no hit repeated, none skipped), thresholds keep exactly the hits at or above them, and a
 * single kNN leg's full ranking is the brute-force one. Vectors have few distinct values and
 * captions few words, so ties are common and the id tie-break is exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchPagingTest {
  private static final String C = "paging";
  private static final int N = 60;
  private static final int DIM = 4;
  private static final String[] WORDS = {"red", "fox", "owl", "sky", "sea", "tree"};
  private static final String[] COLOURS = {"red", "green", "blue"};

  @TempDir static Path dir;
  private LuceneBackend backend;
  private QueryExecutor executor;
  private final float[][] vectors = new float[N][];
  private final String[] colours = new String[N];

  @BeforeAll
  void index() {
    backend = new LuceneBackend(dir);
    backend.createCollection(CollectionConfig.of(C, SpaceConfig.of("e", DIM, Similarity.COSINE)));
    Random r = new Random(2026);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = r.nextInt(3) - 1;
      }
      v[r.nextInt(DIM)] = 2; // never the zero vector
      vectors[i] = v;
      colours[i] = COLOURS[r.nextInt(COLOURS.length)];
      StringBuilder caption = new StringBuilder(WORDS[r.nextInt(WORDS.length)]);
      for (int w = r.nextInt(3); w > 0; w--) {
        caption.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
      }
      items.add(
          Item.builder(String.format("i%03d", i), "point")
              .vector("e", v)
              .text("caption", caption.toString())
              .meta("colour", colours[i])
              .build());
    }
    backend.upsert(C, items);
    backend.commit(C);
    executor = new QueryExecutor(backend);
  }

  @AfterAll
  void close() throws Exception {
    backend.close();
  }

  private SearchResponse run(QuerySpec spec, SearchOptions o) {
    return executor.search(C, spec, o, TermEmbedder.none());
  }

  private static List<String> ids(SearchResponse r) {
    return r.hits().stream().map(ResultHit::id).toList();
  }

  @Test
  void pagesByOffsetAndCursorConcatenateToTheWholeRanking() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int c = 0; c < 2000; c++) {
      String what = "seed=" + seed + " case=" + c;
      float[] q = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        q[d] = r.nextInt(5) - 2;
      }
      q[r.nextInt(DIM)] = 3;
      boolean vector = r.nextInt(4) > 0;
      boolean text = !vector || r.nextBoolean();
      QueryExpr expr = vector ? new QueryExpr.VectorLiteral(q) : null;
      String words = text ? WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(3)] : null;
      QuerySpec spec = new QuerySpec(expr, words);
      FusionConfig fusion =
          switch (r.nextInt(4)) {
            case 0 -> FusionConfig.rrf();
            case 1 -> FusionConfig.weighted(Normalization.MIN_MAX);
            case 2 -> FusionConfig.weighted(Normalization.Z_SCORE);
            default -> FusionConfig.dbsf();
          };
      Filter filter = r.nextInt(3) == 0 ? Filter.term("colour", COLOURS[r.nextInt(3)]) : null;
      int candidates = r.nextBoolean() ? 0 : 5 + r.nextInt(60);
      SearchOptions base =
          SearchOptions.of(1).withFilter(filter).withFusion(fusion).withCandidates(candidates);
      if (r.nextInt(3) == 0) {
        base = base.withMinScore(vector && !text ? r.nextDouble() * 1.2 - 0.2 : r.nextDouble());
      }
      if (vector && text && r.nextInt(3) == 0) {
        base = base.withLegMinScores(Map.of("knn:e", r.nextDouble() * 0.8));
      }
      int k = 2 + r.nextInt(14);
      boolean fused = expr != null && words != null;
      // The reference: the legs searched once, as deep as any page of k goes (a fused query's
      // depth is fixed, a single leg's is everything), fused, thresholded; pages must cut it.
      int depth = fused ? Math.max(k, candidates > 0 ? candidates : 50) : N;
      List<String> whole = reference(q, expr != null, words, base, depth);
      assertNoDuplicates(whole, what);
      // By offset.
      List<String> byOffset = new ArrayList<>();
      for (int offset = 0; offset <= whole.size(); offset += k) {
        byOffset.addAll(ids(run(spec, withK(base, k).withOffset(offset))));
      }
      assertEquals(whole, byOffset, what + " offset pages, k=" + k);
      // By cursor.
      List<String> byCursor = new ArrayList<>();
      SearchResponse page = run(spec, withK(base, k));
      int guard = 0;
      while (true) {
        byCursor.addAll(ids(page));
        if (page.nextCursor() == null) {
          assertTrue(page.hits().size() < k, what + " a full page always has a next cursor");
          break;
        }
        assertTrue(++guard <= N + 1, what + " cursor pages do not end");
        int kk = k;
        page = run(spec, withK(base, kk).withCursor(SearchCursor.decode(page.nextCursor())));
      }
      assertEquals(whole, byCursor, what + " cursor pages, k=" + k);
    }
  }

  private List<String> reference(
      float[] q, boolean vector, String words, SearchOptions o, int depth) {
    List<LegResult> legs = new ArrayList<>();
    if (vector) {
      legs.add(
          LegResult.of(
              "knn:e",
              backend.knn(
                  C,
                  new KnnQuery(
                      "e",
                      q,
                      depth,
                      o.filter(),
                      0,
                      SearchMode.AUTO,
                      true,
                      o.legMinScores().get("knn:e")))));
    }
    if (words != null) {
      legs.add(
          LegResult.of(
              "bm25",
              backend.text(
                  C,
                  new TextQuery(
                      words, List.of(), depth, o.filter(), o.legMinScores().get("bm25")))));
    }
    List<String> out = new ArrayList<>();
    if (legs.size() == 2) {
      int total = legs.get(0).hits().size() + legs.get(1).hits().size();
      if (total > 0) {
        for (FusedHit h : RankFusion.fuse(legs, o.fusion(), total)) {
          if (o.minScore() == null || h.score() >= o.minScore()) {
            out.add(h.id());
          }
        }
      }
    } else {
      for (Hit h : legs.get(0).hits()) {
        if (o.minScore() == null || h.score() >= o.minScore()) {
          out.add(h.id());
        }
      }
    }
    return out;
  }

  private static SearchOptions withK(SearchOptions o, int k) {
    return new SearchOptions(
        k,
        o.filter(),
        o.fusion(),
        o.mmrLambda(),
        o.candidates(),
        o.bm25Fields(),
        o.explain(),
        o.minScore(),
        o.legMinScores(),
        o.offset(),
        o.after(),
        o.facets());
  }

  private static void assertNoDuplicates(List<String> ids, String what) {
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      assertTrue(seen.add(id), what + " repeats " + id);
    }
  }

  @Test
  void aSingleKnnLegWithAThresholdIsTheBruteForceAnswer() {
    Random r = new Random(7);
    for (int t = 0; t < 200; t++) {
      float[] q = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        q[d] = (float) r.nextGaussian();
      }
      double min = r.nextDouble() * 1.4 - 0.4;
      List<String> got =
          ids(
              run(
                  QuerySpec.of(new QueryExpr.VectorLiteral(q)),
                  SearchOptions.of(N).withMinScore(min)));
      // Naive: every item whose cosine is at or above min; near the threshold float rounding may
      // go either way, so items within 1e-5 of it are not held against either answer.
      Set<String> must = new HashSet<>();
      Set<String> may = new HashSet<>();
      for (int i = 0; i < N; i++) {
        double cos = cosine(vectors[i], q);
        String id = String.format("i%03d", i);
        if (cos >= min + 1e-5) {
          must.add(id);
        }
        if (cos >= min - 1e-5) {
          may.add(id);
        }
      }
      Set<String> gotSet = new HashSet<>(got);
      assertTrue(gotSet.containsAll(must), "query " + t + " min " + min + " missed hits");
      assertTrue(may.containsAll(gotSet), "query " + t + " min " + min + " returned extra hits");
    }
    // A threshold no item reaches returns nothing, and no cursor.
    SearchResponse none =
        run(
            QuerySpec.of(new QueryExpr.VectorLiteral(new float[] {1, 0, 0, 0})),
            SearchOptions.of(10).withMinScore(1.0001));
    assertEquals(List.of(), none.hits());
    assertNull(none.nextCursor());
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void facetsCountTheFilteredItemsOrTheTopHits() {
    Random r = new Random(99);
    for (int t = 0; t < 30; t++) {
      String colour = COLOURS[r.nextInt(COLOURS.length)];
      Filter filter = t % 2 == 0 ? null : Filter.term("colour", colour);
      float[] q = {r.nextInt(3) - 1, r.nextInt(3) - 1, 1, r.nextInt(3) - 1};
      QuerySpec spec = QuerySpec.of(new QueryExpr.VectorLiteral(q));
      Map<String, Long> naive = new java.util.TreeMap<>();
      for (int i = 0; i < N; i++) {
        if (filter == null || colours[i].equals(colour)) {
          naive.merge(colours[i], 1L, Long::sum);
        }
      }
      SearchResponse all =
          run(spec, SearchOptions.of(5).withFilter(filter).withFacets(FacetRequest.of("colour")));
      assertEquals(naive, counts(all.facets().get("colour")), "filtered facets, case " + t);
      int top = 1 + r.nextInt(N);
      SearchResponse topHits =
          run(
              spec,
              SearchOptions.of(5)
                  .withFilter(filter)
                  .withFacets(new FacetRequest(List.of("colour"), 0, top)));
      Map<String, Long> naiveTop = new java.util.TreeMap<>();
      for (ResultHit h : run(spec, SearchOptions.of(top).withFilter(filter)).hits()) {
        naiveTop.merge((String) h.metadata().get("colour"), 1L, Long::sum);
      }
      assertEquals(naiveTop, counts(topHits.facets().get("colour")), "top " + top + ", case " + t);
      assertEquals(ids(run(spec, SearchOptions.of(5).withFilter(filter))), ids(topHits));
    }
  }

  private static Map<String, Long> counts(Facet f) {
    Map<String, Long> out = new java.util.TreeMap<>();
    f.values().forEach(v -> out.put(v.value(), v.count()));
    return out;
  }

  @Test
  void badPagingIsRejectedWithTheReason() {
    QuerySpec spec = QuerySpec.of(new QueryExpr.VectorLiteral(new float[] {1, 1, 0, 0}));
    IllegalArgumentException deep =
        assertThrows(IllegalArgumentException.class, () -> SearchOptions.of(10).withOffset(9995));
    assertTrue(deep.getMessage().contains("offset 9995 + k 10 = 10005"), deep.getMessage());
    SearchResponse first = run(spec, SearchOptions.of(5));
    assertNotNull(first.nextCursor());
    SearchCursor cursor = SearchCursor.decode(first.nextCursor());
    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class,
            () -> SearchOptions.of(5).withCursor(cursor).withOffset(5));
    assertTrue(both.getMessage().contains("exclude each other"), both.getMessage());
    IllegalArgumentException other =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(spec, SearchOptions.of(5).withMinScore(0.1).withCursor(cursor)));
    assertTrue(other.getMessage().contains("another query"), other.getMessage());
    // The cursor knows its vector by its bits: an equal vector built anew continues it, one that
    // differs by one ulp in one component does not.
    SearchResponse second =
        run(
            QuerySpec.of(new QueryExpr.VectorLiteral(new float[] {1, 1, 0, 0})),
            SearchOptions.of(5).withCursor(cursor));
    assertEquals(first.hits().size(), 5);
    assertTrue(
        second.hits().stream()
            .noneMatch(h -> first.hits().stream().anyMatch(f -> f.id().equals(h.id()))),
        "the next page repeats none of the first");
    IllegalArgumentException nextUp =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    QuerySpec.of(
                        new QueryExpr.VectorLiteral(new float[] {1, Math.nextUp(1f), 0, 0})),
                    SearchOptions.of(5).withCursor(cursor)));
    assertTrue(nextUp.getMessage().contains("another query"), nextUp.getMessage());
    IllegalArgumentException garbage =
        assertThrows(IllegalArgumentException.class, () -> SearchCursor.decode("not-a-cursor"));
    assertTrue(garbage.getMessage().contains("is not valid"), garbage.getMessage());
    IllegalArgumentException mmr =
        assertThrows(
            IllegalArgumentException.class, () -> SearchOptions.of(5).withMmr(0.5).withOffset(5));
    assertTrue(mmr.getMessage().contains("MMR"), mmr.getMessage());
    IllegalArgumentException leg =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(spec, SearchOptions.of(5).withLegMinScores(Map.of("bm25", 1.0))));
    assertTrue(leg.getMessage().contains("leg min score for leg 'bm25'"), leg.getMessage());
    Set<String> unused = ids(first).stream().collect(Collectors.toSet());
    assertEquals(5, unused.size());
  }
}
