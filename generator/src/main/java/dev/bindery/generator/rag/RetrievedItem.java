package dev.bindery.generator.rag;

import dev.bindery.indexer.Hit;
import java.util.Map;
import java.util.Objects;

/**
 * One retrieved item as the answerers and the answer see it: the hit plus the item's stored text.
 *
 * @param id item id
 * @param rank 1-based rank in the retrieval
 * @param score the fused score the ranking used
 * @param similarity the kNN leg's similarity (cosine for the default spaces) of this item to the
 *     query, or null when only the BM25 leg returned it
 * @param modality the item's modality
 * @param source the item's source (path or URL), or null
 * @param metadata the item's metadata
 * @param text the item's stored text fields by name (the default field is {@code text})
 * @param segment the best-matching segment of a multi-vector item, or null
 */
public record RetrievedItem(
    String id,
    int rank,
    double score,
    Double similarity,
    String modality,
    String source,
    Map<String, Object> metadata,
    Map<String, String> text,
    Hit.SegmentMatch segment) {

  public RetrievedItem {
    Objects.requireNonNull(id, "id");
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be >= 1, got " + rank);
    }
    metadata = metadata == null ? Map.of() : metadata;
    text = text == null ? Map.of() : Map.copyOf(text);
  }

  /** The similarity, or {@code fallback} when there is none. */
  public double similarityOr(double fallback) {
    return similarity == null ? fallback : similarity;
  }
}
