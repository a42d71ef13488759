package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Filter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a metadata {@link Filter} from JSON:
 *
 * <pre>
 * F := {"term": {"field": "lang", "value": "en"}}
 *    | {"range": {"field": "year", "from": 2015, "to": 2020}}     either bound may be left out
 *    | {"set": "tenant-a"}                                         a named filter set
 *    | {"and": [F, ...]} | {"or": [F, ...]}
 *    | {"and_not": {"include": F, "exclude": F}}
 * </pre>
 *
 * Values are strings, integers or numbers (dates as ISO-8601 strings). Errors name the JSON path
 * ({@code filter at /and/1/range: ...}). Nesting is limited to {@value #MAX_DEPTH} levels.
 */
final class FilterJson {
  static final int MAX_DEPTH = 32;

  private FilterJson() {}

  /** The filter, or null for a missing or null node. */
  static Filter read(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    return node(node, "", 1);
  }

  private static Filter node(JsonNode n, String path, int depth) {
    String at = path.isEmpty() ? "/" : path;
    if (depth > MAX_DEPTH) {
      throw new BadArgumentException("filter at " + at + ": nested deeper than " + MAX_DEPTH);
    }
    if (!n.isObject() || n.size() != 1) {
      throw new BadArgumentException(
          "filter at "
              + at
              + ": expected an object with one key of term, range, set, and, or, and_not; got "
              + (n.isObject()
                  ? "keys " + keys(n)
                  : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    String key = n.fieldNames().next();
    JsonNode v = n.get(key);
    String here = path + "/" + key;
    // The indexer's own checks (a field or set name it refuses) say why; the path says where.
    String where = "filter at " + here;
    return switch (key) {
      case "term" -> {
        fields(v, here, List.of("field", "value"), List.of("field", "value"));
        String field = string(v.get("field"), here + "/field");
        Object value = value(v.get("value"), here + "/value");
        yield RequestInput.at(where, () -> Filter.term(field, value));
      }
      case "range" -> {
        fields(v, here, List.of("field", "from", "to"), List.of("field"));
        Object from = v.hasNonNull("from") ? value(v.get("from"), here + "/from") : null;
        Object to = v.hasNonNull("to") ? value(v.get("to"), here + "/to") : null;
        String field = string(v.get("field"), here + "/field");
        yield RequestInput.at(where, () -> Filter.range(field, from, to));
      }
      case "set" -> {
        String name = string(v, here);
        yield RequestInput.at(where, () -> Filter.set(name));
      }
      case "and", "or" -> {
        if (!v.isArray() || v.isEmpty()) {
          throw new BadArgumentException(
              "filter at " + here + ": expected a non-empty list of filters");
        }
        List<Filter> clauses = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          clauses.add(node(v.get(i), here + "/" + i, depth + 1));
        }
        yield RequestInput.at(
            where, () -> key.equals("and") ? new Filter.And(clauses) : new Filter.Or(clauses));
      }
      case "and_not" -> {
        fields(v, here, List.of("include", "exclude"), List.of("include", "exclude"));
        Filter include = node(v.get("include"), here + "/include", depth + 1);
        Filter exclude = node(v.get("exclude"), here + "/exclude", depth + 1);
        yield RequestInput.at(where, () -> new Filter.AndNot(include, exclude));
      }
      default ->
          throw new BadArgumentException(
              "filter at "
                  + at
                  + ": unknown filter '"
                  + key
                  + "'; expected one of term, range, set, and, or, and_not");
    };
  }

  private static void fields(JsonNode v, String path, List<String> allowed, List<String> needed) {
    if (!v.isObject()) {
      throw new BadArgumentException(
          "filter at "
              + path
              + ": expected an object with "
              + allowed
              + ", got "
              + v.getNodeType());
    }
    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new BadArgumentException(
            "filter at " + path + ": unknown key '" + k + "'; expected " + allowed);
      }
    }
    for (String k : needed) {
      if (!v.hasNonNull(k)) {
        throw new BadArgumentException("filter at " + path + ": '" + k + "' is missing");
      }
    }
  }

  private static String string(JsonNode v, String path) {
    if (v == null || !v.isTextual()) {
      throw new BadArgumentException(
          "filter at " + path + ": expected a string, got " + (v == null ? "nothing" : v));
    }
    return v.textValue();
  }

  private static Object value(JsonNode v, String path) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      double d = v.doubleValue();
      if (!Double.isFinite(d)) {
        throw new BadArgumentException("filter at " + path + ": number is not finite: " + v);
      }
      return d;
    }
    throw new BadArgumentException(
        "filter at " + path + ": expected a string or a number, got " + v.getNodeType());
  }

  private static List<String> keys(JsonNode n) {
    List<String> k = new ArrayList<>();
    n.fieldNames().forEachRemaining(k::add);
    return k;
  }
}
