package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Names;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A recommend leg: find items like the positive examples and unlike the negative ones, leaving the
 * examples out. An example is an item of the collection ({@code item:ID}, whose stored vector is
 * used as it is) or any vector expression ({@code text:"a cat"}, {@code item:a + 0.5*text:x}),
 * resolved by {@link EmbeddingArithmetic}. All examples live in one space: {@code space}, or the
 * one space every example fits. Immutable and validated; {@link #toString()} prints the expression
 * syntax {@code recommend(+item:a, -item:b, strategy=best_score)}.
 *
 * @param positive examples to be near, at least one
 * @param negative examples to be far from, possibly none
 * @param strategy how the examples become a ranking; null means {@link
 *     RecommendStrategy#AVERAGE_VECTOR}
 * @param space the space to search, or null for the one space every example fits
 */
public record Recommend(
    List<QueryExpr> positive, List<QueryExpr> negative, RecommendStrategy strategy, String space) {

  /** Most examples (positive and negative together) one recommend takes. */
  public static final int MAX_EXAMPLES = 64;

  public Recommend {
    Objects.requireNonNull(positive, "positive examples");
    negative = negative == null ? List.of() : negative;
    for (List<QueryExpr> list : List.of(positive, negative)) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) == null) {
          throw new BadArgumentException(
              (list == positive ? "positive" : "negative") + " example " + i + " is null");
        }
      }
    }
    positive = List.copyOf(positive);
    negative = List.copyOf(negative);
    if (positive.isEmpty()) {
      throw new BadArgumentException(
          "recommend needs at least one positive example, got none"
              + (negative.isEmpty() ? "" : " (and " + negative.size() + " negative)")
              + "; give item ids or expressions to find things like");
    }
    if (positive.size() + negative.size() > MAX_EXAMPLES) {
      throw new BadArgumentException(
          "recommend takes at most "
              + MAX_EXAMPLES
              + " examples, got "
              + positive.size()
              + " positive and "
              + negative.size()
              + " negative");
    }
    strategy = strategy == null ? RecommendStrategy.AVERAGE_VECTOR : strategy;
    if (space != null) {
      Names.checkName("space", space);
    }
  }

  /** Average-vector recommend from item ids, in the one space they share. */
  public static Recommend ofIds(List<String> positiveIds, List<String> negativeIds) {
    return new Recommend(
        positiveIds.stream().map(QueryExpr::item).toList(),
        negativeIds.stream().map(QueryExpr::item).toList(),
        null,
        null);
  }

  /** This recommend with another strategy. */
  public Recommend withStrategy(RecommendStrategy s) {
    return new Recommend(positive, negative, s, space);
  }

  /** This recommend in a named space (null: the one the examples share). */
  public Recommend inSpace(String s) {
    return new Recommend(positive, negative, strategy, s);
  }

  /**
   * Ids of every item an example names, anywhere in it: the items left out of the results, sorted.
   */
  public Set<String> exampleIds() {
    Set<String> ids = new TreeSet<>();
    Deque<QueryExpr> todo = new ArrayDeque<>(positive);
    todo.addAll(negative);
    while (!todo.isEmpty()) {
      switch (todo.pop()) {
        case QueryExpr.Term t when t.kind() == QueryExpr.Kind.ITEM -> ids.add(t.value());
        case QueryExpr.Term t -> {}
        case QueryExpr.Media m -> {}
        case QueryExpr.VectorLiteral v -> {}
        case QueryExpr.Scaled s -> todo.push(s.expr());
        case QueryExpr.Negated n -> todo.push(n.expr());
        case QueryExpr.Sum s -> s.terms().forEach(todo::push);
      }
    }
    return ids;
  }

  /** The item id when {@code example} is a bare {@code item:ID} term, else null. */
  static String itemId(QueryExpr example) {
    return example instanceof QueryExpr.Term t && t.kind() == QueryExpr.Kind.ITEM
        ? t.value()
        : null;
  }

  @Override
  public String toString() {
    return ExpressionPrinter.print(this);
  }
}
