package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter compiler against a naive evaluation: random filter trees (terms, ranges, sets and
 * their and / or / and-not, including the all-sets combinations done on bitmaps) must select
 * exactly the items a plain predicate over the written metadata selects.
 */
class FilterCompilerTest {
  @TempDir Path data;

  private record Row(String id, String tag, long year) {}

  @Test
  void selectsWhatANaivePredicateSelects() throws Exception {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    Map<String, Set<String>> sets = new HashMap<>();
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(
          new CollectionConfig(
              "c",
              Map.of("e", SpaceConfig.of("e", 2, Similarity.COSINE)),
              Map.of("tag", FieldType.KEYWORD, "year", FieldType.LONG)));
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        Row row = new Row("i" + i, "t" + r.nextInt(4), 2000 + r.nextInt(20));
        rows.add(row);
        items.add(
            Item.builder(row.id(), "image")
                .vector("e", new float[] {1 + r.nextFloat(), r.nextFloat()})
                .meta("tag", row.tag())
                .meta("year", row.year())
                .build());
      }
      b.upsert("c", items);
      for (String set : List.of("s0", "s1", "s2")) {
        Set<String> members = new TreeSet<>();
        rows.forEach(
            row -> {
              if (r.nextInt(3) == 0) {
                members.add(row.id());
              }
            });
        b.putFilterSet("c", set, members);
        sets.put(set, members);
      }
      b.commit("c");
      for (int round = 0; round < 200; round++) {
        Filter f = randomFilter(r, 3);
        Predicate<Row> p = naive(f, sets);
        long expected = rows.stream().filter(p).count();
        assertEquals(expected, b.count("c", f), f + " (seed " + seed + ")");
      }
    }
  }

  private static Filter randomFilter(Random r, int depth) {
    int kind = depth == 0 ? r.nextInt(3) : r.nextInt(6);
    return switch (kind) {
      case 0 -> Filter.term("tag", "t" + r.nextInt(4));
      case 1 -> {
        long from = 2000 + r.nextInt(20);
        yield Filter.range("year", r.nextBoolean() ? from : null, from + r.nextInt(8));
      }
      case 2 -> Filter.set("s" + r.nextInt(3));
      case 3 -> new Filter.And(children(r, depth));
      case 4 -> new Filter.Or(children(r, depth));
      default -> randomFilter(r, depth - 1).andNot(randomFilter(r, depth - 1));
    };
  }

  /** One to three clauses; half the time all of them sets, so the bitmap path runs too. */
  private static List<Filter> children(Random r, int depth) {
    boolean setsOnly = r.nextBoolean();
    List<Filter> out = new ArrayList<>();
    for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
      out.add(setsOnly ? Filter.set("s" + r.nextInt(3)) : randomFilter(r, depth - 1));
    }
    return out;
  }

  private static Predicate<Row> naive(Filter f, Map<String, Set<String>> sets) {
    return switch (f) {
      case Filter.Term t -> row -> row.tag().equals(t.value());
      case Filter.Range rg ->
          row ->
              (rg.from() == null || row.year() >= ((Number) rg.from()).longValue())
                  && (rg.to() == null || row.year() <= ((Number) rg.to()).longValue());
      case Filter.InSet s -> row -> sets.get(s.name()).contains(row.id());
      case Filter.And and ->
          and.clauses().stream().map(c -> naive(c, sets)).reduce(x -> true, Predicate::and);
      case Filter.Or or ->
          or.clauses().stream().map(c -> naive(c, sets)).reduce(x -> false, Predicate::or);
      case Filter.AndNot an -> naive(an.include(), sets).and(naive(an.exclude(), sets).negate());
    };
  }
}
