package dev.bindery.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.query.QueryExecutor;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.fusion.rank.Explanation;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.LegExplanation;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** End to end with the real MiniLM text tower and the Lucene backend in a temporary directory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinderyTextSearchTest {
  private static final String C = "notes";
  private static final String SPACE = "minilm-l6-v2";

  private static final String[][] TEXTS = {
    {"cat1", "pets", "a cat sleeping on a sofa"},
    {"cat2", "pets", "a kitten curled up on the couch"},
    {"cat3", "pets", "the cat lies on the sofa cushions"},
    {"dog1", "pets", "a dog running in the park"},
    {"dog2", "pets", "a puppy chasing a ball on the grass"},
    {"dog3", "pets", "the dog barks at the postman"},
    {"bird1", "pets", "a parrot sitting in its cage"},
    {"fin1", "finance", "stock markets fall sharply after the report"},
    {"fin2", "finance", "the central bank raises interest rates"},
    {"fin3", "finance", "investors sell shares as inflation rises"},
    {"fin4", "finance", "the sofa maker's shares jumped on strong sales"},
    {"wx1", "weather", "heavy rain expected over the weekend"},
    {"wx2", "weather", "a sunny and warm afternoon"},
    {"wx3", "weather", "snow storms close the mountain roads"},
    {"food1", "food", "a bowl of hot tomato soup"},
    {"food2", "food", "fresh bread from the bakery"},
    {"food3", "food", "grilled fish with lemon"},
    {"sport1", "sport", "the team won the football final"},
    {"sport2", "sport", "a tennis player serves an ace"},
    {"sport3", "sport", "marathon runners cross the finish line"},
    {"tech1", "tech", "a new smartphone with a bigger screen"},
    {"tech2", "tech", "the laptop battery lasts all day"},
    {"tech3", "tech", "engineers release a software update"},
    {"home1", "home", "a red sofa in a bright living room"},
    {"home2", "home", "a wooden table with four chairs"},
    {"home3", "home", "a lamp on the bedside table"},
    {"trav1", "travel", "a train crossing the alps"},
    {"trav2", "travel", "a beach with palm trees"},
    {"trav3", "travel", "a busy airport terminal at night"},
    {"music1", "music", "a violinist playing in an orchestra"},
  };

  @TempDir static Path dir;
  private Bindery bindery;

  @BeforeAll
  void index() {
    bindery = Bindery.open(dir);
    CollectionConfig config = bindery.createCollection(C, ModelPackage.DEFAULT_TEXT);
    assertEquals(Map.of(SPACE, SpaceConfig.of(SPACE, 384, Similarity.COSINE)), config.spaces());
    for (String[] t : TEXTS) {
      bindery.addText(C, t[0], t[2], Map.of("topic", t[1]));
    }
    bindery.commit(C);
  }

  @AfterAll
  void close() {
    if (bindery != null) {
      bindery.close();
    }
  }

  private static List<String> ids(SearchResponse r) {
    return r.hits().stream().map(ResultHit::id).toList();
  }

  @Test
  void catSentencesRankFirst() {
    SearchResponse r = bindery.search(C, "text:\"a cat on a sofa\"", 5);
    List<String> ids = ids(r);
    assertEquals(5, ids.size());
    assertTrue(ids.subList(0, 3).containsAll(List.of("cat1", "cat2", "cat3")), ids.toString());
    LegInfoCheck.single(r, "knn:" + SPACE);
    // One leg: its own cosine scores, descending.
    for (int i = 1; i < r.hits().size(); i++) {
      assertTrue(r.hits().get(i - 1).score() >= r.hits().get(i).score());
    }
    assertTrue(r.hits().get(0).score() > 0.5 && r.hits().get(0).score() <= 1.0001);
    assertEquals("text", r.hits().get(0).modality());
    assertEquals("pets", r.hits().get(0).metadata().get("topic"));
    assertNull(r.hits().get(0).explain());
  }

  @Test
  void subtractionMovesAwayFromTheSubtractedTerm() {
    List<String> plain = ids(bindery.search(C, "text:\"a pet animal\"", 30));
    List<String> minusDog =
        ids(bindery.search(C, "text:\"a pet animal\" - 0.5*text:\"a dog\"", 30));
    int bestDogPlain = bestRank(plain, "dog");
    int bestDogMinus = bestRank(minusDog, "dog");
    assertTrue(bestDogMinus > bestDogPlain, plain + " vs " + minusDog);

    // The query vector is the naive normalized difference of the two text vectors.
    ModelPackage pkg = ModelPackage.defaultText();
    try (pkg) {
      float[] x = pkg.textEncoder().encode("a pet animal");
      float[] y = pkg.textEncoder().encode("a dog");
      double[] d = new double[x.length];
      double n = 0;
      for (int i = 0; i < x.length; i++) {
        d[i] = x[i] - 0.5 * y[i];
        n += d[i] * d[i];
      }
      float[] expected = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        expected[i] = (float) (d[i] / Math.sqrt(n));
      }
      float[] got =
          new QueryExecutor(bindery.backend())
              .resolve(
                  C,
                  QuerySpec.parse("text:\"a pet animal\" - 0.5*text:\"a dog\"").expression(),
                  bindery.embedder(C))
              .vector();
      assertArrayEquals(expected, got, 1e-5f);
    }
  }

  private static int bestRank(List<String> ids, String prefix) {
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return ids.size();
  }

  @Test
  void hybridFusesBm25AndKnnWithExplain() {
    SearchResponse r =
        bindery.search(
            C,
            QuerySpec.parse("text:\"a cat on a sofa\" + bm25:\"sofa\""),
            SearchOptions.of(5).withExplain(true));
    assertEquals(List.of("knn:" + SPACE, "bm25"), List.copyOf(r.legs().keySet()));
    assertEquals(SearchResult.Strategy.BM25, r.legs().get("bm25").strategy());
    assertEquals("knn", r.legs().get("knn:" + SPACE).kind());
    // cat1 and cat3 mention "sofa" and are near the vector: both legs rank them high.
    assertTrue(ids(r).subList(0, 2).containsAll(List.of("cat1", "cat3")), ids(r).toString());
    for (ResultHit h : r.hits()) {
      Explanation explain = h.explain();
      assertNotNull(explain, h.id());
      assertEquals(h.score(), explain.score(), 1e-12);
      Map<String, LegExplanation> legs = explain.legs();
      assertEquals(List.of("knn:" + SPACE, "bm25"), List.copyOf(legs.keySet()));
      // RRF with k = 60: the fused score is the sum of 1 / (60 + rank) over the legs present.
      double expected = 0;
      for (LegExplanation leg : legs.values()) {
        int rank = leg.score().rank();
        if (rank > 0) {
          expected += 1.0 / (60 + rank);
          assertTrue(leg.score().present());
        }
        assertTrue(leg.strategy() != null && leg.visited() != null, leg.toString());
      }
      assertEquals(expected, h.score(), 1e-9, h.id());
    }
    // BM25 alone: the sofa texts only.
    List<String> bm25 = ids(bindery.search(C, "bm25:sofa", 10));
    assertEquals(List.of("cat1", "cat3", "fin4", "home1"), bm25.stream().sorted().toList());
  }

  @Test
  void filterIsSharedByAllLegs() {
    SearchResponse r =
        bindery.search(
            C,
            QuerySpec.parse("text:\"a cat on a sofa\" + bm25:sofa"),
            SearchOptions.of(5).withFilter(Filter.term("topic", "finance")));
    assertFalse(r.hits().isEmpty());
    for (ResultHit h : r.hits()) {
      assertEquals("finance", h.metadata().get("topic"), h.id());
    }
    assertEquals("fin4", r.hits().get(0).id(), ids(r).toString());
  }

  @Test
  void mmrWithLambdaOneIsThePlainRanking() {
    List<String> plain = ids(bindery.search(C, "text:\"a cat on a sofa\"", 8));
    SearchResponse mmr =
        bindery.search(
            C, QuerySpec.parse("text:\"a cat on a sofa\""), SearchOptions.of(8).withMmr(1.0));
    assertEquals(plain, ids(mmr));
    List<String> diverse =
        ids(
            bindery.search(
                C, QuerySpec.parse("text:\"a cat on a sofa\""), SearchOptions.of(8).withMmr(0.3)));
    assertEquals(8, diverse.size());
    assertEquals(plain.get(0), diverse.get(0));
  }

  @Test
  void weightedFusionAndWeightErrors() {
    SearchResponse r =
        bindery.search(
            C,
            QuerySpec.parse("text:\"a cat on a sofa\" + bm25:sofa"),
            SearchOptions.of(5).withFusion(FusionConfig.dbsf()));
    for (ResultHit h : r.hits()) {
      assertTrue(h.score() >= 0 && h.score() <= 1, h.toString());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                bindery.search(
                    C,
                    QuerySpec.parse("text:cat"),
                    SearchOptions.of(5)
                        .withFusion(FusionConfig.rrf().withWeights(Map.of("bm25", 0.5)))));
    assertTrue(
        e.getMessage()
            .contains(
                "fusion weight for leg 'bm25', but this query's legs are [knn:" + SPACE + "]"),
        e.getMessage());
  }

  @Test
  void badRequestsSayWhy() {
    IllegalArgumentException img =
        assertThrows(IllegalArgumentException.class, () -> bindery.search(C, "image:cat.png", 5));
    assertTrue(
        img.getMessage().contains("image:cat.png needs a tower for image"), img.getMessage());
    assertTrue(img.getMessage().contains("[text]"), img.getMessage());
    IllegalArgumentException ext =
        assertThrows(
            IllegalArgumentException.class, () -> bindery.addFile(C, Path.of("notes.xyz")));
    assertTrue(
        ext.getMessage().contains("'notes.xyz'") && ext.getMessage().contains("png"),
        ext.getMessage());
    IllegalArgumentException model =
        assertThrows(
            IllegalArgumentException.class,
            () -> bindery.createCollection("nomodel", dir.resolve("nowhere").toString()));
    assertTrue(model.getMessage().contains("nowhere"), model.getMessage());
    assertFalse(bindery.listCollections().contains("nomodel"));
    IllegalArgumentException exists =
        assertThrows(
            IllegalArgumentException.class,
            () -> bindery.createCollection(C, ModelPackage.DEFAULT_TEXT));
    assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
  }

  @Test
  void rawVectorCollectionsAndReopening() throws Exception {
    Path other = dir.resolve("second");
    try (Bindery b = Bindery.open(other)) {
      b.createCollection(CollectionConfig.of("raw", SpaceConfig.of("v", 3, Similarity.COSINE)));
      b.addVectors("raw", "x", Map.of("v", new float[] {1, 0, 0}), Map.of());
      b.addVectors("raw", "y", Map.of("v", new float[] {0, 1, 0}), Map.of());
      b.addVectors("raw", "xy", Map.of("v", new float[] {1, 1, 0}), Map.of());
      b.commit("raw");
      assertEquals(List.of("x", "xy", "y"), ids(b.search("raw", "vector:[1, 0.1, 0]", 3)));
      assertEquals("y", ids(b.search("raw", "item:xy - item:x", 1)).get(0));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> b.search("raw", "text:cat", 1));
      assertTrue(e.getMessage().contains("no model package (raw vectors)"), e.getMessage());
      IllegalArgumentException add =
          assertThrows(
              IllegalArgumentException.class, () -> b.addText("raw", "t", "cat", Map.of()));
      assertTrue(add.getMessage().contains("'raw' has no model package"), add.getMessage());

      b.createCollection("texts", ModelPackage.DEFAULT_TEXT);
      b.addText("texts", "a", "a cat on a mat", Map.of());
      b.commit("texts");
    }
    assertTrue(Files.exists(other.resolve("collections/texts/" + CollectionModelFile.NAME)));
    try (Bindery b = Bindery.open(other)) {
      assertEquals(ModelPackage.DEFAULT_TEXT, b.modelLocation("texts").orElseThrow());
      assertTrue(b.modelLocation("raw").isEmpty());
      assertEquals(List.of("a"), ids(b.search("texts", "text:kitten", 1)));
      assertTrue(b.dropCollection("texts"));
    }
  }

  /** Checks on the legs of a one-leg response. */
  private static final class LegInfoCheck {
    static void single(SearchResponse r, String leg) {
      assertEquals(List.of(leg), List.copyOf(r.legs().keySet()));
      assertTrue(r.legs().get(leg).visited() > 0);
    }
  }
}
