package dev.bindery.indexer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One thing in a collection: an image, a sound, a video, a text, with its vectors. An item has
 * item-level vectors, segments (each with vectors and offsets), or both; kNN search can group
 * segment matches back to their item.
 *
 * @param id unique id in its collection (upsert replaces)
 * @param modality what it is ({@code text}, {@code image}, {@code audio}, {@code video}, ...)
 * @param source where it came from (a path or URL), may be null
 * @param text BM25-searchable text fields by name (caption, title, transcript)
 * @param metadata typed metadata for filters: String, Long/Integer, Double/Float, or lists of them
 * @param vectors item-level vectors by space name
 * @param segments segment vectors with offsets
 */
public record Item(
    String id,
    String modality,
    String source,
    Map<String, String> text,
    Map<String, Object> metadata,
    Map<String, float[]> vectors,
    List<Segment> segments) {

  public Item {
    Names.checkId(id);
    modality = modality == null ? "unknown" : modality;
    text = text == null ? Map.of() : Map.copyOf(text);
    metadata =
        metadata == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    vectors = vectors == null ? Map.of() : Map.copyOf(vectors);
    segments = segments == null ? List.of() : List.copyOf(segments);
    if (vectors.isEmpty() && segments.isEmpty()) {
      throw new IllegalArgumentException("item '" + id + "' has no vectors and no segments");
    }
    text.forEach((k, v) -> Names.checkName("text field", k));
    metadata.forEach(
        (k, v) -> {
          Names.checkName("metadata field", k);
          Objects.requireNonNull(v, () -> "item '" + id + "': metadata field '" + k + "' is null");
        });
  }

  /** Starts an item with the given id and modality. */
  public static Builder builder(String id, String modality) {
    return new Builder(id, modality);
  }

  /** Number of vector-bearing documents this item becomes: one per segment, plus item-level. */
  public int vectorDocCount() {
    return segments.size() + (vectors.isEmpty() ? 0 : 1);
  }

  @Override
  public String toString() {
    return "Item[id="
        + id
        + ", modality="
        + modality
        + ", spaces="
        + vectors.keySet()
        + ", segments="
        + segments.size()
        + ", metadata="
        + metadata
        + "]";
  }

  /** Mutable builder for {@link Item}; validation happens in {@link #build()}. */
  public static final class Builder {
    private final String id;
    private final String modality;
    private String source;
    private final Map<String, String> text = new LinkedHashMap<>();
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, float[]> vectors = new LinkedHashMap<>();
    private final java.util.ArrayList<Segment> segments = new java.util.ArrayList<>();

    private Builder(String id, String modality) {
      this.id = id;
      this.modality = modality;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder text(String field, String value) {
      text.put(field, value);
      return this;
    }

    public Builder meta(String field, Object value) {
      metadata.put(field, value);
      return this;
    }

    public Builder vector(String space, float[] vector) {
      vectors.put(space, vector);
      return this;
    }

    public Builder segment(Segment segment) {
      segments.add(segment);
      return this;
    }

    public Item build() {
      return new Item(id, modality, source, text, metadata, vectors, segments);
    }
  }
}
