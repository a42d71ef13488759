package dev.bindery.fusion.rank;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Why a hit ranked where it did: its fused score and what every fused leg said about it. Made by
 * {@link FusedHit#explain}; the server and the CLI turn it into JSON, nothing in between reads it
 * back from a map.
 *
 * @param score the fused score
 * @param legs every fused leg in the order the query named them
 */
public record Explanation(double score, Map<String, LegExplanation> legs) {

  public Explanation {
    Objects.requireNonNull(legs, "legs");
    // Keep the leg order: explain output lists legs as the query named them.
    legs = Collections.unmodifiableMap(new LinkedHashMap<>(legs));
  }

  /**
   * The raw score of the first leg, in leg order, whose name starts with {@code prefix} and that
   * returned the hit; empty if none did.
   */
  public java.util.OptionalDouble rawScore(String prefix) {
    for (Map.Entry<String, LegExplanation> e : legs.entrySet()) {
      if (e.getKey().startsWith(prefix) && e.getValue().score().present()) {
        return java.util.OptionalDouble.of(e.getValue().score().raw());
      }
    }
    return java.util.OptionalDouble.empty();
  }
}
