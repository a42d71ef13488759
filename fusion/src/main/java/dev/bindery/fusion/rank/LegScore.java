package dev.bindery.fusion.rank;

/**
 * What one leg said about one fused hit.
 *
 * @param rank 1-based position in the leg, or 0 when the leg did not return the hit
 * @param raw the leg's raw score for the hit (0 when absent)
 * @param normalized this leg's unweighted contribution: {@code 1 / (rrfK + rank)} for RRF, the
 *     normalized score in [0,1] for WEIGHTED and DBSF; 0 when absent
 */
public record LegScore(int rank, float raw, double normalized) {

  /** The entry of a leg that did not return the hit. */
  public static final LegScore ABSENT = new LegScore(0, 0f, 0.0);

  public LegScore {
    if (rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0 (0 = absent): " + rank);
    }
  }

  /** Whether the leg returned the hit. */
  public boolean present() {
    return rank > 0;
  }
}
