package dev.bindery.server.cli;

import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the {@code --filter} arguments of the command line into a {@link Filter}, typing values by
 * the collection's metadata fields. One argument is one condition; several are all required:
 *
 * <ul>
 *   <li>{@code FIELD=VALUE}: the field equals the value;
 *   <li>{@code FIELD=FROM..TO}, {@code FIELD=FROM..}, {@code FIELD=..TO}: an inclusive range;
 *   <li>{@code FIELD>=VALUE}, {@code FIELD<=VALUE}: a half-open range;
 *   <li>{@code set:NAME}: the item is in the named filter set.
 * </ul>
 */
final class FilterArgument {
  private FilterArgument() {}

  /**
   * The conjunction of {@code args}, or null when there are none.
   *
   * @param fields the collection's metadata field types, for typing values
   * @throws IllegalArgumentException naming the argument and what is wrong with it
   */
  static Filter parse(List<String> args, Map<String, FieldType> fields) {
    if (args == null || args.isEmpty()) {
      return null;
    }
    List<Filter> clauses = new ArrayList<>();
    for (String arg : args) {
      clauses.add(parseOne(arg, fields));
    }
    return clauses.size() == 1 ? clauses.get(0) : new Filter.And(clauses);
  }

  private static Filter parseOne(String arg, Map<String, FieldType> fields) {
    if (arg.startsWith("set:")) {
      return Filter.set(arg.substring(4));
    }
    int ge = arg.indexOf(">=");
    int le = arg.indexOf("<=");
    int eq = arg.indexOf('=');
    if (ge > 0 && (le < 0 || ge < le)) {
      String field = field(arg, arg.substring(0, ge), fields);
      return Filter.range(field, value(arg, field, fields, arg.substring(ge + 2)), null);
    }
    if (le > 0) {
      String field = field(arg, arg.substring(0, le), fields);
      return Filter.range(field, null, value(arg, field, fields, arg.substring(le + 2)));
    }
    if (eq <= 0) {
      throw new IllegalArgumentException(
          "filter '"
              + arg
              + "' is not FIELD=VALUE, FIELD=FROM..TO, FIELD>=VALUE, FIELD<=VALUE or set:NAME");
    }
    String field = field(arg, arg.substring(0, eq), fields);
    String rhs = arg.substring(eq + 1);
    int dots = rhs.indexOf("..");
    if (dots >= 0 && fields.get(field) != FieldType.KEYWORD) {
      String from = rhs.substring(0, dots).strip();
      String to = rhs.substring(dots + 2).strip();
      if (from.isEmpty() && to.isEmpty()) {
        throw new IllegalArgumentException(
            "filter '" + arg + "': a range needs at least one bound, as in year=2010..2020");
      }
      return Filter.range(
          field,
          from.isEmpty() ? null : value(arg, field, fields, from),
          to.isEmpty() ? null : value(arg, field, fields, to));
    }
    return Filter.term(field, value(arg, field, fields, rhs));
  }

  private static String field(String arg, String name, Map<String, FieldType> fields) {
    String field = name.strip();
    if (!fields.containsKey(field)) {
      throw new IllegalArgumentException(
          "filter '"
              + arg
              + "' names unknown metadata field '"
              + field
              + "'; the collection has "
              + (fields.isEmpty() ? "no metadata fields" : new TreeSet<>(fields.keySet())));
    }
    return field;
  }

  /** The value as the field's type wants it: Long, Double or String (keywords and dates). */
  private static Object value(String arg, String field, Map<String, FieldType> fields, String raw) {
    String v = raw.strip();
    FieldType type = fields.get(field);
    if (v.isEmpty()) {
      throw new IllegalArgumentException("filter '" + arg + "' has no value for '" + field + "'");
    }
    try {
      return switch (type) {
        case LONG -> Long.parseLong(v);
        case DOUBLE -> Double.parseDouble(v);
        case KEYWORD, DATE -> v;
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "filter '" + arg + "': field '" + field + "' is " + type + ", got '" + v + "'", e);
    }
  }
}
