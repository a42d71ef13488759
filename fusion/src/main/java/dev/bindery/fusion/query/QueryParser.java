package dev.bindery.fusion.query;

import com.fasterxml.jackson.core.io.NumberInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads the query expression syntax into a {@link QuerySpec}: a hand-written recursive-descent
 * parser over an on-demand tokenizer that tracks columns.
 *
 * <pre>
 * query   := operand (('+' | '-') operand)*        top level; one operand may be bm25:"...",
 *                                                 one may be recommend(...)
 * recommend := 'recommend(' arg (',' arg)* ')'
 * arg     := ('+' | '-')? sum                     an example: + (default) near, - away from
 *          | strategy=average_vector | strategy=best_score | space=NAME
 * sum     := factor (('+' | '-') factor)*
 * factor  := '-' factor | NUMBER '*' factor | primary
 * primary := term | '(' sum ')'
 * term    := text:VALUE | image:VALUE | audio:VALUE | video:VALUE | item:VALUE
 *          | vector:[NUMBER (',' NUMBER)*]
 * VALUE   := "quoted, with \" and \\ escapes" | bare (up to whitespace or one of ( ) + * ",
 *            and inside recommend(...) also ',')
 * </pre>
 *
 * {@code *} binds tighter than {@code +} and {@code -}; {@code +} and {@code -} group left to right
 * into one {@link QueryExpr.Sum}. A {@code bm25:"free text"} operand, allowed once, unweighted and
 * added at the top level, becomes the query's BM25 leg; likewise a {@code recommend(...)} operand
 * becomes its {@link Recommend} leg. Every error is a {@link QuerySyntaxException} with the column;
 * the {@link QueryLimits} are checked as the parser goes, so no input causes a stack overflow.
 * Instances are immutable and thread-safe.
 *
 * <p>Why one class of about 600 lines: it is one grammar, and a recursive-descent parser's
 * productions call each other (a {@code recommend} argument is a {@code sum}, a {@code primary}
 * holds a {@code sum}); the tokenizer shares the position and column that every error reports.
 */
public final class QueryParser {
  /** Prefixes accepted before ':'. */
  static final List<String> PREFIXES =
      List.of("text", "image", "audio", "video", "item", "vector", "bm25");

  private final QueryLimits limits;

