package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.indexer.Filter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bindery search} against a real MiniLM text collection, compared with the facade. */
class SearchCommandTest {
  private static final String C = "notes";

  @TempDir static Path data;

  private final ObjectMapper mapper = new ObjectMapper();

  @BeforeAll
  static void index() {
    try (Bindery b = Bindery.open(data)) {
      b.createCollection(C, ModelPackage.DEFAULT_TEXT);
      b.addText(C, "n1", "a cat asleep on the sofa", Map.of("room", "living", "year", 2019L));
      b.addText(C, "n2", "a puppy chewing a slipper", Map.of("room", "hall", "year", 2021L));
      b.addText(
          C, "n3", "stock markets fell sharply today", Map.of("room", "office", "year", 2023L));
      b.addText(
          C, "n4", "a kitten curled up on the couch", Map.of("room", "living", "year", 2024L));
      b.addText(C, "n5", "a dog barking at the postman", Map.of("room", "hall", "year", 2015L));
      b.commit(C);
    }
  }

  private CliRun search(String... args) {
    List<String> all = new ArrayList<>(List.of("search", "--data", data.toString()));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void recommendFindsItemsLikeTheExamplesWithoutThem() throws Exception {
    String query = "recommend(+item:n1, -item:n3, strategy=best_score)";
    CliRun run = search("--collection", C, "--json", query);
    assertEquals(0, run.exitCode(), run.err());
    JsonNode body = mapper.readTree(run.out());
    List<String> ids = new ArrayList<>();
    body.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    List<String> expected;
    try (Bindery b = Bindery.open(data)) {
      expected = b.search(C, query, 10).hits().stream().map(ResultHit::id).toList();
    }
    assertEquals(expected, ids);
    assertEquals(List.of("n2", "n4", "n5"), ids.stream().sorted().toList(), "all but n1 and n3");
    assertEquals("n4", ids.get(0), "the kitten on the couch is most like the cat on the sofa");
    assertEquals(query, body.get("query").asText());
    assertTrue(body.get("legs").has("recommend:minilm-l6-v2"), run.out());

    CliRun unknown = search("--collection", C, "recommend(+item:n9)");
    assertEquals(2, unknown.exitCode(), unknown.err());
    assertTrue(unknown.err().contains("item 'n9' is not in collection 'notes'"), unknown.err());
    CliRun bad = search("--collection", C, "recommend(-item:n1)");
    assertEquals(2, bad.exitCode(), bad.err());
    assertTrue(bad.err().contains("needs at least one positive example"), bad.err());
  }

  @Test
  void jsonHitsEqualTheFacadesRanking() throws Exception {
    String query = "text:\"a cat on a sofa\" - 0.3*text:\"a dog\"";
    CliRun run = search("--collection", C, "--k", "4", "--json", query);
    assertEquals(0, run.exitCode(), run.err());
    JsonNode body = mapper.readTree(run.out());
    assertTrue(body.get("took_ms").isIntegralNumber(), run.out());
    assertEquals(C, body.get("collection").asText());
    List<String> ids = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    for (JsonNode h : body.get("hits")) {
      ids.add(h.get("id").asText());
      scores.add(h.get("score").asDouble());
      assertEquals("text", h.get("modality").asText(), h.toString());
      assertTrue(h.get("metadata").has("room"), h.toString());
    }
    List<ResultHit> expected;
    try (Bindery b = Bindery.open(data)) {
      expected = b.search(C, query, 4).hits();
    }
    assertEquals(expected.stream().map(ResultHit::id).toList(), ids);
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(expected.get(i).score(), scores.get(i), 1e-6, ids.get(i));
    }
    // The two cat sentences lead; the dog ones are pushed down by the subtraction.
    assertEquals(List.of("n1", "n4"), ids.subList(0, 2).stream().sorted().toList(), run.out());
    assertTrue(body.get("legs").has("knn:minilm-l6-v2"), run.out());
  }

