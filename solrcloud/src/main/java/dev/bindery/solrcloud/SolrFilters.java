package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.SchemaChecks;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * Compiles a {@link Filter} into one Solr filter query. Every user value travels in its own request
 * parameter ({@code v=$bqN}), never spliced into query syntax, so no value can change the query's
 * structure. And / or / and-not become {@code {!bool}} queries over those parameters; filter sets
 * become {@code {!terms}} over the item ids they hold.
 */
final class SolrFilters {
  /** Separator of ids in a {@code {!terms}} list: item ids cannot hold control characters. */
  static final String ID_SEPARATOR = "\n";

  private final CollectionConfig config;
  private final Function<String, Collection<String>> sets;
  private final ModifiableSolrParams params;
  private int next;

  private SolrFilters(
      CollectionConfig config,
      Function<String, Collection<String>> sets,
      ModifiableSolrParams params) {
    this.config = config;
    this.sets = sets;
    this.params = params;
  }

  /**
   * Returns the filter query for {@code filter} and adds the parameters it refers to.
   *
   * @param sets member ids of a filter set by name; throws for an unknown set
   */
  static String compile(
      Filter filter,
      CollectionConfig config,
      Function<String, Collection<String>> sets,
      ModifiableSolrParams params) {
    SolrFilters c = new SolrFilters(config, sets, params);
    params.set("bqsep", ID_SEPARATOR);
    return c.compile(filter);
  }

  private String param(String value) {
    String name = "bq" + next++;
    params.set(name, value);
    return "$" + name;
  }

  private String compile(Filter f) {
    return switch (f) {
      case Filter.Term t -> {
        FieldType type = SchemaChecks.filterFieldType(config, t.field());
        String value = SolrMetadata.queryValue(t.field(), type, t.value());
        String field = SolrFields.meta(t.field(), type);
        yield type == FieldType.KEYWORD
            ? "{!term f=" + field + " v=" + param(value) + "}"
            : "{!field f=" + field + " v=" + param(value) + "}";
      }
      case Filter.Range r -> {
        FieldType type = SchemaChecks.filterFieldType(config, r.field());
        String from =
            r.from() == null ? "*" : quoted(SolrMetadata.queryValue(r.field(), type, r.from()));
        String to = r.to() == null ? "*" : quoted(SolrMetadata.queryValue(r.field(), type, r.to()));
        yield "{!lucene v="
            + param(SolrFields.meta(r.field(), type) + ":[" + from + " TO " + to + "]")
            + "}";
      }
      case Filter.InSet set -> {
        Collection<String> ids = sets.apply(set.name());
        if (ids.isEmpty()) {
          yield "{!term f=" + ItemFields.KIND + " v=" + param("none") + "}";
        }
        yield "{!terms f="
            + SolrFields.PARENT
            + " separator=$bqsep v="
            + param(String.join(ID_SEPARATOR, ids))
            + "}";
      }
      case Filter.And and -> bool("filter", and.clauses());
      case Filter.Or or -> bool("should", or.clauses());
      case Filter.AndNot an ->
          "{!bool filter="
              + param(compile(an.include()))
              + " must_not="
              + param(compile(an.exclude()))
              + "}";
    };
  }

  private String bool(String occur, List<Filter> clauses) {
    StringBuilder b = new StringBuilder("{!bool");
    for (Filter c : clauses) {
      b.append(' ').append(occur).append('=').append(param(compile(c)));
    }
    return b.append('}').toString();
  }

  /** A range bound in double quotes, with the two characters that end or escape it escaped. */
  private static String quoted(String v) {
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
