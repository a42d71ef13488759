package dev.bindery.indexer;

import java.util.Objects;

/**
 * One named vector space of a collection: vectors of one dimension compared with one similarity,
 * stored one way, in one HNSW graph.
 *
 * @param name space id, {@code [A-Za-z0-9_.-]{1,64}}
 * @param dim dimension, 1..4096
 * @param similarity how vectors compare
 * @param storage float32 or a quantized storage
 * @param m HNSW max connections per node (Lucene's {@code maxConn}), 2..512
 * @param beamWidth HNSW candidate list size while building, 2..3200
 * @param oversample graph candidates fetched per unit of ef for quantized storages; all are
 *     rescored with the float32 vectors (1 = ef candidates, still rescored)
 */
public record SpaceConfig(
    String name,
    int dim,
    Similarity similarity,
    VectorStorage storage,
    int m,
    int beamWidth,
    float oversample) {

  /** Lucene's default graph degree. */
  public static final int DEFAULT_M = 16;

  /** Lucene's default beam width while building. */
  public static final int DEFAULT_BEAM_WIDTH = 100;

  /** Largest dimension accepted; Lucene's own limit for HNSW fields. */
  public static final int MAX_DIM = 4096;

  public SpaceConfig {
    Names.checkName("space", name);
    Objects.requireNonNull(similarity, "similarity");
    Objects.requireNonNull(storage, "storage");
    if (dim < 1 || dim > MAX_DIM) {
      throw new BadArgumentException(
          "space '" + name + "': dim must be in 1.." + MAX_DIM + ", got " + dim);
    }
    if (m < 2 || m > 512) {
      throw new BadArgumentException("space '" + name + "': m must be in 2..512, got " + m);
    }
    if (beamWidth < 2 || beamWidth > 3200) {
      throw new BadArgumentException(
          "space '" + name + "': beamWidth must be in 2..3200, got " + beamWidth);
    }
    if (!Float.isFinite(oversample) || oversample < 1 || oversample > 100) {
      throw new BadArgumentException(
          "space '" + name + "': oversample must be in [1, 100], got " + oversample);
    }
  }

  /** A float32 space with Lucene's default graph parameters. */
  public static SpaceConfig of(String name, int dim, Similarity similarity) {
    return of(name, dim, similarity, VectorStorage.FLOAT32);
  }

  /** A space with the given storage, default graph parameters and the storage's oversampling. */
  public static SpaceConfig of(String name, int dim, Similarity similarity, VectorStorage storage) {
    return new SpaceConfig(
        name, dim, similarity, storage, DEFAULT_M, DEFAULT_BEAM_WIDTH, storage.defaultOversample());
  }

  /** A copy with other HNSW parameters. */
  public SpaceConfig withGraph(int m, int beamWidth) {
    return new SpaceConfig(name, dim, similarity, storage, m, beamWidth, oversample);
  }

  /** A copy with another oversampling factor. */
  public SpaceConfig withOversample(float oversample) {
    return new SpaceConfig(name, dim, similarity, storage, m, beamWidth, oversample);
  }
}
