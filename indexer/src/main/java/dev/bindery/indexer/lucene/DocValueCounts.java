package dev.bindery.indexer.lucene;

import dev.bindery.indexer.FieldType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.NumericUtils;

/**
 * Value counts per metadata field over the items a query matches, from doc values: keyword values
 * counted by ordinal per segment and resolved once, numbers and dates decoded per value. Each
 * distinct value of an item counts once.
 */
final class DocValueCounts {
  private DocValueCounts() {}

  /**
   * @param items a query over item documents
   * @param types the fields to count and their types
   */
  static Map<String, Map<Object, Long>> count(
      IndexSearcher s, Query items, Map<String, FieldType> types) throws IOException {
    Map<String, Map<Object, Long>> out = new LinkedHashMap<>();
    types.keySet().forEach(field -> out.put(field, new HashMap<>()));
    Weight w = s.createWeight(s.rewrite(items), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      Scorer scorer = w.scorer(ctx);
      if (scorer == null) {
        continue;
      }
      LeafReader reader = ctx.reader();
      Bits live = reader.getLiveDocs();
      // Doc values iterators only go forward, one per field, in doc order like the scorer.
      List<String> names = new ArrayList<>(types.keySet());
      SortedSetDocValues[] keywords = new SortedSetDocValues[names.size()];
      SortedNumericDocValues[] numbers = new SortedNumericDocValues[names.size()];
      long[][] ordCounts = new long[names.size()][];
      for (int i = 0; i < names.size(); i++) {
        String dv = DocFields.meta(names.get(i));
        if (types.get(names.get(i)) == FieldType.KEYWORD) {
          keywords[i] = DocValues.getSortedSet(reader, dv);
          ordCounts[i] = new long[Math.toIntExact(keywords[i].getValueCount())];
        } else {
          numbers[i] = DocValues.getSortedNumeric(reader, dv);
        }
      }
      DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        for (int i = 0; i < names.size(); i++) {
          if (keywords[i] != null) {
            // A sorted set holds each distinct value of a document once.
            if (keywords[i].advanceExact(doc)) {
              for (int v = 0; v < keywords[i].docValueCount(); v++) {
                ordCounts[i][Math.toIntExact(keywords[i].nextOrd())]++;
              }
            }
          } else if (numbers[i].advanceExact(doc)) {
            countNumbers(numbers[i], types.get(names.get(i)), out.get(names.get(i)));
          }
        }
      }
      for (int i = 0; i < names.size(); i++) {
        if (keywords[i] == null) {
          continue;
        }
        Map<Object, Long> counts = out.get(names.get(i));
        for (int ord = 0; ord < ordCounts[i].length; ord++) {
          if (ordCounts[i][ord] > 0) {
            counts.merge(keywords[i].lookupOrd(ord).utf8ToString(), ordCounts[i][ord], Long::sum);
          }
        }
      }
    }
    return out;
  }

  private static void countNumbers(
      SortedNumericDocValues values, FieldType type, Map<Object, Long> counts) throws IOException {
    long previous = 0;
    // Values come sorted: a repeated value is next to its twin; count it once.
    for (int v = 0; v < values.docValueCount(); v++) {
      long raw = values.nextValue();
      if (v == 0 || raw != previous) {
        // Boxed apart: a conditional of double and long would make every value a Double.
        Object value =
            type == FieldType.DOUBLE
                ? (Object) NumericUtils.sortableLongToDouble(raw)
                : (Object) raw;
        counts.merge(value, 1L, Long::sum);
      }
      previous = raw;
    }
  }
}
