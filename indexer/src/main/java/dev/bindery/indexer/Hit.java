package dev.bindery.indexer;

import java.util.Map;

/**
 * One search result: the item and, when the match was a segment, which one.
 *
 * @param id item id
 * @param score similarity score (higher is better); for kNN the exact score when rescored
 * @param modality the item's modality
 * @param source the item's source, or null
 * @param metadata the item's metadata as it was written
 * @param segment the matching segment, or null when the item-level vector matched
 */
public record Hit(
    String id,
    float score,
    String modality,
    String source,
    Map<String, Object> metadata,
    SegmentMatch segment) {

  /** Which segment of a multi-vector item matched. */
  public record SegmentMatch(int index, double start, double end) {}

  /**
   * Ranking order everywhere in Bindery: score descending, id ascending, segment index ascending.
   */
  public static final java.util.Comparator<Hit> RANKING =
      java.util.Comparator.comparingDouble((Hit h) -> -h.score())
          .thenComparing(Hit::id)
          // Ungrouped kNN can return two segments of one item with equal scores: item-level first,
          // then by segment index, so the order never depends on how the index laid documents out.
          .thenComparingInt((Hit h) -> h.segment() == null ? -1 : h.segment().index());
}
