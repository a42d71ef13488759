package dev.bindery.solrcloud;

import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.IndexBackendProvider;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code solrcloud} backend for {@link java.util.ServiceLoader}: {@code bindery serve --backend
 * solrcloud --zk HOST:PORT[/chroot]} opens it through this class, in a class loader of its own.
 *
 * <p>Settings: {@code zk} (required, {@code host:port[,host:port...][/chroot]}), {@code shards} and
 * {@code replicas} of collections created from now on (default {@link SolrCloudOptions#defaults()}:
 * 2 x 2), {@code commit-within-ms} (default -1: visibility by refresh/commit only).
 */
public final class SolrCloudBackendProvider implements IndexBackendProvider {

  public static final String NAME = "solrcloud";
  public static final String ZK = "zk";
  public static final String SHARDS = "shards";
  public static final String REPLICAS = "replicas";
  public static final String COMMIT_WITHIN_MS = "commit-within-ms";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<String> settings() {
    return new LinkedHashSet<>(java.util.List.of(ZK, SHARDS, REPLICAS, COMMIT_WITHIN_MS));
  }

  @Override
  public IndexBackend open(Map<String, String> settings) {
    return SolrCloudBackend.connect(zkHost(settings), options(settings));
  }

  /** The options the settings ask for, checked (also used without connecting, by tests). */
  static SolrCloudOptions options(Map<String, String> settings) {
    for (String key : settings.keySet()) {
      if (!new SolrCloudBackendProvider().settings().contains(key)) {
        throw new IllegalArgumentException(
            "unknown solrcloud backend setting '"
                + key
                + "'; known: "
                + String.join(", ", new SolrCloudBackendProvider().settings()));
      }
    }
    SolrCloudOptions o = SolrCloudOptions.defaults();
    if (settings.get(SHARDS) != null) {
      o = o.withShards(integer(settings, SHARDS));
    }
    if (settings.get(REPLICAS) != null) {
      o = o.withReplicas(integer(settings, REPLICAS));
    }
    if (settings.get(COMMIT_WITHIN_MS) != null) {
      o = o.withCommitWithinMs(integer(settings, COMMIT_WITHIN_MS));
    }
    return o;
  }

  static String zkHost(Map<String, String> settings) {
    options(settings);
    String zk = settings.get(ZK);
    if (zk == null || zk.isBlank()) {
      throw new IllegalArgumentException(
          "the solrcloud backend needs the ZooKeeper address of the cluster"
              + " (zk: host:port[,host:port...][/chroot])");
    }
    ZkAddress.parse(zk);
    return zk;
  }

  private static int integer(Map<String, String> settings, String key) {
    String v = settings.get(key).trim();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "solrcloud backend setting '" + key + "' must be an integer, got '" + v + "'", e);
    }
  }
}
