package dev.bindery.client;

import java.util.Map;
import java.util.Objects;

/**
 * One search hit as a Bindery server answers it.
 *
 * @param id the item's id
 * @param score the final score: for a one-leg vector query the space's similarity (cosine, dot,
 *     {@code 1/(1+d²)} for L2)
 * @param modality the item's modality
 * @param metadata the item's metadata as stored
 */
public record RemoteHit(String id, double score, String modality, Map<String, Object> metadata) {
  public RemoteHit {
    Objects.requireNonNull(id, "id");
    metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
  }
}
