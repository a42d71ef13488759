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
 * @param linksOutside follow symbolic links in a walked folder that point outside it; off by
 *     default, because a link such as {@code notes/passwd.txt -> /etc/passwd} would put a file the
 *     user never meant to index into a collection (links that stay inside the folder are followed)
 */
public record IngestOptions(
    Path baseDir, int batchSize, int commitEvery, long maxMediaBytes, boolean linksOutside) {

  public static final long DEFAULT_MAX_MEDIA_BYTES = 256L << 20;

  /** Options that do not follow links out of a walked folder. */
  public IngestOptions(Path baseDir, int batchSize, int commitEvery, long maxMediaBytes) {
    this(baseDir, batchSize, commitEvery, maxMediaBytes, false);
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

  /** These options, following symbolic links out of walked folders or not. */
  public IngestOptions withLinksOutside(boolean follow) {
    return new IngestOptions(baseDir, batchSize, commitEvery, maxMediaBytes, follow);
  }

  public boolean allowsFiles() {
    return baseDir != null;
  }
}