  /** A parser with the given limits. */
  public QueryParser(QueryLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A parser with {@link QueryLimits#DEFAULT}. */
  public QueryParser() {
    this(QueryLimits.DEFAULT);
  }

  public QueryLimits limits() {
    return limits;
  }

  /**
   * Parses an expression.
   *
   * @throws QuerySyntaxException with the column of the first error
   */
  public QuerySpec parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    if (expression.length() > limits.maxLength()) {
      throw new QuerySyntaxException(
          "expression is "
              + expression.length()
              + " characters long; the limit is "
              + limits.maxLength(),
          expression,
          limits.maxLength() + 1);
    }
    return new Run(expression).query();
  }

  private enum Type {
    NUMBER,
    PLUS,
    MINUS,
    STAR,
    LPAREN,
    RPAREN,
    TERM,
    VECTOR,
    COMMA,
    RECOMMEND,
    OPTION,
    END
  }

  /** A token; {@code column} is 1-based. */
  private record Token(
      Type type, int column, String text, String value, double number, float[] vector) {}

  /** The state of one parse: the tokenizer position and the counts checked against limits. */
  private final class Run {
    private final String src;
    private int pos;
    private Token peeked;
    private int terms;

    /** Greater than 0 inside recommend(...), where ',' also ends a bare value. */
    private int inList;

    Run(String src) {
      this.src = src;
    }

    QuerySpec query() {
      if (peek().type == Type.END) {
        throw error("empty expression: expected a term such as text:\"a cat\"", peek().column);
      }
      List<QueryExpr> operands = new ArrayList<>();
      String bm25 = null;
      Recommend recommend = null;
      boolean negative = false;
      while (true) {
        Token t = peek();
        if (t.type == Type.RECOMMEND) {
          if (negative) {
            throw error(
                "a recommend leg cannot be subtracted; add it with + (put the examples to avoid"
                    + " inside it with -)",
                t.column);
          }
          if (recommend != null) {
            throw error("only one recommend leg is allowed", t.column);
          }
          next();
          recommend = recommend(t);
        } else if (t.type == Type.TERM && t.text.equals("bm25")) {
          if (negative) {
            throw error("a bm25 leg cannot be subtracted; add it with +", t.column);
          }
          if (bm25 != null) {
            throw error("only one bm25 leg is allowed", t.column);
          }
          next();
          countTerm(t);
          bm25 = termValue(t);
        } else {
          QueryExpr e = factor(1);
          operands.add(negative ? new QueryExpr.Negated(e) : e);
        }
        Token op = next();
        if (op.type == Type.END) {
          break;
        }
        if (op.type != Type.PLUS && op.type != Type.MINUS) {
          throw unexpected(op, "'+', '-' or the end of the expression");
        }
        negative = op.type == Type.MINUS;
      }
      QueryExpr expr =
          operands.isEmpty()
              ? null
              : operands.size() == 1 ? operands.get(0) : new QueryExpr.Sum(operands);
      return new QuerySpec(expr, bm25, recommend);
    }

    /** The arguments of recommend(...), after the token that opened it. */
    private Recommend recommend(Token open) {
      inList++;
      List<QueryExpr> positive = new ArrayList<>();
      List<QueryExpr> negative = new ArrayList<>();
      RecommendStrategy strategy = null;
      String space = null;
      if (peek().type == Type.RPAREN) {
        throw error("recommend() needs at least one example, such as +item:ID", peek().column);
      }
      while (true) {
        Token t = peek();
        if (t.type == Type.OPTION) {
          next();
          switch (t.text) {
            case "strategy" -> {
              if (strategy != null) {
                throw error("recommend's strategy is given twice", t.column);
              }
              try {
                strategy = RecommendStrategy.fromName(t.value);
              } catch (IllegalArgumentException e) {
                throw error(e.getMessage(), t.column);
              }
            }
            case "space" -> {
              if (space != null) {
                throw error("recommend's space is given twice", t.column);
              }
              space = t.value;
            }
            default ->
                throw error(
                    "unknown recommend option '" + t.text + "'; expected strategy= or space=",
                    t.column);
          }
        } else {
          boolean away = false;
          if (t.type == Type.PLUS || t.type == Type.MINUS) {
            next();
            away = t.type == Type.MINUS;
          }
          Token first = peek();
          if (first.type == Type.COMMA || first.type == Type.RPAREN || first.type == Type.END) {
            throw unexpected(first, "an example such as item:ID");
          }
          (away ? negative : positive).add(sum(2));
        }
        Token sep = next();
        if (sep.type == Type.RPAREN) {
          break;
        }
        if (sep.type == Type.END) {
          throw error("unbalanced parenthesis: 'recommend(' is never closed", open.column);
        }
        if (sep.type != Type.COMMA) {
          throw unexpected(sep, "',' or ')' after a recommend argument");
        }
      }
      inList--;
      if (positive.isEmpty()) {
        throw error(
            "recommend(...) needs at least one positive example such as +item:ID; it has only"
                + " negative ones",
            open.column);
      }
      try {
        return new Recommend(positive, negative, strategy, space);
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage(), open.column);
      }
    }

    private QueryExpr sum(int depth) {
      List<QueryExpr> operands = new ArrayList<>();
      operands.add(factor(depth));
      while (peek().type == Type.PLUS || peek().type == Type.MINUS) {
        boolean negative = next().type == Type.MINUS;
        QueryExpr e = factor(depth);
        operands.add(negative ? new QueryExpr.Negated(e) : e);
      }
      return operands.size() == 1 ? operands.get(0) : new QueryExpr.Sum(operands);
    }

    private QueryExpr factor(int depth) {
      Token t = peek();
      if (depth > limits.maxDepth()) {
        throw error("expression is nested deeper than " + limits.maxDepth() + " levels", t.column);
      }
      switch (t.type) {
        case MINUS -> {
          next();
          return new QueryExpr.Negated(factor(depth + 1));
        }
        case NUMBER -> {
          next();
          Token star = next();
          if (star.type != Type.STAR) {
            throw unexpected(star, "'*' after the weight " + t.text);
          }
          return new QueryExpr.Scaled(t.number, factor(depth + 1));
        }
        case LPAREN -> {
          next();
          if (peek().type == Type.RPAREN) {
            throw error("empty parentheses", peek().column);
          }
          QueryExpr inner = sum(depth + 1);
          Token close = next();
          if (close.type != Type.RPAREN) {
            if (close.type == Type.END) {
              throw error("unbalanced parenthesis: '(' is never closed", t.column);
            }
            throw unexpected(close, "')', '+' or '-'");
          }
          return inner;
        }
        case TERM -> {
          next();
          if (t.text.equals("bm25")) {
            throw error(
                "bm25:\"...\" is a separate leg: add it once at the top level, without a weight"
                    + " or parentheses",
                t.column);
          }
          countTerm(t);
          return new QueryExpr.Term(
              QueryExpr.Kind.valueOf(t.text.toUpperCase(Locale.ROOT)), termValue(t));
        }
        case VECTOR -> {
          next();
          countTerm(t);
          return new QueryExpr.VectorLiteral(t.vector);
        }
        case RECOMMEND -> {
          next();
          throw error(
              "recommend(...) is a leg of its own: add it once at the top level, without a"
                  + " weight or parentheses",
              t.column);
        }
        default -> {
          next();
          throw unexpected(t, "a term, '(', '-' or a weight");
        }
      }
    }

    private void countTerm(Token t) {
      if (++terms > limits.maxTerms()) {
        throw error("expression has more than " + limits.maxTerms() + " terms", t.column);
      }
    }

    private String termValue(Token t) {
      String value = t.value;
      if (value.isBlank()) {
        throw error("empty " + t.text + " term: give a non-blank value", t.column);
      }
      return value;
    }

    private QuerySyntaxException unexpected(Token t, String expected) {
      String found =
          switch (t.type) {
            case END -> "the end of the expression";
            case TERM -> "the term " + t.text + ":";
            case VECTOR -> "a vector literal";
            case RECOMMEND -> "recommend(";
            case OPTION -> "the option " + t.text + "=";
            default -> "'" + t.text + "'";
          };
      return error("expected " + expected + " but found " + found, t.column);
    }

    private QuerySyntaxException error(String reason, int column) {
      return new QuerySyntaxException(reason, src, column);
    }

    // ---------------------------------------------------------------- tokenizer

    private Token peek() {
      if (peeked == null) {
        peeked = lex();
      }
      return peeked;
    }

    private Token next() {
      Token t = peek();
      peeked = null;
      return t;
    }

    private Token lex() {
      while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
        pos++;
      }
      int col = pos + 1;
      if (pos >= src.length()) {
        return new Token(Type.END, col, "", null, 0, null);
      }
      char c = src.charAt(pos);
      switch (c) {
        case '+' -> {
          pos++;
          return new Token(Type.PLUS, col, "+", null, 0, null);
        }
        case '-' -> {
          pos++;
          return new Token(Type.MINUS, col, "-", null, 0, null);
        }
        case '*' -> {
          pos++;
          return new Token(Type.STAR, col, "*", null, 0, null);
        }
        case '(' -> {
          pos++;
          return new Token(Type.LPAREN, col, "(", null, 0, null);
        }
        case ')' -> {
          pos++;
          return new Token(Type.RPAREN, col, ")", null, 0, null);
        }
        case ',' -> {
          pos++;
          return new Token(Type.COMMA, col, ",", null, 0, null);
        }
        default -> {}
      }
      if (isDigit(c) || c == '.') {
        int start = pos;
        String text = number();
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
          throw error("weight " + text + " is not a finite number", start + 1);
        }
        return new Token(Type.NUMBER, col, text, null, value, null);
      }
      if (Character.isLetter(c)) {
        int start = pos;
        while (pos < src.length()
            && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
          pos++;
        }
        String word = src.substring(start, pos);
        String lower = word.toLowerCase(Locale.ROOT);
        if (pos < src.length() && src.charAt(pos) == ':') {
          if (!PREFIXES.contains(word)) {
            throw error(
                "unknown term type '" + word + "'; expected one of " + String.join(", ", PREFIXES),
                col);
          }
          pos++;
          return word.equals("vector") ? lexVector(col) : lexTerm(word, col);
        }
        if (word.equals("recommend")) {
          int at = pos;
          while (at < src.length() && Character.isWhitespace(src.charAt(at))) {
            at++;
          }
          if (at < src.length() && src.charAt(at) == '(') {
            pos = at + 1;
            return new Token(Type.RECOMMEND, col, "recommend(", null, 0, null);
          }
        }
        if (pos < src.length() && src.charAt(pos) == '=') {
          pos++;
          int v = pos;
          while (pos < src.length()
              && (Character.isLetterOrDigit(src.charAt(pos))
                  || "_.-".indexOf(src.charAt(pos)) >= 0)) {
            pos++;
          }
          if (pos == v) {
            throw error("give a value after '" + word + "='", col);
          }
          return new Token(Type.OPTION, col, word, src.substring(v, pos), 0, null);
        }
        if (lower.equals("nan") || lower.startsWith("inf")) {
          throw error("weight " + word + " is not a finite number", col);
        }
        throw error(
            "expected a term such as text:\"a cat\" or image:cat.png but found '" + word + "'",
            col);
      }
      if (c == '"') {
        throw error("a quoted value needs a prefix such as text: before it", col);
      }
      throw error("unexpected character '" + c + "'", col);
    }

    private Token lexTerm(String prefix, int col) {
      String value;
      if (pos < src.length() && src.charAt(pos) == '"') {
        value = quoted();
      } else {
        int start = pos;
        while (pos < src.length()
            && !endsBare(src.charAt(pos))
            && !(inList > 0 && src.charAt(pos) == ',')) {
          pos++;
        }
        value = src.substring(start, pos);
        if (value.isEmpty()) {
          throw error(
              "empty "
                  + prefix
                  + " term: give a value after '"
                  + prefix
                  + ":' (quote it if it has spaces)",
              col);
        }
      }
      return new Token(Type.TERM, col, prefix, value, 0, null);
    }

    private String quoted() {
      int open = pos;
      pos++;
      StringBuilder sb = new StringBuilder();
      while (pos < src.length()) {
        char c = src.charAt(pos);
        if (c == '"') {
          pos++;
          return sb.toString();
        }
        if (c == '\\') {
          if (pos + 1 >= src.length()) {
            break;
          }
          char e = src.charAt(pos + 1);
          if (e != '"' && e != '\\') {
            throw error("unknown escape '\\" + e + "'; only \\\" and \\\\ are escapes", pos + 1);
          }
          sb.append(e);
          pos += 2;
        } else {
          sb.append(c);
          pos++;
        }
      }
      throw error("unterminated quoted value: the '\"' here is never closed", open + 1);
    }

    private Token lexVector(int col) {
      skipSpaces();
      if (pos >= src.length() || src.charAt(pos) != '[') {
        throw error("expected '[' after vector:", pos + 1);
      }
      int open = pos;
      pos++;
      float[] values = new float[64];
      int n = 0;
      while (true) {
        skipSpaces();
        if (pos >= src.length()) {
          throw error("unbalanced bracket: '[' is never closed", open + 1);
        }
        if (src.charAt(pos) == ']' && n == 0) {
          throw error("empty vector: give at least one number", col);
        }
        int start = pos;
        boolean negative = false;
        if (src.charAt(pos) == '-' || src.charAt(pos) == '+') {
          negative = src.charAt(pos) == '-';
          pos++;
        }
        if (pos >= src.length() || !(isDigit(src.charAt(pos)) || src.charAt(pos) == '.')) {
          throw error("expected a number in the vector", pos + 1);
        }
        String text = number();
        // Jackson's shaded FastDoubleParser: the same float as Float.parseFloat for every decimal
        // (QueryParserTest compares them), without the JDK's big-integer slow path that made
        // parsing a 384-float literal cost a third of a vector search.
        float v = NumberInput.parseFloat(text, true);
        if (!Float.isFinite(v)) {
          throw error("vector component " + text + " is not a finite float", start + 1);
        }
        if (n == values.length) {
          values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = negative ? -v : v;
        skipSpaces();
        if (pos >= src.length()) {
          throw error("unbalanced bracket: '[' is never closed", open + 1);
        }
        char c = src.charAt(pos);
        if (c == ']') {
          pos++;
          break;
        }
        if (c != ',') {
          throw error("expected ',' or ']' in the vector but found '" + c + "'", pos + 1);
        }
        pos++;
        if (n > limits.maxLength()) {
          throw error("vector is too long", pos);
        }
      }
      return new Token(Type.VECTOR, col, "vector", null, 0, Arrays.copyOf(values, n));
    }

    /** Reads an unsigned decimal number: digits, optional fraction, optional exponent. */
    private String number() {
      int start = pos;
      while (pos < src.length() && isDigit(src.charAt(pos))) {
        pos++;
      }
      if (pos < src.length() && src.charAt(pos) == '.') {
        pos++;
        while (pos < src.length() && isDigit(src.charAt(pos))) {
          pos++;
        }
      }
      if (pos == start + 1 && src.charAt(start) == '.') {
        throw error("expected digits around '.'", start + 1);
      }
      if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
        int e = pos;
        pos++;
        if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
          pos++;
        }
        if (pos >= src.length() || !isDigit(src.charAt(pos))) {
          throw error("expected digits in the exponent of a number", e + 1);
        }
        while (pos < src.length() && isDigit(src.charAt(pos))) {
          pos++;
        }
      }
      if (pos < src.length() && Character.isLetter(src.charAt(pos))) {
        throw error(
            "unexpected '" + src.charAt(pos) + "' after the number " + src.substring(start, pos),
            pos + 1);
      }
      return src.substring(start, pos);
    }

    private void skipSpaces() {
      while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
        pos++;
      }
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Bare values end at whitespace or a character that is an operator or quote. */
  private static boolean endsBare(char c) {
    return Character.isWhitespace(c) || c == '(' || c == ')' || c == '+' || c == '*' || c == '"';
  }
}
