package dev.bindery.indexer;

/**
 * How a space's {@link Similarity} becomes a Lucene vector similarity function and how Lucene's
 * score becomes the score users see. Both backends run Lucene's HNSW (the embedded one directly,
 * SolrCloud through Solr's {@code DenseVectorField}), so both use this one mapping.
 */
public final class Scores {
  private Scores() {}

  /**
   * The name of Lucene's {@code VectorSimilarityFunction} for {@code s}. Cosine vectors are
   * normalized on the way in, so the cheaper dot product gives the exact cosine.
   */
  public static String luceneFunction(Similarity s) {
    return switch (s) {
      case COSINE, DOT_PRODUCT -> "DOT_PRODUCT";
      case L2 -> "EUCLIDEAN";
    };
  }

  /** Lucene scores dot products as (1 + dot) / 2; users see the cosine / dot itself. */
  public static float userScore(Similarity s, float luceneScore) {
    return switch (s) {
      case COSINE, DOT_PRODUCT -> 2 * luceneScore - 1;
      case L2 -> luceneScore;
    };
  }
}
