package dev.bindery.eval.bench;

import dev.bindery.indexer.Similarity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The exact neighbours of every query of an ANN dataset, which recall is measured against, and how
 * they were had: computed by brute force ({@link ExactNeighbors}) or read from the cache an earlier
 * run with the same data, similarity and k left ({@code truth-KEY-kK.ivecs}).
 *
 * @param ids row indexes of the exact top k per query, best first
 * @param seconds time spent computing or loading them
 * @param cached whether they came from the cache
 */
public record GroundTruth(int[][] ids, double seconds, boolean cached) {

  /**
   * The exact top {@code k} of every query of {@code data}: read from {@code cacheDir} when an
   * earlier run with the same data, similarity and k left them there, else computed on {@code
   * threads} threads and saved there. {@code log} says which.
   */
  static GroundTruth of(
      AnnDataset data, Path cacheDir, Similarity similarity, int k, int threads, PrintWriter log)
      throws IOException {
    long t0 = System.nanoTime();
    Path truthFile =
        cacheDir.resolve("truth-" + key(data.contentHash(), similarity, k) + "-k" + k + ".ivecs");
    if (Files.isRegularFile(truthFile)) {
      int[][] truth = FvecsFormat.readIvecs(truthFile);
      if (truth.length == data.queries().length && truth[0].length == k) {
        log.printf("exact neighbours from %s%n", truthFile);
        log.flush();
        return new GroundTruth(truth, (System.nanoTime() - t0) / 1e9, true);
      }
      log.printf("ignoring ground-truth cache %s: its shape does not match%n", truthFile);
    }
    log.printf(
        "computing exact top-%d for %d queries over %d vectors%n",
        k, data.queries().length, data.base().length);
    log.flush();
    int[][] truth = ExactNeighbors.topK(data.base(), data.queries(), k, similarity, threads);
    FvecsFormat.writeIvecs(truthFile, truth);
    return new GroundTruth(truth, (System.nanoTime() - t0) / 1e9, false);
  }

  private static String key(String datasetHash, Similarity similarity, int k) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(
          (datasetHash + "|" + similarity.wireName() + "|" + k).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
