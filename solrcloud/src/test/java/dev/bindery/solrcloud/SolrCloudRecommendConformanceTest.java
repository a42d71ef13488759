package dev.bindery.solrcloud;

import dev.bindery.fusion.conformance.RecommendConformance;
import dev.bindery.indexer.IndexBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommend conformance suite on a real SolrCloud (2 nodes, every collection 2 shards x 2
 * replicas): fusion's Recommender over this backend's contract, against the naive reference.
 */
class SolrCloudRecommendConformanceTest extends RecommendConformance {
  @TempDir static Path dir;
  static SolrTestCluster solr;

  @BeforeAll
  static void startCluster() throws Exception {
    solr = SolrTestCluster.start(2, dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (solr != null) {
      solr.close();
    }
  }

  @Override
  protected IndexBackend openBackend() {
    return solr.connect(SolrCloudOptions.defaults().withShards(2).withReplicas(2));
  }
}
