package dev.bindery.fusion.query;

import dev.bindery.fusion.rank.Explanation;
import dev.bindery.indexer.Hit;
import java.util.Map;
import java.util.Objects;

/**
 * One hit of a search: the item, its final score and, when asked for, why it ranked there.
 *
 * @param id item id
 * @param score the fused score (the leg's own score when the query had one leg)
 * @param modality the item's modality
 * @param source the item's source, or null
 * @param metadata the item's metadata
 * @param segment the best-matching segment of a multi-vector item, or null
 * @param explain the fused score and per leg rank, raw and normalized score, strategy and visited;
 *     null unless explain was asked for
 */
public record ResultHit(
    String id,
    double score,
    String modality,
    String source,
    Map<String, Object> metadata,
    Hit.SegmentMatch segment,
    Explanation explain) {
  public ResultHit {
    Objects.requireNonNull(id, "id");
    metadata = metadata == null ? Map.of() : metadata;
  }
}
