package dev.bindery.indexer.conformance;

import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared conformance suite on the embedded Lucene backend. */
class LuceneBackendConformanceTest extends IndexBackendConformance {
  @TempDir Path data;

  @Override
  protected IndexBackend openBackend() {
    return new LuceneBackend(data);
  }
}
