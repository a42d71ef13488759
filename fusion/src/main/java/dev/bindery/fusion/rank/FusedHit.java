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

  /** Explain data: the fused score and each leg's {@link LegScore}, without how legs searched. */
  public Explanation explain() {
    return explain(List.of());
  }

  /**
   * Explain data as {@link #explain()}, plus each leg's strategy and visited count taken from the
   * matching leg result.
   */
  public Explanation explain(List<LegResult> legResults) {
    Map<String, LegResult> byName = new LinkedHashMap<>();
    for (LegResult r : legResults) {
      byName.put(r.leg(), r);
    }
    Map<String, LegExplanation> out = new LinkedHashMap<>();
    for (Map.Entry<String, LegScore> e : legs.entrySet()) {
      LegResult r = byName.get(e.getKey());
      out.put(
          e.getKey(),
          new LegExplanation(
              e.getValue(), r == null ? null : r.strategy(), r == null ? null : r.visited()));
    }
    return new Explanation(score, out);
  }

  @Override
  public String toString() {
    return "FusedHit[" + hit.id() + ", " + score + ", " + legs + "]";
  }
}
