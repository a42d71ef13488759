package dev.bindery.springai;

import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Group;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Operand;
import org.springframework.ai.vectorstore.filter.Filter.Value;

/**
 * Converts Spring AI's portable filter expressions ({@code country == 'BG' && year >= 2020}, or
 * {@link org.springframework.ai.vectorstore.filter.FilterExpressionBuilder}'s) into a Bindery
 * {@link Filter}. Every operator has a translation: {@code == != > >= < <= in nin && || not},
 * {@code isNull} and {@code isNotNull}. A negation also matches documents without the key, strict
 * comparisons exclude the bound (Bindery's ranges are inclusive, so {@code k > v} is {@code k >= v
 * and not k == v}), and a key no document has matches nothing. A comparison whose value does not
 * fit the field's type fails with Bindery's message naming the field and both types.
 */
final class BinderyFilterExpressionConverter {
  private final Map<String, FieldType> fields;
  private final Filter all;

  /**
   * @param fields the collection's metadata fields and their types
   * @param all a filter every document the store wrote matches, for negations
   */
  BinderyFilterExpressionConverter(Map<String, FieldType> fields, Filter all) {
    this.fields = Map.copyOf(fields);
    this.all = Objects.requireNonNull(all, "all");
  }

  Filter convert(Expression e) {
    Objects.requireNonNull(e, "filter expression");
    ExpressionType type = e.type();
    return switch (type) {
      case AND -> Filter.and(operand(e.left()), operand(e.right()));
      case OR -> Filter.or(operand(e.left()), operand(e.right()));
      case NOT -> not(operand(e.left()));
      case EQ -> term(key(e), value(e));
      case NE -> not(term(key(e), value(e)));
      case GTE -> range(key(e), value(e), null);
      case LTE -> range(key(e), null, value(e));
      case GT -> range(key(e), value(e), null).andNot(term(key(e), value(e)));
      case LT -> range(key(e), null, value(e)).andNot(term(key(e), value(e)));
      case IN -> anyOf(key(e), value(e));
      case NIN -> not(anyOf(key(e), value(e)));
      case ISNOTNULL -> exists(key(e));
      case ISNULL -> not(exists(key(e)));
    };
  }

  private Filter operand(Operand o) {
    return switch (o) {
      case Expression e -> convert(e);
      case Group g -> convert(g.content());
      default ->
          throw new IllegalArgumentException(
              "a logical operator needs expressions on both sides, got " + o);
    };
  }

  private static String key(Expression e) {
    if (!(e.left() instanceof Key k)) {
      throw new IllegalArgumentException(
          "comparison " + e.type() + " needs a metadata key on its left, got " + e.left());
    }
    // The text parser keeps quotes around keys written as 'my key' or "my key".
    String name = k.key();
    if (name.length() >= 2
        && (name.startsWith("'") && name.endsWith("'")
            || name.startsWith("\"") && name.endsWith("\""))) {
      name = name.substring(1, name.length() - 1);
    }
    return name;
  }

  private static Object value(Expression e) {
    if (e.type() == ExpressionType.ISNULL || e.type() == ExpressionType.ISNOTNULL) {
      return null;
    }
    if (!(e.right() instanceof Value v) || v.value() == null) {
      throw new IllegalArgumentException(
          "comparison " + e.type() + " needs a value on its right, got " + e.right());
    }
    return v.value();
  }

  private Filter none() {
    return all.andNot(all);
  }

  private Filter not(Filter f) {
    return all.andNot(f);
  }

  private Filter term(String key, Object value) {
    return fields.containsKey(key) ? Filter.term(key, scalar(key, value)) : none();
  }

  private Filter range(String key, Object from, Object to) {
    if (!fields.containsKey(key)) {
      return none();
    }
    return Filter.range(
        key, from == null ? null : scalar(key, from), to == null ? null : scalar(key, to));
  }

  private Filter anyOf(String key, Object values) {
    if (!(values instanceof Collection<?> c) || c.isEmpty()) {
      throw new IllegalArgumentException(
          "in / nin on '" + key + "' needs a non-empty list of values, got " + values);
    }
    if (!fields.containsKey(key)) {
      return none();
    }
    List<Filter> terms = new ArrayList<>(c.size());
    for (Object v : c) {
      terms.add(Filter.term(key, scalar(key, v)));
    }
    return terms.size() == 1 ? terms.get(0) : new Filter.Or(terms);
  }

  /** Documents that have the key: a range open at the top from the type's smallest value. */
  private Filter exists(String key) {
    FieldType t = fields.get(key);
    if (t == null) {
      return none();
    }
    Object lowest =
        switch (t) {
          case KEYWORD -> "";
          case LONG, DATE -> Long.MIN_VALUE;
          case DOUBLE -> -Double.MAX_VALUE; // the index holds finite doubles only
        };
    return Filter.range(key, lowest, null);
  }

  private static Object scalar(String key, Object v) {
    if (v instanceof String
        || v instanceof Long
        || v instanceof Integer
        || v instanceof Double
        || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Float f) {
      return (double) f;
    }
    if (v instanceof Number n) {
      return n.longValue() == n.doubleValue() ? (Object) n.longValue() : (Object) n.doubleValue();
    }
    throw new IllegalArgumentException(
        "filter on '"
            + key
            + "' compares with "
            + (v == null ? "null" : v.getClass().getSimpleName() + " " + v)
            + "; Bindery compares strings, numbers and booleans");
  }
}
