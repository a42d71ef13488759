package dev.bindery.fusion.rank;

import dev.bindery.indexer.Hit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One hit of a fused ranking with every leg's view of it.
 *
 * @param hit the representative hit: the one from the first leg, in leg order, that returned it
 *     (its {@code score} is that leg's raw score, not the fused one)
 * @param score the fused score
 * @param legs every fused leg in leg order (legs with weight 0 are not fused), absent ones with
 *     {@link LegScore#ABSENT}
 */
public record FusedHit(Hit hit, double score, Map<String, LegScore> legs) {

  public FusedHit {
    Objects.requireNonNull(hit, "hit");
    Objects.requireNonNull(legs, "legs");
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("fused score of " + hit.id() + " is NaN");
    }
    // Keep the leg order: explain output lists legs as the query named them.
    legs = Collections.unmodifiableMap(new LinkedHashMap<>(legs));
  }

  /** The item id. */
  public String id() {
    return hit.id();
  }

  /**
   * Explain data as an ordered map ready for JSON: {@code {"score", "legs": {name: {"rank", "raw",
   * "normalized"}}}}; an absent leg shows only {@code "rank": 0}.
   */
  public Map<String, Object> toExplainMap() {
    return toExplainMap(List.of());
  }

  /**
   * Explain data as {@link #toExplainMap()}, plus each leg's {@code "strategy"} and {@code
   * "visited"} taken from the matching leg result.
   */
  public Map<String, Object> toExplainMap(List<LegResult> legResults) {
    Map<String, LegResult> byName = new LinkedHashMap<>();
    for (LegResult r : legResults) {
      byName.put(r.leg(), r);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("score", score);
    Map<String, Object> legMap = new LinkedHashMap<>();
    for (Map.Entry<String, LegScore> e : legs.entrySet()) {
      LegScore s = e.getValue();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rank", s.rank());
      if (s.present()) {
        m.put("raw", s.raw());
        m.put("normalized", s.normalized());
      }
      LegResult r = byName.get(e.getKey());
      if (r != null) {
        m.put("strategy", r.strategy().name());
        m.put("visited", r.visited());
      }
      legMap.put(e.getKey(), m);
    }
    out.put("legs", legMap);
    return out;
  }

  @Override
  public String toString() {
    return "FusedHit[" + hit.id() + ", " + score + ", " + legs + "]";
  }
}
