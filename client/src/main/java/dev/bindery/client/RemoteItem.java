package dev.bindery.client;

import java.util.Map;
import java.util.Objects;

/**
 * An item as a Bindery server answers it ({@code POST /v1/collections/{name}/items/get}).
 *
 * @param id the item's id
 * @param modality text, image, audio, video, vector, ...
 * @param source where it came from, or null
 * @param text BM25 text fields by name
 * @param metadata metadata as stored: strings, longs, doubles, or lists of them
 * @param vectors item-level vectors by space, exactly as stored; empty unless asked for
 */
public record RemoteItem(
    String id,
    String modality,
    String source,
    Map<String, String> text,
    Map<String, Object> metadata,
    Map<String, float[]> vectors) {
  public RemoteItem {
    Objects.requireNonNull(id, "id");
    text = Map.copyOf(text);
    metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    vectors = Map.copyOf(vectors);
  }
}
