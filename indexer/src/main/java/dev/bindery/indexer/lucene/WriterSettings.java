package dev.bindery.indexer.lucene;

import dev.bindery.indexer.CollectionConfig;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexWriterConfig;

/**
 * How a collection's {@link org.apache.lucene.index.IndexWriter} is configured: open mode, the
 * collection's codec ({@link LuceneCodecs}), the indexing buffer, commit on close.
 */
final class WriterSettings {
  private WriterSettings() {}

  /** System property that overrides the indexing buffer size, in MB. */
  static final String RAM_BUFFER_PROPERTY = "bindery.lucene.ramBufferMB";

  /** The writer's configuration: a new index ({@code create}) or one appended to. */
  static IndexWriterConfig config(
      Analyzer analyzer, CollectionConfig config, boolean create, HnswMergeWorkers mergeWorkers) {
    IndexWriterConfig iwc =
        new IndexWriterConfig(analyzer)
            .setOpenMode(
                create ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.APPEND)
            .setCodec(LuceneCodecs.codecFor(config, mergeWorkers))
            .setRAMBufferSizeMB(ramBufferMb())
            .setCommitOnClose(true);
    if (mergeWorkers.graphsAtMerge()) {
      // Flushed segments have no graph (LuceneCodecs): they wait for the end of the load instead
      // of being merged in tiers, and a forced merge rewrites them even when there are no more
      // segments than asked for.
      iwc.setMergePolicy(new GraphBuildingMergePolicy(iwc.getMergePolicy()));
    }
    return iwc;
  }

  /**
   * Indexing buffer per collection writer: a tenth of the maximum heap, between 64 and 1,024 MB
   * (Lucene's default is 16). Lucene builds each flushed segment's HNSW graph while indexing and
   * merges rebuild graphs from segments, so a buffer that holds a whole bulk load writes one
   * segment and spares the merge (at 384 dimensions an item takes about 2 KB: 1,024 MB holds about
   * half a million). {@value #RAM_BUFFER_PROPERTY} overrides it.
   */
  static double ramBufferMb() {
    String p = System.getProperty(RAM_BUFFER_PROPERTY);
    if (p != null) {
      try {
        double mb = Double.parseDouble(p.strip());
        if (mb >= 1 && mb <= 2047) {
          return mb;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "system property "
              + RAM_BUFFER_PROPERTY
              + "="
              + p
              + " must be a number of MB in [1, 2047]");
    }
    long tenth = Runtime.getRuntime().maxMemory() / 10 / (1024 * 1024);
    return Math.clamp(tenth, 64, 1024);
  }
}
