package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.response.CollectionAdminResponse;
import org.apache.solr.client.solrj.response.ConfigSetAdminResponse;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.cloud.Replica;
import org.apache.solr.common.cloud.Slice;
import org.apache.solr.common.cloud.SolrZkClient;
import org.apache.solr.common.cloud.ZkMaintenanceUtils;
import org.apache.zookeeper.KeeperException;

/**
 * Creates and drops Bindery collections on SolrCloud: a generated configset {@code bindery.<name>}
 * per collection, the collection made from it through the Collections API, and the collection's
 * config recorded as its {@code bindery.config} property once every replica is active. A create
 * that fails half-way is cleaned up (collection and configset) before the error is thrown; a
 * collection another process made in the meantime is left alone and reported as a conflict.
 */
final class SolrCollectionAdmin {
  private final SolrCluster cluster;
  private final SolrFilterSets sets;
  private final Object lifecycle;

  /**
   * @param lifecycle the backend's lock that create, drop and close hold
   */
  SolrCollectionAdmin(SolrCluster cluster, SolrFilterSets sets, Object lifecycle) {
    this.cluster = cluster;
    this.sets = sets;
    this.lifecycle = lifecycle;
  }

  void create(CollectionConfig config) {
    String name = config.name();
    synchronized (lifecycle) {
      cluster.ensureOpen();
      if (cluster.zk.getClusterState().hasCollection(name)) {
        throw new ConflictException("collection '" + name + "' already exists");
      }
      String configSet = SolrCloudBackend.CONFIGSET_PREFIX + name;
      boolean refused = false;
      try {
        uploadConfigSet(configSet, SolrConfigset.files(config));
        CollectionAdminResponse rsp;
        try {
          rsp =
              CollectionAdminRequest.createCollection(
                      name, configSet, cluster.options.shards(), cluster.options.replicas())
                  .process(cluster.client);
        } catch (SolrException e) {
          refused = e.code() == SolrException.ErrorCode.BAD_REQUEST.code;
          throw e;
        }
        if (!rsp.isSuccess()) {
          refused = true;
          throw new IllegalStateException(
              "SolrCloud could not create collection '" + name + "': " + rsp.getErrorMessages());
        }
        cluster.zk.waitForState(
            name,
            cluster.options.readyTimeout().toMillis(),
            TimeUnit.MILLISECONDS,
            (live, coll) -> allActive(coll, live));
        cluster.setProperty(name, SolrFields.PROP_CONFIG, CollectionState.toJson(config));
      } catch (Exception e) {
        // Solr refused the create and the collection is there: another process created it
        // between the check above and the request. It is theirs, so nothing is cleaned up.
        if (refused && existsNow(name, e)) {
          cluster.forget(name);
          throw new ConflictException("collection '" + name + "' already exists", e);
        }
        cleanUpFailedCreate(name, configSet, e);
        if (e instanceof IllegalArgumentException iae) {
          throw iae;
        }
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof TimeoutException) {
          throw new IndexUnavailableException(
              "collection '"
                  + name
                  + "': not every replica became active within "
                  + cluster.options.readyTimeout()
                  + " (shards="
                  + cluster.options.shards()
                  + ", replicas="
                  + cluster.options.replicas()
                  + ", live nodes="
                  + cluster.zk.getClusterState().getLiveNodes().size()
                  + "); it was removed again",
              e);
        }
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException(
            "cannot create collection '" + name + "' on SolrCloud: " + msg, e);
      }
    }
  }

  /** Whether the cluster lists {@code name} now (the Collections API's LIST, not ZooKeeper). */
  private boolean existsNow(String name, Exception cause) {
    try {
      return CollectionAdminRequest.listCollections(cluster.client).contains(name);
    } catch (Exception e) {
      cause.addSuppressed(e);
      return false;
    }
  }

  private boolean allActive(DocCollection coll, Set<String> live) {
    if (coll == null || coll.getActiveSlices().size() != cluster.options.shards()) {
      return false;
    }
    for (Slice s : coll.getActiveSlices()) {
      if (s.getReplicas().size() < cluster.options.replicas()) {
        return false;
      }
      for (Replica r : s.getReplicas()) {
        if (!r.isActive(live)) {
          return false;
        }
      }
    }
    return true;
  }

  private void cleanUpFailedCreate(String name, String configSet, Exception cause) {
    try {
      if (cluster.zk.getClusterState().hasCollection(name)
          && !cluster.readProperties(name, null).containsKey(SolrFields.PROP_CONFIG)) {
        CollectionAdminRequest.deleteCollection(name).process(cluster.client);
      }
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
    try {
      deleteConfigSet(configSet);
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
    cluster.forget(name);
  }

  /**
   * Writes the configset's files into ZooKeeper, as Solr's own {@code bin/solr zk upconfig} does. A
   * raw ZooKeeper write on purpose: SolrJ's {@code ConfigSetAdminRequest.Upload} sends a zip
   * through the Configsets API, which marks an unauthenticated upload untrusted and which a secured
   * cluster may not allow this client, while whoever reaches ZooKeeper can always write.
   */
  private void uploadConfigSet(String configSet, Map<String, String> files)
      throws KeeperException, InterruptedException {
    SolrZkClient zc = cluster.zk.getZkClient();
    String base = ZkMaintenanceUtils.CONFIGS_ZKNODE + "/" + configSet;
    if (zc.exists(base, true)) {
      // Only a collection that is not there (checked by the caller) could have used it: it is
      // what a create that failed half-way left behind.
      ZkMaintenanceUtils.clean(zc, base);
    }
    for (Map.Entry<String, String> f : files.entrySet()) {
      zc.makePath(base + "/" + f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8), true);
    }
  }

  /** Deletes a configset through the Configsets API, if it is there. */
  private void deleteConfigSet(String configSet) throws SolrServerException, IOException {
    if (!new ConfigSetAdminRequest.List()
        .process(cluster.client)
        .getConfigSets()
        .contains(configSet)) {
      return;
    }
    ConfigSetAdminRequest.Delete delete = new ConfigSetAdminRequest.Delete();
    delete.setConfigSetName(configSet);
    ConfigSetAdminResponse rsp = delete.process(cluster.client);
    if (rsp.getErrorMessages() != null && rsp.getErrorMessages().size() > 0) {
      throw new IllegalStateException(
          "SolrCloud could not delete configset " + configSet + ": " + rsp.getErrorMessages());
    }
  }

  boolean drop(String name) {
    Names.checkName("collection", name);
    synchronized (lifecycle) {
      cluster.ensureOpen();
      DocCollection coll = cluster.zk.getClusterState().getCollectionOrNull(name);
      if (coll == null) {
        return false;
      }
      if (!cluster.readProperties(name, null).containsKey(SolrFields.PROP_CONFIG)) {
        throw new ConflictException(
            "Solr collection '"
                + name
                + "' was not created by Bindery (it has no "
                + SolrFields.PROP_CONFIG
                + " property); it was not dropped");
      }
      String configSet = coll.getConfigName();
      try {
        cluster.retrier.call(
            "dropping collection '" + name + "'",
            () -> CollectionAdminRequest.deleteCollection(name).process(cluster.client));
      } catch (IllegalStateException e) {
        // A retry after a delete that did reach Solr finds nothing: that is success.
        if (cluster.zk.getClusterState().hasCollection(name)) {
          throw e;
        }
      }
      cluster.forget(name);
      sets.forget(name);
      if (configSet != null && configSet.equals(SolrCloudBackend.CONFIGSET_PREFIX + name)) {
        try {
          cluster.retrier.call(
              "deleting configset " + configSet,
              () -> {
                deleteConfigSet(configSet);
                return null;
              });
        } catch (RuntimeException e) {
          throw new IllegalStateException(
              "collection '" + name + "' was dropped but its configset " + configSet + " was not",
              e);
        }
      }
      return true;
    }
  }
}
