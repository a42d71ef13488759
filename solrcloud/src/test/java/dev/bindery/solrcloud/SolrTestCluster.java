package dev.bindery.solrcloud;

import java.nio.file.Path;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

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

  /**
   * Stops one node and waits until it is down. Jetty's graceful stop waits a bounded time for
   * in-flight requests and Solr's core-container pools; on a loaded machine (CI, 2 cores) that wait
   * can expire while a search is still in flight, and Jetty then throws after having stopped
   * everything anyway. A node that is stopped after such a timeout is a lost node, which is what a
   * caller stopping it wants, so the timeout is reported and not thrown; a node that did not stop
   * fails the call.
   */
  void stopNode(JettySolrRunner node) throws Exception {
    try {
      cluster.stopJettySolrRunner(node);
    } catch (Exception e) {
      if (!node.isStopped()) {
        throw e;
      }
      System.out.println("node stop: Jetty's graceful stop timed out, node is stopped: " + e);
    }
    cluster.waitForJettyToStop(node);
  }

  @Override
  public void close() throws Exception {
    cluster.shutdown();
  }
}