  @Test
  void minScoreAndOffsetCutTheFacadesRanking() throws Exception {
    String query = "text:\"a cat on a sofa\"";
    List<ResultHit> all;
    try (Bindery b = Bindery.open(data)) {
      all = b.search(C, query, 5).hits();
    }
    double min = (all.get(1).score() + all.get(2).score()) / 2;
    CliRun cut = search("--collection", C, "--json", "--min-score", Double.toString(min), query);
    assertEquals(0, cut.exitCode(), cut.err());
    List<String> ids = new ArrayList<>();
    mapper.readTree(cut.out()).get("hits").forEach(h -> ids.add(h.get("id").asText()));
    assertEquals(List.of(all.get(0).id(), all.get(1).id()), ids, cut.out());
    CliRun none = search("--collection", C, "--json", "--min-score", "1.5", query);
    assertEquals(0, none.exitCode(), none.err());
    assertEquals(0, mapper.readTree(none.out()).get("hits").size(), none.out());
    CliRun page = search("--collection", C, "--json", "--k", "2", "--offset", "2", query);
    assertEquals(0, page.exitCode(), page.err());
    List<String> paged = new ArrayList<>();
    mapper.readTree(page.out()).get("hits").forEach(h -> paged.add(h.get("id").asText()));
    assertEquals(List.of(all.get(2).id(), all.get(3).id()), paged, page.out());
    CliRun tooDeep = search("--collection", C, "--k", "10", "--offset", "9995", query);
    assertEquals(2, tooDeep.exitCode(), tooDeep.err());
    assertTrue(tooDeep.err().contains("offset 9995 + k 10 = 10005"), tooDeep.err());
  }

  @Test
  void tablePrintsOneRowPerHitAndTheLegs() {
    CliRun run = search("--collection", C, "-k", "2", "text:kitten");
    assertEquals(0, run.exitCode(), run.err());
    List<String> lines = run.out().lines().toList();
    assertTrue(
        lines.get(0).matches("#\\s+score\\s+id\\s+modality\\s+segment\\s+metadata"), run.out());
    assertTrue(
        lines.get(1).matches("\\s*1\\s+0\\.\\d{4}\\s+n4\\s+text\\s+room=living year=2024"),
        run.out());
    assertTrue(lines.get(2).matches("\\s*2\\s+0\\.\\d{4}\\s+n\\d\\s+text\\s+.*"), run.out());
    assertTrue(
        lines.get(3).matches("2 hits in \\d+ ms \\(knn:minilm-l6-v2 \\w+ visited \\d+, 2 hits\\)"),
        run.out());
  }

  @Test
  void filtersAreTypedByTheCollectionsFieldsAndMatchTheFacade() throws Exception {
    CliRun run =
        search(
            "--collection",
            C,
            "--json",
            "--filter",
            "room=living",
            "--filter",
            "year>=2020",
            "text:animal");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode hits = mapper.readTree(run.out()).get("hits");
    assertEquals(1, hits.size(), run.out());
    assertEquals("n4", hits.get(0).get("id").asText());

    CliRun range =
        search("--collection", C, "--json", "--filter", "year=2015..2021", "text:animal");
    assertEquals(0, range.exitCode(), range.err());
    List<String> ids = new ArrayList<>();
    mapper.readTree(range.out()).get("hits").forEach(h -> ids.add(h.get("id").asText()));
    List<String> expected;
    try (Bindery b = Bindery.open(data)) {
      expected =
          b
              .search(
                  C,
                  QuerySpec.parse("text:animal"),
                  SearchOptions.of(10).withFilter(Filter.range("year", 2015L, 2021L)))
              .hits()
              .stream()
              .map(ResultHit::id)
              .toList();
    }
    assertEquals(expected, ids);
    assertEquals(List.of("n1", "n2", "n5"), ids.stream().sorted().toList());
  }

