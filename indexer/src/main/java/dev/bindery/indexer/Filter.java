package dev.bindery.indexer;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A pre-filter over items: metadata conditions and named filter sets, combined with and / or /
 * and-not. Filters restrict the candidates before kNN runs (the graph search skips what does not
 * match), so a selective filter does not cost recall.
 */
public sealed interface Filter {

  /**
   * Items whose metadata {@code field} equals {@code value} (any value for multi-valued fields).
   */
  record Term(String field, Object value) implements Filter {
    public Term {
      Names.checkName("metadata field", field);
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return field + ":" + value;
    }
  }

  /**
   * Items whose numeric or date {@code field} lies in [{@code from}, {@code to}]; a null bound is
   * open.
   */
  record Range(String field, Object from, Object to) implements Filter {
    public Range {
      Names.checkName("metadata field", field);
      if (from == null && to == null) {
        throw new BadArgumentException("range on '" + field + "' needs at least one bound");
      }
    }

    @Override
    public String toString() {
      return field + ":[" + (from == null ? "*" : from) + " TO " + (to == null ? "*" : to) + "]";
    }
  }

  /** Items in the named filter set (a tenant, an ACL, a saved selection). */
  record InSet(String name) implements Filter {
    public InSet {
      Names.checkName("filter set", name);
    }

    @Override
    public String toString() {
      return "set:" + name;
    }
  }

  /** Items matching all clauses. */
  record And(List<Filter> clauses) implements Filter {
    public And {
      clauses = checkClauses("and", clauses);
    }

    @Override
    public String toString() {
      return clauses.stream().map(Object::toString).collect(Collectors.joining(" AND ", "(", ")"));
    }
  }

  /** Items matching any clause. */
  record Or(List<Filter> clauses) implements Filter {
    public Or {
      clauses = checkClauses("or", clauses);
    }

    @Override
    public String toString() {
      return clauses.stream().map(Object::toString).collect(Collectors.joining(" OR ", "(", ")"));
    }
  }

  /** Items matching {@code include} but not {@code exclude}. */
  record AndNot(Filter include, Filter exclude) implements Filter {
    public AndNot {
      Objects.requireNonNull(include, "include");
      Objects.requireNonNull(exclude, "exclude");
    }

    @Override
    public String toString() {
      return "(" + include + " AND NOT " + exclude + ")";
    }
  }

  static Filter term(String field, Object value) {
    return new Term(field, value);
  }

  static Filter range(String field, Object from, Object to) {
    return new Range(field, from, to);
  }

  static Filter set(String name) {
    return new InSet(name);
  }

  static Filter and(Filter... clauses) {
    return new And(List.of(clauses));
  }

  static Filter or(Filter... clauses) {
    return new Or(List.of(clauses));
  }

  default Filter and(Filter other) {
    return new And(List.of(this, other));
  }

  default Filter or(Filter other) {
    return new Or(List.of(this, other));
  }

  default Filter andNot(Filter other) {
    return new AndNot(this, other);
  }

  private static List<Filter> checkClauses(String op, List<Filter> clauses) {
    Objects.requireNonNull(clauses, op + " clauses");
    if (clauses.isEmpty()) {
      throw new BadArgumentException(op + " filter needs at least one clause");
    }
    clauses.forEach(c -> Objects.requireNonNull(c, op + " clause"));
    return List.copyOf(clauses);
  }
}
