package dev.bindery.fusion.query;

import static dev.bindery.fusion.query.QueryExpr.item;
import static dev.bindery.fusion.query.QueryExpr.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code recommend(...)} in the expression syntax and in JSON: what it reads, and its errors. */
class RecommendSyntaxTest {
  private final QueryParser parser = new QueryParser();
  private final QuerySpecJson json = new QuerySpecJson();

  private Recommend recommend(String s) {
    QuerySpec spec = parser.parse(s);
    assertNull(spec.expression(), s);
    assertNull(spec.bm25(), s);
    return spec.recommend();
  }

  @Test
  void examplesSignsAndOptions() {
    assertEquals(
        Recommend.ofIds(List.of("a", "b"), List.of("c")),
        recommend("recommend(+item:a, +item:b, -item:c)"));
    // A sign is optional for positives; spaces around the parenthesis are fine.
    assertEquals(Recommend.ofIds(List.of("a"), List.of()), recommend("recommend ( item:a )"));
    Recommend r = recommend("recommend(-item:c, item:a, strategy=best_score, space=clip)");
    assertEquals(List.of(item("a")), r.positive());
    assertEquals(List.of(item("c")), r.negative());
    assertEquals(RecommendStrategy.BEST_SCORE, r.strategy());
    assertEquals("clip", r.space());
    assertEquals(RecommendStrategy.AVERAGE_VECTOR, recommend("recommend(+item:a)").strategy());
    // Commas separate examples; within one example + and - are arithmetic.
    Recommend sums =
        recommend("recommend(+item:a + 0.5*text:\"at night\", -(item:b - item:c), +-text:x)");
    assertEquals(
        List.of(item("a").plus(text("at night").times(0.5)), new QueryExpr.Negated(text("x"))),
        sums.positive());
    assertEquals(List.of(item("b").minus(item("c"))), sums.negative());
    // Every item an example names is left out of the results.
    assertEquals(Set.of("a", "b", "c"), sums.exampleIds());
    // A comma ends a bare value inside recommend(...); quoted, it is part of the id.
    assertEquals(
        Recommend.ofIds(List.of("x,y"), List.of("z")),
        recommend("recommend(item:\"x,y\",-item:z)"));
    assertEquals(
        "recommend(+item:\"x,y\", -item:z)",
        Recommend.ofIds(List.of("x,y"), List.of("z")).toString());
    // Outside recommend a bare value keeps its commas, as before.
    assertEquals(item("x,y"), parser.parse("item:x,y").expression());
  }

  @Test
  void aRecommendIsALegBesideTheVectorExpressionAndBm25() {
    QuerySpec spec =
        parser.parse("text:cat + recommend(+item:a, strategy=best_score) + bm25:\"a cat\"");
    assertEquals(text("cat"), spec.expression());
    assertEquals("a cat", spec.bm25());
    assertEquals(
        Recommend.ofIds(List.of("a"), List.of()).withStrategy(RecommendStrategy.BEST_SCORE),
        spec.recommend());
    assertEquals(
        "text:\"cat\" + recommend(+item:a, strategy=best_score) + bm25:\"a cat\"", spec.format());
    assertEquals(spec, parser.parse(spec.format()));
  }

