package dev.bindery.eval.bench;

import dev.bindery.indexer.Hit;
import java.util.Arrays;
import java.util.List;

/**
 * Recall@k of one ANN answer against the exact neighbours, by row index (a benchmark item's id is
 * its row in the dataset), the same for Bindery, its peers and every round engine.
 */
final class RecallAtK {
  private RecallAtK() {}

  /** |hits ∩ truth| / k, matching by row index (the item id). */
  static double of(List<Hit> hits, int[] truth, int k) {
    int[] ids = new int[Math.min(k, hits.size())];
    for (int i = 0; i < ids.length; i++) {
      try {
        ids[i] = Integer.parseInt(hits.get(i).id());
      } catch (NumberFormatException e) {
        throw new IllegalStateException("hit id '" + hits.get(i).id() + "' is not a row index", e);
      }
    }
    return of(ids, truth, k);
  }

  /**
   * |ids ∩ truth| / k over the first k of {@code ids} (row indexes, best first; an id counts once
   * even if repeated, and -1 marks an empty slot).
   */
  static double of(int[] ids, int[] truth, int k) {
    int[] expected = Arrays.copyOf(truth, Math.min(k, truth.length));
    Arrays.sort(expected);
    boolean[] seen = new boolean[expected.length];
    int found = 0;
    for (int i = 0; i < Math.min(k, ids.length); i++) {
      int at = Arrays.binarySearch(expected, ids[i]);
      if (at >= 0 && !seen[at]) {
        seen[at] = true;
        found++;
      }
    }
    return (double) found / expected.length;
  }
}
