package dev.bindery.solrcloud;

import java.nio.file.Path;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.cloud.MiniSolrCloudCluster;

/**
 * A real SolrCloud for tests: an embedded ZooKeeper and Jetty-hosted Solr nodes in this JVM ({@link
 * MiniSolrCloudCluster} from solr-test-framework 9.10.1).
 */
final class SolrTestCluster implements AutoCloseable {
  final MiniSolrCloudCluster cluster;

  private SolrTestCluster(MiniSolrCloudCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts {@code nodes} Solr nodes and an embedded ZooKeeper under {@code dir}. */
  static SolrTestCluster start(int nodes, Path dir) throws Exception {
    // Hard commits stay off the test's way; visibility is explicit anyway.
    System.setProperty("bindery.autoCommit.maxTime", "60000");
    return new SolrTestCluster(new MiniSolrCloudCluster.Builder(nodes, dir).build());
  }

  /** The ZooKeeper address, as a user would pass it ({@code host:port/solr}). */
  String zkHost() {
    return cluster.getZkServer().getZkAddress();
  }

  /** A backend with its own client, as {@link SolrCloudBackend#connect} makes it. */
  SolrCloudBackend connect(SolrCloudOptions options) {
    return SolrCloudBackend.connect(zkHost(), options);
  }

  /** A client of its own, for tests that look at Solr directly. */
  CloudSolrClient client() {
    ZkAddress a = ZkAddress.parse(zkHost());
    CloudSolrClient c = new CloudHttp2SolrClient.Builder(a.hosts(), a.chroot()).build();
    c.connect();
    return c;
  }

  @Override
  public void close() throws Exception {
    cluster.shutdown();
  }
}
