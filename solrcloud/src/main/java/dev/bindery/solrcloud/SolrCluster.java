package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Names;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.cloud.SolrZkClient;
import org.apache.solr.common.cloud.ZkStateReader;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.Utils;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

/**
 * The cluster as one {@link SolrCloudBackend} sees it: the SolrJ client, the retrier, and each
 * Bindery collection's state (config, recorded fields, filter sets) read from the collection's
 * properties and cached until a ZooKeeper watch says they changed. The backend's other pieces
 * (writer, searches, filter sets) reach Solr only through this.
 *
 * <p>Collection properties are read straight from ZooKeeper, the one raw ZooKeeper call left:
 * {@link #freshState} must see a field another process recorded a moment ago, and SolrJ has no
 * admin request that reads collection properties ({@code ZkStateReader}'s property watch serves a
 * cached copy). Writes go through {@link CollectionAdminRequest#setCollectionProperty}.
 */
final class SolrCluster {
  static final int RTG_CHUNK = 500;

  final CloudSolrClient client;
  final ZkStateReader zk;
  final SolrCloudOptions options;
  final Retrier retrier;
  private final Map<String, CollectionState> states = new ConcurrentHashMap<>();
  private volatile boolean closed;

  SolrCluster(CloudSolrClient client, SolrCloudOptions options) {
    this.client = client;
    this.options = options;
    this.zk = ZkStateReader.from(client);
    this.retrier = new Retrier(options);
  }

  void close() {
    closed = true;
    states.clear();
  }

  void forget(String collection) {
    states.remove(collection);
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this SolrCloudBackend is closed");
    }
  }

  /** The cached state of a collection (kept fresh by a ZooKeeper watch). */
  CollectionState state(String name) {
    Names.checkName("collection", name);
    ensureOpen();
    CollectionState s = states.get(name);
    return s != null ? s : freshState(name);
  }

  /** The state read from ZooKeeper now. */
  CollectionState freshState(String name) {
    Names.checkName("collection", name);
    ensureOpen();
    CollectionState s = loadState(name);
    if (s == null) {
      throw new CollectionNotFoundException(name, listCollections());
    }
    return s;
  }

  private CollectionState loadState(String name) {
    DocCollection coll = zk.getClusterState().getCollectionOrNull(name);
    if (coll == null) {
      states.remove(name);
      return null;
    }
    Map<String, String> props = readProperties(name, event -> states.remove(name));
    CollectionState s = CollectionState.fromProperties(name, props, coll.getActiveSlices().size());
    if (s == null) {
      states.remove(name);
    } else {
      states.put(name, s);
    }
    return s;
  }

  /** The collection's properties, straight from ZooKeeper; {@code watcher} hears of changes. */
  Map<String, String> readProperties(String name, Watcher watcher) {
    String path =
        ZkStateReader.COLLECTIONS_ZKNODE + "/" + name + "/" + ZkStateReader.COLLECTION_PROPS_ZKNODE;
    SolrZkClient zc = zk.getZkClient();
    try {
      byte[] data;
      try {
        data = zc.getData(path, watcher, null, true);
      } catch (KeeperException.NoNodeException e) {
        if (watcher != null) {
          zc.exists(path, watcher, true);
        }
        return Map.of();
      }
      if (data == null || data.length == 0) {
        return Map.of();
      }
      Map<String, String> out = new HashMap<>();
      Object parsed = Utils.fromJSON(data);
      if (parsed instanceof Map<?, ?> m) {
        m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
      }
      return out;
    } catch (KeeperException e) {
      throw new IndexUnavailableException(
          "collection '" + name + "': cannot read its properties from ZooKeeper: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading properties of '" + name + "'", e);
    }
  }

  /** The Bindery collections on the cluster, sorted; foreign Solr collections are left out. */
  List<String> listCollections() {
    ensureOpen();
    List<String> out = new ArrayList<>();
    for (String name : new TreeSet<>(zk.getClusterState().getCollectionNames())) {
      CollectionState s = states.get(name);
      if (s == null) {
        try {
          s = loadState(name);
        } catch (IllegalStateException e) {
          continue; // a foreign collection with a property of our name but not our format
        }
      }
      if (s != null) {
        out.add(name);
      }
    }
    return out;
  }

  /** Sets (or with a null value removes) a collection property, then forgets the cached state. */
  void setProperty(String collection, String key, String value) {
    retrier.call(
        "setting property " + key + " of '" + collection + "'",
        () -> CollectionAdminRequest.setCollectionProperty(collection, key, value).process(client));
    states.remove(collection);
  }

  QueryResponse query(String collection, ModifiableSolrParams p, String what) {
    return retrier.call(what, () -> client.query(collection, p, SolrRequest.METHOD.POST));
  }

  /** Documents by id, read in real time (uncommitted writes included), in chunks. */
  List<SolrDocument> realtimeGet(String collection, List<String> docIds) {
    List<SolrDocument> out = new ArrayList<>();
    for (int i = 0; i < docIds.size(); i += RTG_CHUNK) {
      List<String> chunk = docIds.subList(i, Math.min(docIds.size(), i + RTG_CHUNK));
      ModifiableSolrParams p = new ModifiableSolrParams();
      // Document ids hold no ',' or '\' (SolrFields.escapeId), so a plain join is exact.
      p.set("ids", String.join(",", chunk));
      QueryRequest req = new QueryRequest(p, SolrRequest.METHOD.POST);
      req.setPath("/get");
      QueryResponse rsp =
          retrier.call(
              "real-time get in '" + collection + "'", () -> req.process(client, collection));
      SolrDocumentList list = rsp.getResults();
      if (list != null) {
        out.addAll(list);
      }
    }
    return out;
  }
}
