package dev.bindery.fusion.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Printing then parsing (and writing then reading JSON) gives back the same spec. */
class QuerySpecRoundTripTest {
  private static final String ALPHABET = "abcXYZ09 _-./:\"\\+*()[],é猫\t";

  private final QueryParser parser = new QueryParser();
  private final QuerySpecJson json = new QuerySpecJson();

  @Test
  void formatThenParseIsAFixedPoint() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random rnd = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      QuerySpec spec = randomSpec(rnd);
      String printed = spec.format();
      QuerySpec back;
      try {
        back = parser.parse(printed);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": cannot parse " + printed, e);
      }
      assertEquals(spec, back, () -> "seed " + seed + ": " + printed);
      assertEquals(printed, back.format(), () -> "seed " + seed);
      assertEquals(
          spec, json.read(json.write(spec)), () -> "seed " + seed + ": " + json.write(spec));
    }
  }

  @Test
  void jsonShape() {
    QuerySpec spec = parser.parse("image:cat.png + 0.5*text:\"at night\" - item:x + bm25:vintage");
    assertEquals(
        "{\"expression\":{\"sum\":[{\"image\":\"cat.png\"},{\"weight\":0.5,\"of\":{\"text\":\"at"
            + " night\"}},{\"negate\":{\"item\":\"x\"}}]},\"bm25\":\"vintage\"}",
        json.write(spec));
    assertEquals(
        spec, json.read("\"image:cat.png + 0.5*text:\\\"at night\\\" - item:x + bm25:vintage\""));
    assertEquals(
        spec.expression(),
        json.read("{\"expression\": \"image:cat.png + 0.5*text:\\\"at night\\\" - item:x\"}")
            .expression());
    assertEquals(
        QuerySpec.of(QueryExpr.vector(1f, -0.5f)),
        json.read("{\"expression\":{\"vector\":[1,-0.5]}}"));
  }

  private IllegalArgumentException badJson(String text, String part) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> json.read(text));
    assertTrue(e.getMessage().contains(part), e.getMessage());
    return e;
  }

  @Test
  void aSyntaxErrorInsideJsonKeepsItsColumn() {
    IllegalArgumentException e = badJson("{\"expression\": \"text:a + (image:b\"}", "");
    assertTrue(e instanceof QuerySyntaxException, e.getClass().getName());
    assertEquals(10, ((QuerySyntaxException) e).column(), e.getMessage()); // the open "("
  }

  @Test
  void badJsonNamesThePath() {
    badJson(
        "{\"expression\":{\"photo\":\"x\"}}",
        "query JSON at /expression: unknown node key 'photo'");
    badJson(
        "{\"expression\":{\"sum\":[{\"text\":\"a\"},{\"text\":\"\"}]}}",
        "query JSON at /expression/sum/1: empty text term");
    badJson(
        "{\"expression\":{\"weight\":\"x\",\"of\":{\"text\":\"a\"}}}", "weight must be a number");
    badJson("{\"expression\":{\"weight\":-1,\"of\":{\"text\":\"a\"}}}", "weight must be >= 0");
    badJson("{\"expression\":{\"sum\":[{\"text\":\"a\"}]}}", "at least two terms");
    badJson("{\"query\":\"x\"}", "unknown key 'query'");
    badJson("{}", "got neither");
    badJson("{\"bm25\": 3}", "/bm25: expected a string");
    badJson("[1]", "must be an object or an expression string");
    badJson("{\"expression\":\"text:a + photo:b\"}", "unknown term type 'photo'");
    badJson("{\"expression\":", "not valid JSON");
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      deep.append("{\"negate\":");
    }
    deep.append("{\"text\":\"a\"}").append("}".repeat(200));
    badJson("{\"expression\":" + deep + "}", "nested deeper than 64 levels");
  }

  // ------------------------------------------------------------------ generators

  static QuerySpec randomSpec(Random rnd) {
    QueryExpr e = rnd.nextInt(10) == 0 ? null : randomExpr(rnd, 0);
    Recommend recommend = rnd.nextInt(4) == 0 ? randomRecommend(rnd) : null;
    String bm25 = e == null && recommend == null || rnd.nextInt(4) == 0 ? randomString(rnd) : null;
    return new QuerySpec(e, bm25, recommend);
  }

  /** Item examples (ids with commas, quotes, spaces) and expression examples, any strategy. */
  static Recommend randomRecommend(Random rnd) {
    List<List<QueryExpr>> lists = List.of(new ArrayList<>(), new ArrayList<>());
    for (int l = 0; l < 2; l++) {
      int n = (l == 0 ? 1 : 0) + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        lists
            .get(l)
            .add(rnd.nextBoolean() ? QueryExpr.item(randomString(rnd)) : randomExpr(rnd, 1));
      }
    }
    RecommendStrategy strategy =
        rnd.nextBoolean() ? null : RecommendStrategy.values()[rnd.nextInt(2)];
    return new Recommend(
        lists.get(0), lists.get(1), strategy, rnd.nextInt(3) == 0 ? "s-1.b" : null);
  }

  static QueryExpr randomExpr(Random rnd, int depth) {
    int choice = depth >= 5 ? rnd.nextInt(2) : rnd.nextInt(6);
    switch (choice) {
      case 0 -> {
        QueryExpr.Kind kind = QueryExpr.Kind.values()[rnd.nextInt(QueryExpr.Kind.values().length)];
        return new QueryExpr.Term(kind, rnd.nextBoolean() ? "cat-1.png" : randomString(rnd));
      }
      case 1 -> {
        float[] v = new float[1 + rnd.nextInt(4)];
        for (int i = 0; i < v.length; i++) {
          v[i] =
              rnd.nextBoolean() ? (float) rnd.nextGaussian() : (float) (rnd.nextGaussian() * 1e-30);
        }
        return new QueryExpr.VectorLiteral(v);
      }
      case 2 -> {
        double w =
            switch (rnd.nextInt(4)) {
              case 0 -> rnd.nextInt(5);
              case 1 -> rnd.nextDouble() * 1e-8;
              case 2 -> rnd.nextDouble() * 1e12;
              default -> rnd.nextDouble();
            };
        return new QueryExpr.Scaled(w, randomExpr(rnd, depth + 1));
      }
      case 3 -> {
        return new QueryExpr.Negated(randomExpr(rnd, depth + 1));
      }
      default -> {
        List<QueryExpr> terms = new ArrayList<>();
        int n = 2 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          terms.add(randomExpr(rnd, depth + 1));
        }
        return new QueryExpr.Sum(terms);
      }
    }
  }

  static String randomString(Random rnd) {
    while (true) {
      StringBuilder sb = new StringBuilder();
      int n = 1 + rnd.nextInt(12);
      for (int i = 0; i < n; i++) {
        sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
      }
      if (!sb.toString().isBlank()) {
        return sb.toString();
      }
    }
  }
}
