package dev.bindery.fusion.conformance;

import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The recommend conformance suite on the embedded Lucene backend. */
class LuceneRecommendConformanceTest extends RecommendConformance {
  @TempDir Path data;

  @Override
  protected IndexBackend openBackend() {
    return new LuceneBackend(data);
  }
}
