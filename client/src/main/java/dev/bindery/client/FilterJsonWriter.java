package dev.bindery.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.Filter;
import java.time.Instant;

/**
 * Writes a {@link Filter} in the server's filter JSON ({@code {"term": {"field", "value"}},
 * {"range": {"field", "from", "to"}}, {"set": NAME}, {"and": [...]}, {"or": [...]}, {"and_not":
 * {"include", "exclude"}}}), the inverse of the server's reader. Values go as the index holds them:
 * strings and numbers as they are, booleans as the keywords {@code "true"} / {@code "false"},
 * instants as ISO-8601 strings.
 */
final class FilterJsonWriter {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private FilterJsonWriter() {}

  static ObjectNode write(Filter filter) {
    ObjectNode n = F.objectNode();
    switch (filter) {
      case Filter.Term t -> {
        ObjectNode term = n.putObject("term").put("field", t.field());
        term.set("value", value(t.field(), t.value()));
      }
      case Filter.Range r -> {
        ObjectNode range = n.putObject("range").put("field", r.field());
        if (r.from() != null) {
          range.set("from", value(r.field(), r.from()));
        }
        if (r.to() != null) {
          range.set("to", value(r.field(), r.to()));
        }
      }
      case Filter.InSet s -> n.put("set", s.name());
      case Filter.And a -> {
        ArrayNode clauses = n.putArray("and");
        a.clauses().forEach(c -> clauses.add(write(c)));
      }
      case Filter.Or o -> {
        ArrayNode clauses = n.putArray("or");
        o.clauses().forEach(c -> clauses.add(write(c)));
      }
      case Filter.AndNot an -> {
        ObjectNode andNot = n.putObject("and_not");
        andNot.set("include", write(an.include()));
        andNot.set("exclude", write(an.exclude()));
      }
    }
    return n;
  }

  private static com.fasterxml.jackson.databind.JsonNode value(String field, Object v) {
    return switch (v) {
      case String s -> F.textNode(s);
      case Boolean b -> F.textNode(b.toString());
      case Instant i -> F.textNode(i.toString());
      case Long l -> F.numberNode(l);
      case Integer i -> F.numberNode(i.longValue());
      case Short s -> F.numberNode(s.longValue());
      case Byte b -> F.numberNode(b.longValue());
      case Double d -> finite(field, d);
      case Float f -> finite(field, f.doubleValue());
      default ->
          throw new IllegalArgumentException(
              "filter on '"
                  + field
                  + "' compares with a value of unsupported type "
                  + v.getClass().getName()
                  + "; the server's filters take strings, numbers, booleans and instants");
    };
  }

  private static com.fasterxml.jackson.databind.JsonNode finite(String field, double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("filter on '" + field + "' compares with " + d);
    }
    return F.numberNode(d);
  }
}