  @Test
  void badRecommendsPointAtTheColumn() {
    bad("recommend()", 11, "needs at least one example");
    bad("recommend(-item:a)", 1, "needs at least one positive example");
    bad("recommend(+item:a", 1, "'recommend(' is never closed");
    bad("recommend(+item:a +)", 20, "expected a term");
    bad("recommend(+item:a,)", 19, "expected an example such as item:ID but found ')'");
    bad("recommend(+, item:a)", 12, "expected an example");
    bad("recommend(+item:a item:b)", 19, "expected ',' or ')' after a recommend argument");
    bad("recommend(+item:a, strategy=closest)", 20, "unknown recommend strategy 'closest'");
    bad("recommend(+item:a, mode=x)", 20, "unknown recommend option 'mode'");
    bad("recommend(+item:a, strategy=)", 20, "give a value after 'strategy='");
    bad(
        "recommend(+item:a, strategy=best_score, strategy=best_score)",
        41,
        "strategy is given twice");
    bad("recommend(+item:a, space=a, space=b)", 29, "space is given twice");
    bad("recommend(+item:a, space=a..b)", 1, "space");
    bad("text:a - recommend(+item:a)", 10, "cannot be subtracted");
    bad("recommend(+item:a) + recommend(+item:b)", 22, "only one recommend leg");
    bad("0.5*recommend(+item:a)", 5, "recommend(...) is a leg of its own");
    bad("(recommend(+item:a))", 2, "recommend(...) is a leg of its own");
    bad("recommend(+recommend(item:a))", 12, "recommend(...) is a leg of its own");
    bad("recommend(+bm25:x)", 12, "bm25:\"...\" is a separate leg");
    bad("recommend item:a", 1, "expected a term such as");
    bad("text:\"a\", text:b", 9, "expected '+', '-' or the end of the expression but found ','");
    StringBuilder many = new StringBuilder("recommend(item:a");
    for (int i = 1; i <= Recommend.MAX_EXAMPLES; i++) {
      many.append(", item:a").append(i);
    }
    bad(many.append(')').toString(), 1, "at most " + Recommend.MAX_EXAMPLES + " examples");
  }

  @Test
  void jsonTakesIdsNodesAndExpressions() throws Exception {
    Recommend r =
        json.readRecommend(
            new ObjectMapper()
                .readTree("{\"positive\": [\"a\", {\"text\": \"a cat\"}], \"negative\": [\"c\"]}"),
            "/recommend");
    assertEquals(List.of(item("a"), text("a cat")), r.positive());
    assertEquals(List.of(item("c")), r.negative());
    QuerySpec full =
        json.read(
            "{\"recommend\": {\"positive\": [\"a\", {\"text\": \"a cat\"},"
                + " {\"expression\": \"item:b + 0.5*text:x\"}], \"negative\": [\"c\"],"
                + " \"strategy\": \"best_score\", \"space\": \"e\"}, \"bm25\": \"cat\"}");
    assertEquals(
        parser.parse(
            "recommend(+item:a, +text:\"a cat\", +item:b + 0.5*text:x, -item:c,"
                + " strategy=best_score, space=e) + bm25:cat"),
        full);
    assertEquals(
        "{\"recommend\":{\"positive\":[\"a\",{\"text\":\"a cat\"}],\"negative\":[\"c\"],"
            + "\"strategy\":\"average_vector\"}}",
        json.write(QuerySpec.of(r)));
    assertEquals(QuerySpec.of(r), json.read(json.write(QuerySpec.of(r))));
  }

  @Test
  void badJsonNamesThePath() {
    badJson("{\"recommend\": []}", "query JSON at /recommend: recommend must be an object");
    badJson("{\"recommend\": {\"positive\": []}}", "needs at least one positive example");
    badJson("{\"recommend\": {\"negative\": [\"a\"]}}", "needs at least one positive example");
    badJson("{\"recommend\": {\"positive\": \"a\"}}", "/recommend/positive: expected an array");
    badJson("{\"recommend\": {\"positive\": [\"\"]}}", "/recommend/positive/0: empty item term");
    badJson(
        "{\"recommend\": {\"positive\": [{\"photo\": \"x\"}]}}",
        "/recommend/positive/0: unknown node key 'photo'");
    badJson(
        "{\"recommend\": {\"positive\": [\"a\"], \"strategy\": \"closest\"}}",
        "/recommend: unknown recommend strategy 'closest'; expected one of [average_vector,"
            + " best_score]");
    badJson(
        "{\"recommend\": {\"positive\": [\"a\"], \"limit\": 3}}",
        "/recommend: unknown key 'limit'");
    badJson(
        "{\"recommend\": {\"positive\": [{\"expression\": \"bm25:x\"}]}}",
        "/recommend/positive/0/expression: an example is a vector expression");
    badJson(
        "{\"expression\": \"recommend(+item:a)\"}",
        "put the recommend in \"recommend\", not in the expression");
  }

  private void bad(String expression, int column, String part) {
    QuerySyntaxException e =
        assertThrows(QuerySyntaxException.class, () -> parser.parse(expression), expression);
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertEquals(column, e.column(), e.getMessage());
  }

  private void badJson(String text, String part) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> json.read(text));
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
