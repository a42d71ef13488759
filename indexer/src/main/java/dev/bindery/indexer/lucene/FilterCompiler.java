package dev.bindery.indexer.lucene;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.SchemaChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.FixedBitSet;
import org.roaringbitmap.RoaringBitmap;

/**
 * Compiles the sealed {@link Filter} to a Lucene query over item documents: metadata terms and
 * ranges through {@link MetadataFields}, filter sets through {@link OrdinalSetQuery}. An and / or /
 * and-not whose clauses are all filter sets is combined at the bitmap level ({@link SetOperation})
 * and cached by the sets' names and versions, so a saved combination costs one bitmap lookup.
 *
 * <p>Thread-safe: the caches are Caffeine caches; the schema and sets are read through suppliers so
 * a compiled filter always sees the collection's latest published state.
 */
final class FilterCompiler {
  private static final int BITSET_CACHE_ENTRIES = 256;
  private static final int COMBINED_CACHE_ENTRIES = 64;

  private final Supplier<CollectionConfig> config;
  private final Supplier<FilterSets> sets;
  // Runnable::run: evictions happen on the calling thread, not on the common pool.
  private final Map<Object, FixedBitSet> bitsets =
      Caffeine.newBuilder()
          .maximumSize(BITSET_CACHE_ENTRIES)
          .executor(Runnable::run)
          .<Object, FixedBitSet>build()
          .asMap();
  private final Cache<String, RoaringBitmap> combined =
      Caffeine.newBuilder().maximumSize(COMBINED_CACHE_ENTRIES).executor(Runnable::run).build();

  FilterCompiler(Supplier<CollectionConfig> config, Supplier<FilterSets> sets) {
    this.config = config;
    this.sets = sets;
  }

  /** The items that pass {@code f}, or all items for a null filter. */
  Query itemsMatching(Filter f) {
    if (f == null) {
      return DocFields.ITEMS;
    }
    return new BooleanQuery.Builder()
        .add(DocFields.ITEMS, BooleanClause.Occur.FILTER)
        .add(compile(f), BooleanClause.Occur.FILTER)
        .build();
  }

  private Query compile(Filter f) {
    CollectionConfig cfg = config.get();
    return switch (f) {
      case Filter.Term t ->
          MetadataFields.termQuery(t, SchemaChecks.filterFieldType(cfg, t.field()));
      case Filter.Range r ->
          MetadataFields.rangeQuery(r, SchemaChecks.filterFieldType(cfg, r.field()));
      case Filter.InSet set -> {
        FilterSets.Entry e = sets.get().get(set.name());
        yield new OrdinalSetQuery(e.bitmap(), setKey(e), bitsets);
      }
      case Filter.And and -> {
        if (allSets(and.clauses())) {
          yield combinedSets(SetOperation.AND, and.clauses());
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        and.clauses().forEach(c -> b.add(compile(c), BooleanClause.Occur.FILTER));
        yield b.build();
      }
      case Filter.Or or -> {
        if (allSets(or.clauses())) {
          yield combinedSets(SetOperation.OR, or.clauses());
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        or.clauses().forEach(c -> b.add(compile(c), BooleanClause.Occur.SHOULD));
        yield new ConstantScoreQuery(b.build());
      }
      case Filter.AndNot an -> {
        if (an.include() instanceof Filter.InSet && an.exclude() instanceof Filter.InSet) {
          yield combinedSets(SetOperation.AND_NOT, List.of(an.include(), an.exclude()));
        }
        yield new BooleanQuery.Builder()
            .add(compile(an.include()), BooleanClause.Occur.FILTER)
            .add(compile(an.exclude()), BooleanClause.Occur.MUST_NOT)
            .build();
      }
    };
  }

  private static boolean allSets(List<Filter> clauses) {
    return clauses.stream().allMatch(c -> c instanceof Filter.InSet);
  }

  private static String setKey(FilterSets.Entry e) {
    return e.name() + "@" + e.version();
  }

  /** Combines filter sets at the bitmap level; the result is cached by names and versions. */
  private Query combinedSets(SetOperation op, List<Filter> clauses) {
    FilterSets current = sets.get();
    List<FilterSets.Entry> entries = new ArrayList<>();
    for (Filter c : clauses) {
      entries.add(current.get(((Filter.InSet) c).name()));
    }
    String key =
        op.wireName()
            + entries.stream()
                .map(FilterCompiler::setKey)
                .collect(Collectors.joining(",", "(", ")"));
    RoaringBitmap bm =
        combined.get(key, k -> op.combine(entries.stream().map(FilterSets.Entry::bitmap).toList()));
    return new OrdinalSetQuery(bm, key, bitsets);
  }
}