  @Test
  void explainShowsBothLegsOfAHybridQuery() {
    CliRun run =
        search("--collection", C, "-k", "3", "--explain", "text:\"a sleeping cat\" + bm25:couch");
    assertEquals(0, run.exitCode(), run.err());
    String out = run.out();
    assertTrue(out.contains("(knn:minilm-l6-v2 "), out);
    assertTrue(out.contains("; bm25 bm25, 1 hits)"), out);
    // n4 is the only item with "couch": its explain has a BM25 rank of 1 and a kNN rank.
    int at = out.indexOf("\nn4  score ");
    assertTrue(at >= 0, out);
    String n4 = out.substring(at);
    assertTrue(
        n4.matches(
            "(?s).*\\n  knn:minilm-l6-v2\\s+[123]\\s+0\\.\\d{6}\\s+0\\.\\d{6}\\s+HNSW\\s+\\d+.*"),
        n4);
    assertTrue(
        n4.matches("(?s).*\\n  bm25\\s+1\\s+\\d+\\.\\d{6}\\s+0\\.\\d{6}\\s+BM25\\s+\\d+.*"), n4);
  }

  @Test
  void badExpressionIsExit2WithACaretUnderTheColumn() {
    CliRun run = search("--collection", C, "text:a + photo:x");
    assertEquals(2, run.exitCode(), run.err());
    assertEquals("", run.out());
    List<String> err = run.err().lines().toList();
    assertTrue(
        err.get(0).startsWith("bindery search: bad query: unknown term type 'photo'"), run.err());
    assertTrue(err.get(0).endsWith("at column 10"), run.err());
    assertEquals("  text:a + photo:x", err.get(1));
    assertEquals("           ^", err.get(2), "caret under column 10");
  }

  @Test
  void unknownCollectionIsExit1WithOneLine() {
    CliRun run = search("--collection", "nope", "text:x");
    assertEquals(1, run.exitCode(), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().contains("no collection 'nope'"), run.err());
    assertTrue(run.err().contains("there are [notes]"), run.err());
  }

  @Test
  void missingDataDirectoryIsExit1AndIsNotCreated() {
    Path missing = data.resolve("does-not-exist");
    CliRun run = CliRun.of("search", "--data", missing.toString(), "--collection", C, "text:x");
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(run.err().contains("no data directory"), run.err());
    assertTrue(!java.nio.file.Files.exists(missing), "search must not create " + missing);
  }

  @Test
  void wrongOptionsAreExit2NamingTheProblem() {
    CliRun unknownField = search("--collection", C, "--filter", "colour=red", "text:x");
    assertEquals(2, unknownField.exitCode(), unknownField.err());
    assertTrue(unknownField.err().contains("unknown metadata field 'colour'"), unknownField.err());
    assertTrue(unknownField.err().contains("[room, year]"), unknownField.err());

    CliRun badNumber = search("--collection", C, "--filter", "year>=soon", "text:x");
    assertEquals(2, badNumber.exitCode(), badNumber.err());
    assertTrue(badNumber.err().contains("field 'year' is long, got 'soon'"), badNumber.err());

    CliRun badK = search("--collection", C, "--k", "0", "text:x");
    assertEquals(2, badK.exitCode(), badK.err());
    assertTrue(badK.err().contains("--k must be in 1.."), badK.err());

    CliRun badFusion = search("--collection", C, "--fusion", "borda", "text:x");
    assertEquals(2, badFusion.exitCode(), badFusion.err());
    assertTrue(badFusion.err().contains("unknown fusion method 'borda'"), badFusion.err());

    CliRun noTower = search("--collection", C, "image:cat.png");
    assertEquals(2, noTower.exitCode(), noTower.err());
    assertTrue(noTower.err().contains("cannot run the query on 'notes'"), noTower.err());

    CliRun noQuery = search("--collection", C);
    assertEquals(2, noQuery.exitCode(), noQuery.err());
    assertTrue(noQuery.err().contains("QUERY"), noQuery.err());
  }
}
