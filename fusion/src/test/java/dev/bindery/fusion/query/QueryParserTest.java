package dev.bindery.fusion.query;

import static dev.bindery.fusion.query.QueryExpr.image;
import static dev.bindery.fusion.query.QueryExpr.item;
import static dev.bindery.fusion.query.QueryExpr.text;
import static dev.bindery.fusion.query.QueryExpr.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueryParserTest {
  private final QueryParser parser = new QueryParser();

  private QueryExpr expr(String s) {
    QuerySpec spec = parser.parse(s);
    assertNull(spec.bm25(), s);
    return spec.expression();
  }

  private static QueryExpr neg(QueryExpr e) {
    return new QueryExpr.Negated(e);
  }

  private static QueryExpr sum(QueryExpr... e) {
    return new QueryExpr.Sum(List.of(e));
  }

  @Test
  void vectorComponentsParseToTheSameFloatsAsFloatParseFloat() {
    // The parser's fast float reading against the JDK's, bit for bit: shortest round-trip forms
    // of random floats (what clients print), long decimals and exponents near the float range's
    // ends, where correct rounding needs more than a double's precision.
    java.util.Random random = new java.util.Random(42);
    List<String> numbers = new java.util.ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt());
      if (Float.isFinite(f)) {
        numbers.add(Float.toString(Math.abs(f)));
      }
      numbers.add(Float.toString(random.nextFloat()));
      numbers.add(Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(60) - 40)));
      StringBuilder digits = new StringBuilder();
      for (int d = 1 + random.nextInt(30); d > 0; d--) {
        digits.append((char) ('0' + random.nextInt(10)));
      }
      int dot = random.nextInt(digits.length() + 1);
      String decimal = digits.substring(0, dot) + "." + digits.substring(dot);
      numbers.add((decimal.equals(".") ? "0" : decimal) + "e" + (random.nextInt(80) - 50));
    }
    // Halfway cases and the subnormal boundary.
    numbers.addAll(
        List.of(
            "1.00000017881393432617187499",
            "1.000000178813934326171875",
            "1.00000017881393432617187501",
            "1.4e-45",
            "7.006492321624085e-46",
            "3.4028235e38",
            "0.000000000000000000000000000000000000011754943508222875",
            "0"));
    for (int start = 0; start < numbers.size(); start += 200) {
      List<String> batch = numbers.subList(start, Math.min(numbers.size(), start + 200));
      float[] expected = new float[batch.size()];
      List<String> finite = new java.util.ArrayList<>();
      int n = 0;
      for (String s : batch) {
        float f = Float.parseFloat(s);
        if (Float.isFinite(f)) {
          expected[n++] = f;
          finite.add(s);
        }
      }
      QueryExpr.VectorLiteral parsed =
          (QueryExpr.VectorLiteral) expr("vector:[" + String.join(", ", finite) + "]");
      for (int i = 0; i < n; i++) {
        assertEquals(
            Float.floatToRawIntBits(expected[i]),
            Float.floatToRawIntBits(parsed.values()[i]),
            finite.get(i));
      }
    }
  }

  @Test
  void identityTextNamesVectorsByTheirBits() {
    QuerySpec a = parser.parse("text:cat + 2.0*vector:[0.1, -2, 3e-2]");
    QuerySpec same = parser.parse("text:cat + 2*vector:[0.10, -2.0, 0.03]");
    QuerySpec ulp =
        QuerySpec.of(
            sum(text("cat"), new QueryExpr.Scaled(2.0, vector(Math.nextUp(0.1f), -2f, 3e-2f))));
    assertEquals(ExpressionPrinter.identity(a), ExpressionPrinter.identity(same));
    assertTrue(!ExpressionPrinter.identity(a).equals(ExpressionPrinter.identity(ulp)));
    assertTrue(
        ExpressionPrinter.identity(a).startsWith("text:\"cat\" + 2.0*vector:#3/"),
        ExpressionPrinter.identity(a));
  }

  @Test
  void termsQuotingAndEscapes() {
    assertEquals(text("a cat"), expr("text:\"a cat\""));
    assertEquals(text("cat"), expr("text:cat"));
    assertEquals(text("say \"hi\" \\ bye"), expr("text:\"say \\\"hi\\\" \\\\ bye\""));
    assertEquals(image("photos/my-cat.png"), expr("image:photos/my-cat.png"));
    assertEquals(image("my photo.png"), expr("image:\"my photo.png\""));
    assertEquals(new QueryExpr.Term(QueryExpr.Kind.AUDIO, "a.wav"), expr("audio:a.wav"));
    assertEquals(new QueryExpr.Term(QueryExpr.Kind.VIDEO, "v.mp4"), expr("video:v.mp4"));
    assertEquals(item("id-42"), expr("  item:id-42  "));
    assertEquals(vector(0.1f, -2f, 3e-2f, 4f), expr("vector:[0.1, -2, 3e-2,+4]"));
  }

  @Test
  void precedenceParenthesesAndUnaryMinus() {
    QueryExpr a = text("a");
    QueryExpr b = text("b");
    QueryExpr c = text("c");
    // * binds tighter than + and -.
    assertEquals(sum(a, new QueryExpr.Scaled(0.5, b)), expr("text:a + 0.5*text:b"));
    assertEquals(sum(a, neg(new QueryExpr.Scaled(0.5, b))), expr("text:a - 0.5*text:b"));
    // + and - group left to right into one sum.
    assertEquals(sum(a, neg(b), c), expr("text:a - text:b + text:c"));
    assertEquals(sum(a, neg(sum(b, c))), expr("text:a - (text:b + text:c)"));
    assertEquals(new QueryExpr.Scaled(2, sum(a, b)), expr("2*(text:a + text:b)"));
    assertEquals(sum(new QueryExpr.Scaled(2, a), b), expr("2*text:a + text:b"));
    assertEquals(neg(a), expr("-text:a"));
    assertEquals(neg(neg(a)), expr("--text:a"));
    assertEquals(sum(neg(a), b), expr("-text:a+text:b"));
    assertEquals(new QueryExpr.Scaled(0.5, neg(a)), expr("0.5*-text:a"));
    assertEquals(new QueryExpr.Scaled(0.5, new QueryExpr.Scaled(4, a)), expr("0.5*4*text:a"));
    assertEquals(a, expr("((text:a))"));
    assertEquals(new QueryExpr.Scaled(1e-5, a), expr("1.0E-5*text:a"));
    assertEquals(new QueryExpr.Scaled(0.25, a), expr(".25*text:a"));
  }

  @Test
  void bm25LegIsSplitOff() {
    QuerySpec s = parser.parse("text:\"a cat\" + bm25:\"vintage poster\"");
    assertEquals(text("a cat"), s.expression());
    assertEquals("vintage poster", s.bm25());
    QuerySpec first = parser.parse("bm25:\"x y\" + image:a.png - 0.5*text:b");
    assertEquals(
        sum(image("a.png"), neg(new QueryExpr.Scaled(0.5, text("b")))), first.expression());
    assertEquals("x y", first.bm25());
    QuerySpec only = parser.parse("bm25:vintage");
    assertNull(only.expression());
    assertEquals("bm25:\"vintage\"", only.format());
    assertEquals("image:a.png - 0.5*text:\"b\" + bm25:\"x y\"", first.format());
  }

  @Test
  void formatIsCanonical() {
    assertEquals(
        "text:\"a\" - (text:\"b\" + 2.0*image:\"x y.png\") + vector:[1.0, -0.5]",
        parser.parse("text:a -(text:b+2*image:\"x y.png\")+vector:[1,-.5]").format());
    // A bare value keeps its hyphens: a minus right after one needs a space before it.
    assertEquals(image("my-cat.png-x"), expr("image:my-cat.png-x"));
  }

  private QuerySyntaxException bad(String expression, int column, String reasonPart) {
    QuerySyntaxException e =
        assertThrows(QuerySyntaxException.class, () -> parser.parse(expression));
    assertEquals(column, e.column(), () -> e.getMessage());
    assertTrue(e.reason().contains(reasonPart), () -> e.getMessage());
    assertTrue(e.getMessage().contains("at column " + column), e.getMessage());
    assertTrue(e.getMessage().endsWith("^"), e.getMessage());
    return e;
  }

  @Test
  void badExpressionsPointAtTheColumn() {
    bad("text:\"a cat", 6, "unterminated quoted value");
    bad("image:a.png + text:\"x", 20, "unterminated");
    bad("(text:a + text:b", 1, "'(' is never closed");
    bad("text:a)", 7, "expected '+', '-' or the end");
    bad("text:a + )", 10, "expected a term");
    bad(
        "photo:cat.png",
        1,
        "unknown term type 'photo'; expected one of text, image, audio, video,"
            + " item, vector, bm25");
    bad("text:a + sound:x", 10, "unknown term type 'sound'");
    bad("text:\"\"", 1, "empty text term");
    bad("text:\"   \"", 1, "empty text term");
    bad("image: cat.png", 1, "empty image term");
    bad("NaN*text:a", 1, "weight NaN is not a finite number");
    bad("text:a + Infinity*text:b", 10, "weight Infinity is not a finite number");
    bad("1e999*text:a", 1, "weight 1e999 is not a finite number");
    bad("vector:[1, 2", 8, "'[' is never closed");
    bad("vector:[]", 1, "empty vector");
    bad("vector:[1, x]", 12, "expected a number");
    bad("vector:[1e40]", 9, "not a finite float");
    bad("0.5 text:a", 5, "expected '*' after the weight 0.5");
    bad("text:a*0.5", 7, "expected '+', '-' or the end");
    bad("text:a +", 9, "expected a term");
    bad("", 1, "empty expression");
    bad("   ", 4, "empty expression");
    bad("cat", 1, "expected a term such as");
    bad("\"cat\"", 1, "needs a prefix");
    bad("text:\"a\\n\"", 8, "unknown escape");
    bad("()", 2, "empty parentheses");
    bad("text:a & text:b", 8, "unexpected character '&'");
    bad("2*bm25:x", 3, "bm25:\"...\" is a separate leg");
    bad("text:a - bm25:x", 10, "cannot be subtracted");
    bad("bm25:x + bm25:y", 10, "only one bm25 leg");
  }

  @Test
  void limitsAreErrorsNeverStackOverflow() {
    // 10,000 terms: the 1,001st is refused where it starts.
    StringBuilder many = new StringBuilder("text:a");
    for (int i = 1; i < 10_000; i++) {
      many.append("+text:a");
    }
    int col1001 = "text:a".length() + 1000 * "+text:a".length() - "text:a".length() + 1;
    bad(many.substring(0, Math.min(many.length(), 9_999)), col1001, "more than 1000 terms");
    QueryParser roomy = new QueryParser(new QueryLimits(1_000_000, 1_000, 64));
    QuerySyntaxException e =
        assertThrows(QuerySyntaxException.class, () -> roomy.parse(many.toString()));
    assertEquals(col1001, e.column());

    // 10,000 nested parentheses: refused at the 65th level.
    String deep = "(".repeat(10_000) + "text:a" + ")".repeat(10_000);
    QuerySyntaxException d =
        assertThrows(
            QuerySyntaxException.class,
            () -> new QueryParser(new QueryLimits(100_000, 1_000, 64)).parse(deep));
    assertEquals(65, d.column(), d.getMessage());
    assertTrue(d.reason().contains("nested deeper than 64 levels"), d.getMessage());
    bad(deep.substring(0, 9_000), 65, "nested deeper than 64 levels");
    bad("-".repeat(5_000) + "text:a", 65, "nested deeper than 64 levels");
    bad("2*".repeat(3_000) + "text:a", 129, "nested deeper than 64 levels");

    // Overlong: the column is the first character past the limit.
    String overlong = "text:\"" + "a".repeat(10_000) + "\"";
    bad(overlong, 10_001, "10007 characters long; the limit is 10000");

    // Within limits it works: 64 levels and 1,000 terms.
    QuerySpec ok = parser.parse("(".repeat(63) + "text:a" + ")".repeat(63));
    assertEquals(text("a"), ok.expression());
    assertEquals(
        1000,
        ((QueryExpr.Sum) parser.parse(many.substring(0, 7 * 1000 - 1)).expression())
            .terms()
            .size());
  }

  @Test
  void caretLineShowsTheColumn() {
    QuerySyntaxException e =
        assertThrows(QuerySyntaxException.class, () -> parser.parse("text:a + photo:x"));
    String[] lines = e.getMessage().split("\n");
    assertEquals("  text:a + photo:x", lines[1]);
    assertEquals("  " + " ".repeat(9) + "^", lines[2]);
  }

  @Test
  void specValidationWithoutTheParser() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new QuerySpec(null, null));
    assertTrue(e.getMessage().contains("got neither"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> new QueryExpr.Scaled(Double.NaN, text("a")))
            .getMessage()
            .contains("finite number, got NaN"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new QueryExpr.Scaled(-0.5, text("a")))
            .getMessage()
            .contains("weight must be >= 0, got -0.5; subtract instead: - 0.5*text:\"a\""));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new QueryExpr.Sum(List.of(text("a"))))
            .getMessage()
            .contains("at least two terms"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> vector(1f, Float.NaN))
            .getMessage()
            .contains("component 1 is not finite: NaN"));
    // A deep tree built by code is refused without recursion.
    QueryExpr deep = text("a");
    for (int i = 0; i < 50_000; i++) {
      deep = new QueryExpr.Negated(deep);
    }
    QueryExpr finalDeep = deep;
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> QuerySpec.of(finalDeep))
            .getMessage()
            .contains("nested deeper than 1000 levels"));
    assertEquals(0.0, Double.doubleToRawLongBits(new QueryExpr.Scaled(-0.0, text("a")).weight()));
  }
}
