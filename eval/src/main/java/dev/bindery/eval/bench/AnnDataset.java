package dev.bindery.eval.bench;

import dev.bindery.indexer.SyntheticVectors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Base vectors and query vectors for an ANN benchmark, with a description of where they came from
 * (for the report). Row i of {@link #base()} is the item with id {@code String.valueOf(i)}.
 *
 * @param description where the vectors came from: source, paths or generator parameters
 * @param base the vectors to index, all of one dimension
 * @param queries the query vectors, same dimension
 */
public record AnnDataset(Map<String, Object> description, float[][] base, float[][] queries) {

  public AnnDataset {
    description = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(description));
    if (base.length == 0) {
      throw new IllegalArgumentException("dataset has no base vectors");
    }
    if (queries.length == 0) {
      throw new IllegalArgumentException("dataset has no queries");
    }
    int dim = base[0].length;
    checkDim("base", base, dim);
    checkDim("query", queries, dim);
  }

  /** Dimension of every vector. */
  public int dim() {
    return base[0].length;
  }

  /**
   * Vectors from files, each {@code .fvecs} or {@code .npy} by extension.
   *
   * @param limit at most this many base vectors (the first ones)
   */
  public static AnnDataset fromFiles(Path vectors, Path queries, int limit) throws IOException {
    float[][] base = readVectors(vectors, limit);
    float[][] q = readVectors(queries, Integer.MAX_VALUE);
    if (base[0].length != q[0].length) {
      throw new IllegalArgumentException(
          "vectors "
              + vectors
              + " have dimension "
              + base[0].length
              + " but queries "
              + queries
              + " have "
              + q[0].length);
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("source", "files");
    d.put("vectors", vectors.toString());
    d.put("queries", queries.toString());
    return new AnnDataset(d, base, q);
  }

  /** The file in a dataset folder that describes where its vectors came from. */
  public static final String DESCRIPTION_FILE = "dataset.json";

  /**
   * A prepared dataset folder (as {@code eval/bench-peers/prepare-sentences.sh} writes): {@code
   * base.npy} and {@code queries.npy}, plus an optional {@value #DESCRIPTION_FILE} whose top-level
   * fields describe the data in the report.
   *
   * @param limit at most this many base vectors (the first ones)
   * @param queryLimit at most this many queries (the first ones)
   */
  public static AnnDataset fromDirectory(Path dir, int limit, int queryLimit) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "dataset folder "
              + dir
              + " does not exist; eval/bench-peers/prepare-sentences.sh makes one and prints its"
              + " path");
    }
    for (String f : new String[] {"base.npy", "queries.npy"}) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new IllegalArgumentException(
            "dataset folder " + dir + " has no " + f + " (expected base.npy and queries.npy)");
      }
    }
    AnnDataset files = fromFiles(dir.resolve("base.npy"), dir.resolve("queries.npy"), limit);
    float[][] q = files.queries();
    if (queryLimit < q.length) {
      q = java.util.Arrays.copyOf(q, queryLimit);
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("source", "dataset");
    d.put("dir", dir.toString());
    Path description = dir.resolve(DESCRIPTION_FILE);
    if (Files.isRegularFile(description)) {
      com.fasterxml.jackson.databind.JsonNode node;
      try {
        node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(description.toFile());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException(
            description + " is not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(description + " must hold a JSON object");
      }
      node.properties()
          .forEach(
              e ->
                  d.put(
                      e.getKey(),
                      e.getValue().isValueNode()
                          ? e.getValue().asText()
                          : e.getValue().toString()));
    }
    return new AnnDataset(d, files.base(), q);
  }

  /**
   * A {@link SyntheticVectors#clustered} set with fresh queries. With a {@code cacheDir} the
   * vectors are kept there as {@code .fvecs} and read back on later runs with the same parameters.
   */
  public static AnnDataset synthetic(
      int count, int dim, int clusters, int queryCount, long seed, Path cacheDir)
      throws IOException {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("source", "synthetic");
    d.put("generator", "SyntheticVectors.clustered");
    d.put("count", count);
    d.put("dim", dim);
    d.put("clusters", clusters);
    d.put("noise", SyntheticVectors.DEFAULT_NOISE);
    d.put("queries", queryCount);
    d.put("seed", seed);
    String key =
        String.format(
            Locale.ROOT, "synthetic-n%d-d%d-c%d-q%d-s%d", count, dim, clusters, queryCount, seed);
    Path baseFile = cacheDir == null ? null : cacheDir.resolve(key + "-base.fvecs");
    Path queryFile = cacheDir == null ? null : cacheDir.resolve(key + "-queries.fvecs");
    if (baseFile != null && Files.isRegularFile(baseFile) && Files.isRegularFile(queryFile)) {
      return new AnnDataset(d, FvecsFormat.readFvecs(baseFile), FvecsFormat.readFvecs(queryFile));
    }
    SyntheticVectors s = SyntheticVectors.clustered(count, dim, clusters, seed);
    float[][] q = s.queries(queryCount, seed);
    if (baseFile != null) {
      FvecsFormat.writeFvecs(baseFile, s.vectors());
      FvecsFormat.writeFvecs(queryFile, q);
    }
    return new AnnDataset(d, s.vectors(), q);
  }

  /** Reads an {@code .fvecs} or {@code .npy} file, chosen by its extension. */
  public static float[][] readVectors(Path path, int limit) throws IOException {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(path + ": no such file");
    }
    if (name.endsWith(".fvecs")) {
      return FvecsFormat.readFvecs(path, limit);
    }
    if (name.endsWith(".npy")) {
      return NpyFormat.read(path, limit);
    }
    throw new IllegalArgumentException(
        path + ": unknown vector file type; expected a .fvecs or .npy file");
  }

  /**
   * A SHA-256 over the dimension and every value of base and queries: the identity of the data,
   * whatever file or generator it came from, for keying caches.
   */
  public String contentHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf = ByteBuffer.allocate(4 * Math.max(16, dim())).order(ByteOrder.LITTLE_ENDIAN);
      buf.putInt(dim()).putInt(base.length).putInt(queries.length).flip();
      md.update(buf);
      for (float[][] rows : new float[][][] {base, queries}) {
        for (float[] row : rows) {
          buf.clear();
          buf.asFloatBuffer().put(row);
          buf.limit(4 * row.length);
          md.update(buf);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "AnnDataset[base="
        + base.length
        + ", queries="
        + queries.length
        + ", dim="
        + dim()
        + ", "
        + description
        + "]";
  }

  private static void checkDim(String what, float[][] rows, int dim) {
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != dim) {
        throw new IllegalArgumentException(
            what + " vector " + i + " has dimension " + rows[i].length + ", expected " + dim);
      }
    }
  }
}
