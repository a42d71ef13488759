package dev.bindery.langchain4j;

import dev.bindery.indexer.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Translates langchain4j's metadata {@link dev.langchain4j.store.embedding.filter.Filter} into a
 * Bindery {@link Filter} with langchain4j's semantics: a negation (not-equal, not-in, not) also
 * matches entries that lack the key, strict comparisons exclude the bound, and a key that no entry
 * of the collection has matches nothing. Bindery's ranges are inclusive, so {@code key > v} becomes
 * {@code key >= v and not key = v}; that is exact for every type (no ulp arithmetic on doubles).
 *
 * <p>Filters Bindery cannot express ({@code ContainsString}, or a filter class this translator does
 * not know) fail with an {@link UnsupportedOperationException} naming the filter.
 */
final class MetadataFilterTranslator {
  private final Set<String> knownFields;
  private final Filter all;

  /**
   * @param knownFields the metadata fields the collection has (others match nothing)
   * @param all a filter every entry written by the store matches, for negations
   */
  MetadataFilterTranslator(Set<String> knownFields, Filter all) {
    this.knownFields = Set.copyOf(knownFields);
    this.all = Objects.requireNonNull(all, "all");
  }

  Filter translate(dev.langchain4j.store.embedding.filter.Filter f) {
    Objects.requireNonNull(f, "filter");
    return switch (f) {
      case IsEqualTo eq -> term(eq.key(), eq.comparisonValue());
      case IsNotEqualTo ne -> not(term(ne.key(), ne.comparisonValue()));
      case IsGreaterThanOrEqualTo ge -> range(ge.key(), ge.comparisonValue(), null);
      case IsLessThanOrEqualTo le -> range(le.key(), null, le.comparisonValue());
      case IsGreaterThan gt ->
          andNot(range(gt.key(), gt.comparisonValue(), null), term(gt.key(), gt.comparisonValue()));
      case IsLessThan lt ->
          andNot(range(lt.key(), null, lt.comparisonValue()), term(lt.key(), lt.comparisonValue()));
      case IsIn in -> anyOf(in.key(), in.comparisonValues());
      case IsNotIn notIn -> not(anyOf(notIn.key(), notIn.comparisonValues()));
      case And and -> Filter.and(translate(and.left()), translate(and.right()));
      case Or or -> Filter.or(translate(or.left()), translate(or.right()));
      case Not not -> not(translate(not.expression()));
      default ->
          throw new UnsupportedOperationException(
              "Bindery cannot express the langchain4j filter "
                  + f.getClass().getSimpleName()
                  + " ("
                  + f
                  + "); supported: IsEqualTo, IsNotEqualTo, IsGreaterThan, IsGreaterThanOrEqualTo,"
                  + " IsLessThan, IsLessThanOrEqualTo, IsIn, IsNotIn, And, Or, Not");
    };
  }

  /** Nothing: an empty and-not of everything with itself. */
  private Filter none() {
    return all.andNot(all);
  }

  private Filter not(Filter f) {
    return all.andNot(f);
  }

  private static Filter andNot(Filter include, Filter exclude) {
    return include.andNot(exclude);
  }

  private Filter term(String key, Object value) {
    return knownFields.contains(key) ? Filter.term(key, indexed(key, value)) : none();
  }

  private Filter range(String key, Object from, Object to) {
    if (!knownFields.contains(key)) {
      return none();
    }
    return Filter.range(
        key, from == null ? null : indexed(key, from), to == null ? null : indexed(key, to));
  }

  private Filter anyOf(String key, Collection<?> values) {
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("in / not-in filter on '" + key + "' has no values");
    }
    if (!knownFields.contains(key)) {
      return none();
    }
    List<Filter> terms = new ArrayList<>(values.size());
    for (Object v : values) {
      terms.add(Filter.term(key, indexed(key, v)));
    }
    return terms.size() == 1 ? terms.get(0) : new Filter.Or(terms);
  }

  /** A filter value in the form the store writes it (see {@link MetadataCodec#toBindery}). */
  private static Object indexed(String key, Object value) {
    if (value instanceof UUID || value instanceof String) {
      return value.toString();
    }
    if (value instanceof Float f) {
      return (double) f; // stored floats are widened exactly the same way
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Double) {
      return value;
    }
    throw new IllegalArgumentException(
        "filter on '"
            + key
            + "' compares with a value of unsupported type "
            + (value == null ? "null" : value.getClass().getName())
            + "; langchain4j metadata holds String, UUID, Integer, Long, Float or Double");
  }
}
