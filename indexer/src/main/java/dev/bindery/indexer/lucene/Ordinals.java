package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;

/**
 * The stable item ordinals that filter-set bitmaps hold: item id to ordinal, and the next ordinal
 * to hand out. Ordinals are never reused, so a set never silently gains an item that replaced a
 * deleted one. Thread-safe; callers serialize writes to one id (the writer's stripe lock).
 */
final class Ordinals {
  private final Map<String, Integer> ords = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();

  /** The ordinal of {@code id}, or null when the collection does not hold it. */
  Integer get(String id) {
    return ords.get(id);
  }

  boolean contains(String id) {
    return ords.containsKey(id);
  }

  /** The ordinal of {@code id}, handing out the next one for an id seen first. */
  int assign(String id) {
    return ords.computeIfAbsent(id, k -> next.getAndIncrement());
  }

  /** Forgets {@code id}; true when it had an ordinal. Its ordinal is not handed out again. */
  boolean remove(String id) {
    return ords.remove(id) != null;
  }

  /** The ordinal the next new item gets (recorded in each commit). */
  int next() {
    return next.get();
  }

  /**
   * Reads the ordinals of the items {@code s} sees.
   *
   * @param recordedNext the next ordinal the last commit recorded
   * @param minNext a floor for the next ordinal (one above the largest a filter set holds)
   * @param replace forget ids the searcher no longer sees (a reader following another writer)
   */
  void load(IndexSearcher s, int recordedNext, int minNext, boolean replace) throws IOException {
    Map<String, Integer> loaded = new HashMap<>();
    int n = recordedNext;
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      SortedDocValues ids = ctx.reader().getSortedDocValues(DocFields.ID_VALUES);
      NumericDocValues ordValues = ctx.reader().getNumericDocValues(DocFields.ORD);
      if (ids == null || ordValues == null) {
        continue;
      }
      Bits live = ctx.reader().getLiveDocs();
      for (int doc = ordValues.nextDoc();
          doc != DocIdSetIterator.NO_MORE_DOCS;
          doc = ordValues.nextDoc()) {
        if ((live != null && !live.get(doc)) || !ids.advanceExact(doc)) {
          continue;
        }
        int ord = (int) ordValues.longValue();
        loaded.put(ids.lookupOrd(ids.ordValue()).utf8ToString(), ord);
        n = Math.max(n, ord + 1);
      }
    }
    n = Math.max(n, minNext);
    if (replace) {
      ords.keySet().retainAll(loaded.keySet());
    }
    ords.putAll(loaded);
    next.set(n);
  }
}
