package dev.bindery.fusion.ingest;

import java.nio.file.Path;

/**
 * How an {@link Ingestor} treats its input.
 *
 * @param baseDir folder that relative media paths resolve against, or null to refuse file paths
 *     altogether (the HTTP API: only {@code data:} URLs, text and vectors)
 * @param batchSize items per index write
 * @param commitEvery items between commits during long runs (progress survives a crash)
 * @param maxMediaBytes largest media file or decoded data URL accepted
 */
public record IngestOptions(Path baseDir, int batchSize, int commitEvery, long maxMediaBytes) {

  public static final long DEFAULT_MAX_MEDIA_BYTES = 256L << 20;

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
  }

  /** File paths allowed, relative ones resolved against {@code baseDir} (local tools, CLI). */
  public static IngestOptions files(Path baseDir) {
    return new IngestOptions(
        baseDir.toAbsolutePath().normalize(), 32, 1000, DEFAULT_MAX_MEDIA_BYTES);
  }

  /** No file paths: media only as data URLs (servers). */
  public static IngestOptions noFiles(long maxMediaBytes) {
    return new IngestOptions(null, 32, 1000, maxMediaBytes);
  }

  public boolean allowsFiles() {
    return baseDir != null;
  }
}
