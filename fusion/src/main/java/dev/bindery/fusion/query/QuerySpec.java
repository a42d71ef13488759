package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A parsed query: a vector expression (embedding arithmetic within one space, searched with kNN), a
 * {@link Recommend} leg, and/or free text for a BM25 leg. Immutable and validated: at least one
 * part, a non-blank BM25 text, and trees (the expression and every recommend example together)
 * within {@link QueryLimits#CEILING_TERMS} terms and {@link QueryLimits#CEILING_DEPTH} levels
 * (checked without recursion).
 *
 * <p>{@link #format()} (and {@link #toString()}) print the canonical expression syntax; {@code
 * QueryParser.parse(spec.format())} equals {@code spec}.
 *
 * @param expression the vector expression, or null for a BM25-only query
 * @param bm25 free text for the BM25 leg, or null for none
 * @param recommend a recommend leg, or null for none
 */
public record QuerySpec(QueryExpr expression, String bm25, Recommend recommend) {

  public QuerySpec {
    if (expression == null && bm25 == null && recommend == null) {
      throw new BadArgumentException(
          "a query needs a vector expression, a bm25 text or a recommend (or several); got neither");
    }
    if (bm25 != null && bm25.isBlank()) {
      throw new BadArgumentException("bm25 text must not be blank, got '" + bm25 + "'");
    }
    List<QueryExpr> trees = new ArrayList<>();
    if (expression != null) {
      trees.add(expression);
    }
    if (recommend != null) {
      trees.addAll(recommend.positive());
      trees.addAll(recommend.negative());
    }
    checkSize(trees);
  }

  /** A query without a recommend leg. */
  public QuerySpec(QueryExpr expression, String bm25) {
    this(expression, bm25, null);
  }

  /** A recommend-only query. */
  public static QuerySpec of(Recommend recommend) {
    return new QuerySpec(null, null, Objects.requireNonNull(recommend, "recommend"));
  }

  /** A vector-only query. */
  public static QuerySpec of(QueryExpr expression) {
    return new QuerySpec(Objects.requireNonNull(expression, "expression"), null);
  }

  /** Parses the expression syntax with the default limits. */
  public static QuerySpec parse(String expression) {
    return new QueryParser(QueryLimits.DEFAULT).parse(expression);
  }

  /** This query with a BM25 leg over {@code text}. */
  public QuerySpec withBm25(String text) {
    return new QuerySpec(expression, text, recommend);
  }

  /** This query with a recommend leg (null for none). */
  public QuerySpec withRecommend(Recommend r) {
    return new QuerySpec(expression, bm25, r);
  }

  /** The canonical expression syntax. */
  public String format() {
    return ExpressionPrinter.print(this);
  }

  @Override
  public String toString() {
    return format();
  }

  private static void checkSize(List<QueryExpr> roots) {
    // Iterative on purpose: a tree built by code (not the parser) may be arbitrarily deep.
    Deque<QueryExpr> nodes = new ArrayDeque<>();
    Deque<Integer> depths = new ArrayDeque<>();
    for (QueryExpr root : roots) {
      nodes.push(root);
      depths.push(1);
    }
    int terms = 0;
    while (!nodes.isEmpty()) {
      QueryExpr node = nodes.pop();
      int depth = depths.pop();
      if (depth > QueryLimits.CEILING_DEPTH) {
        throw new BadArgumentException(
            "query expression is nested deeper than " + QueryLimits.CEILING_DEPTH + " levels");
      }
      switch (node) {
        case QueryExpr.Term t -> terms++;
        case QueryExpr.Media m -> terms++;
        case QueryExpr.VectorLiteral v -> terms++;
        case QueryExpr.Scaled s -> {
          nodes.push(s.expr());
          depths.push(depth + 1);
        }
        case QueryExpr.Negated n -> {
          nodes.push(n.expr());
          depths.push(depth + 1);
        }
        case QueryExpr.Sum s -> {
          for (QueryExpr e : s.terms()) {
            nodes.push(e);
            depths.push(depth + 1);
          }
        }
      }
      if (terms > QueryLimits.CEILING_TERMS) {
        throw new BadArgumentException(
            "query expression has more than " + QueryLimits.CEILING_TERMS + " terms");
      }
    }
  }
}
