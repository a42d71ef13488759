package dev.bindery.indexer;

import java.util.Random;

/**
 * Deterministic clustered unit vectors for benchmarks and recall tests: a stand-in for real
 * embeddings when none are at hand. Cluster centroids are random directions; each vector is its
 * centroid plus isotropic gaussian noise, L2-normalized. The same arguments always give the same
 * vectors (the generator is {@link Random}, whose algorithm the JDK specifies).
 *
 * <p>The arrays returned by {@link #vectors()}, {@link #labels()} and {@link #centroid(int)} are
 * the generator's own, not copies, because benchmark sets are large: callers must not modify them.
 */
public final class SyntheticVectors {

  /**
   * Noise norm relative to the (unit) centroid. At 0.7 a vector keeps cosine ~0.82 with its own
   * centroid and two members of one cluster have cosine ~0.67, so near neighbours are mostly
   * cluster mates; the noise is still large enough that the order inside a cluster is not trivial
   * and points near a cluster's rim mix with other clusters in low dimensions.
   */
  public static final double DEFAULT_NOISE = 0.7;

  // Queries draw from a stream derived from their own seed, so queries(n, s) on a set built with
  // seed s never replays the base vectors.
  private static final long QUERY_SEED_MIX = 0x9E3779B97F4A7C15L;

  private final int dim;
  private final double noise;
  private final float[][] centroids;
  private final float[][] vectors;
  private final int[] labels;

  private SyntheticVectors(
      int dim, double noise, float[][] centroids, float[][] vectors, int[] labels) {
    this.dim = dim;
    this.noise = noise;
    this.centroids = centroids;
    this.vectors = vectors;
    this.labels = labels;
  }

  /**
   * {@code count} unit vectors of dimension {@code dim} around {@code clusters} random centroids,
   * with noise {@link #DEFAULT_NOISE}; each vector's cluster is drawn uniformly.
   */
  public static SyntheticVectors clustered(int count, int dim, int clusters, long seed) {
    return clustered(count, dim, clusters, DEFAULT_NOISE, seed);
  }

  /**
   * Like {@link #clustered(int, int, int, long)} with an explicit noise norm relative to the unit
   * centroid (0 puts every vector on its centroid).
   */
  public static SyntheticVectors clustered(
      int count, int dim, int clusters, double noise, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (dim < 1 || dim > SpaceConfig.MAX_DIM) {
      throw new IllegalArgumentException(
          "dim must be in 1.." + SpaceConfig.MAX_DIM + ", got " + dim);
    }
    if (clusters < 1) {
      throw new IllegalArgumentException("clusters must be >= 1, got " + clusters);
    }
    if (!Double.isFinite(noise) || noise < 0) {
      throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
    }
    Random random = new Random(seed);
    float[][] centroids = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centroids[c] = randomDirection(random, dim);
    }
    float[][] vectors = new float[count][];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = random.nextInt(clusters);
      vectors[i] = sample(random, centroids[labels[i]], noise);
    }
    return new SyntheticVectors(dim, noise, centroids, vectors, labels);
  }

  /** The vectors, unit length, row i belonging to cluster {@code labels()[i]}. */
  public float[][] vectors() {
    return vectors;
  }

  /** The cluster of each vector. */
  public int[] labels() {
    return labels;
  }

  /** The unit-length centroid of {@code cluster}. */
  public float[] centroid(int cluster) {
    if (cluster < 0 || cluster >= centroids.length) {
      throw new IllegalArgumentException(
          "cluster must be in 0.." + (centroids.length - 1) + ", got " + cluster);
    }
    return centroids[cluster];
  }

  /** Number of clusters. */
  public int clusters() {
    return centroids.length;
  }

  /** Dimension of every vector. */
  public int dim() {
    return dim;
  }

  /**
   * {@code n} fresh unit vectors from the same distribution (a uniformly drawn cluster, its
   * centroid plus noise), never copies of the base vectors. Deterministic in {@code seed}.
   */
  public float[][] queries(int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("query count must be >= 0, got " + n);
    }
    Random random = new Random(seed ^ QUERY_SEED_MIX);
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = sample(random, centroids[random.nextInt(centroids.length)], noise);
    }
    return out;
  }

  @Override
  public String toString() {
    return "SyntheticVectors[count="
        + vectors.length
        + ", dim="
        + dim
        + ", clusters="
        + centroids.length
        + ", noise="
        + noise
        + "]";
  }

  private static float[] randomDirection(Random random, int dim) {
    double[] v = new double[dim];
    // A draw of all zeros is astronomically unlikely, but normalizing it would give NaNs.
    do {
      for (int i = 0; i < dim; i++) {
        v[i] = random.nextGaussian();
      }
    } while (squaredNorm(v) == 0);
    return normalized(v);
  }

  private static float[] sample(Random random, float[] centroid, double noise) {
    int dim = centroid.length;
    // Per-coordinate sigma noise/sqrt(dim) makes the expected noise norm `noise` in any dimension.
    double sigma = noise / Math.sqrt(dim);
    double[] v = new double[dim];
    do {
      for (int i = 0; i < dim; i++) {
        v[i] = centroid[i] + sigma * random.nextGaussian();
      }
    } while (squaredNorm(v) == 0);
    return normalized(v);
  }

  private static double squaredNorm(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x * x;
    }
    return sum;
  }

  private static float[] normalized(double[] v) {
    double inv = 1 / Math.sqrt(squaredNorm(v));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * inv);
    }
    return out;
  }
}
