package dev.bindery.client;

import java.util.Map;
import java.util.Objects;

/**
 * One item to write with {@link BinderyClient#addItems}: precomputed vectors, optional text (the
 * BM25 field {@code text}; a collection with a model package also embeds it) and metadata.
 *
 * @param id the item's id (replaces an item of the same id)
 * @param text the text, or null
 * @param vectors vectors by space name
 * @param metadata strings, numbers, booleans, or lists of them
 */
public record ItemWrite(
    String id, String text, Map<String, float[]> vectors, Map<String, Object> metadata) {
  public ItemWrite {
    Objects.requireNonNull(id, "id");
    vectors = vectors == null ? Map.of() : Map.copyOf(vectors);
    metadata =
        metadata == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
  }
}
