package dev.bindery.fusion.ingest;

import java.nio.file.Path;

/**
 * How an {@link Ingestor} treats its input.
 *
 * @param baseDir folder that relative media paths resolve against, or null to refuse file paths
 *     altogether (the HTTP API: only {@code data:} URLs, text and vectors)
 * @param batchSize items per tower run and per index write
 * @param commitEvery items between commits during long runs (progress survives a crash)
 * @param maxMediaBytes largest media file or decoded data URL accepted
 * @param linksOutside follow symbolic links in a walked folder that point outside it; off by
 *     default, because a link such as {@code notes/passwd.txt -> /etc/passwd} would put a file the
 *     user never meant to index into a collection (links that stay inside the folder are followed)
 * @param threads worker threads that read, hash, decode and preprocess inputs while the calling
 *     thread runs the towers and writes; 1 does everything on the calling thread, one item after
 *     the other
 */
public record IngestOptions(
    Path baseDir,
    int batchSize,
    int commitEvery,
    long maxMediaBytes,
    boolean linksOutside,
    int threads) {

  public static final long DEFAULT_MAX_MEDIA_BYTES = 256L << 20;

  /**
   * Items per tower run and index write by default: the pixel towers' own batch, so that one tower
   * run is one model call (not tuned: docs/benchmarks/ingest.md says why).
   */
  public static final int DEFAULT_BATCH_SIZE = 32;

  /** Worker threads by default: one per available processor. */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Options that do not follow links out of a walked folder, with the default threads. */
  public IngestOptions(Path baseDir, int batchSize, int commitEvery, long maxMediaBytes) {
    this(baseDir, batchSize, commitEvery, maxMediaBytes, false);
  }

  /** Options with the default threads. */
  public IngestOptions(
      Path baseDir, int batchSize, int commitEvery, long maxMediaBytes, boolean linksOutside) {
    this(baseDir, batchSize, commitEvery, maxMediaBytes, linksOutside, defaultThreads());
  }

  public IngestOptions {
    if (batchSize < 1 || commitEvery < 1 || maxMediaBytes < 1) {
      throw new IllegalArgumentException(
          "batchSize, commitEvery and maxMediaBytes must be >= 1, got "
              + batchSize
              + ", "
              + commitEvery
              + ", "
              + maxMediaBytes);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("ingest threads must be >= 1, got " + threads);
    }
  }

  /** File paths allowed, relative ones resolved against {@code baseDir} (local tools, CLI). */
  public static IngestOptions files(Path baseDir) {
    return new IngestOptions(
        baseDir.toAbsolutePath().normalize(), DEFAULT_BATCH_SIZE, 1000, DEFAULT_MAX_MEDIA_BYTES);
  }

  /** No file paths: media only as data URLs (servers). */
  public static IngestOptions noFiles(long maxMediaBytes) {
    return new IngestOptions(null, DEFAULT_BATCH_SIZE, 1000, maxMediaBytes);
  }

  /** These options, following symbolic links out of walked folders or not. */
  public IngestOptions withLinksOutside(boolean follow) {
    return new IngestOptions(baseDir, batchSize, commitEvery, maxMediaBytes, follow, threads);
  }

  /** These options with {@code n} worker threads (1: all on the calling thread). */
  public IngestOptions withThreads(int n) {
    return new IngestOptions(baseDir, batchSize, commitEvery, maxMediaBytes, linksOutside, n);
  }

  /** These options with {@code n} items per tower run and index write. */
  public IngestOptions withBatchSize(int n) {
    return new IngestOptions(baseDir, n, commitEvery, maxMediaBytes, linksOutside, threads);
  }

  /** These options with a commit every {@code n} items. */
  public IngestOptions withCommitEvery(int n) {
    return new IngestOptions(baseDir, batchSize, n, maxMediaBytes, linksOutside, threads);
  }

  public boolean allowsFiles() {
    return baseDir != null;
  }
}
