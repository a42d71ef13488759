package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.ValueCounts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * The {@link IndexBackend} contract on SolrCloud 9 (SolrJ): Solr stores, replicates and searches;
 * Bindery keeps encoding, the query algebra and fusion. See {@code docs/solrcloud.md}.
 *
 * <p>Each Bindery collection is a Solr collection of the same name, created from a generated
 * configset {@code bindery.<name>} (a {@code DenseVectorField} per space). An item is a group of
 * flat documents (item document, vector documents) routed to one shard; kNN runs Solr's {@code
 * {!knn}} per shard with the filter as a pre-filter and collapses by item when grouping; Bindery
 * merges nothing itself because the shards' top-k lists are merged by Solr's own distributed sort
 * (score, then item id), which is exactly Bindery's ranking order.
 *
 * <p>A batch is all or nothing: the versions it replaces are read first, and if Solr rejects any
 * document the whole batch is rolled back to them before {@link RejectedItemsException} says which
 * items failed. Transient failures are retried with backoff ({@link SolrCloudOptions}).
 *
 * <p>Thread-safe. Writes to the same item id from this backend are serialized; writers in other
 * processes must not write the same ids concurrently (see the docs).
 */
public final class SolrCloudBackend implements IndexBackend {
  /** Configsets of Bindery collections are called {@code bindery.<name>}. */
  public static final String CONFIGSET_PREFIX = "bindery.";

  private final SolrCluster cluster;
  private final boolean ownsClient;
  private final SolrBatchWriter writer;
  private final SolrFilterSets sets;
  private final SolrKnnSearch knn;
  private final SolrTextSearch text;
  private final SolrCollectionAdmin admin;
  private final Object lifecycle = new Object();
  private boolean closed;

  /**
   * Connects to the SolrCloud cluster whose ZooKeeper ensemble is {@code zkHost} ({@code
   * host:port[,host:port...][/chroot]}, the same string Solr's {@code -z} takes).
   *
   * @throws IllegalArgumentException when {@code zkHost} is malformed
   * @throws IndexUnavailableException when ZooKeeper cannot be reached
   */
  public static SolrCloudBackend connect(String zkHost, SolrCloudOptions options) {
    ZkAddress address = ZkAddress.parse(zkHost);
    CloudSolrClient c =
        new CloudHttp2SolrClient.Builder(address.hosts(), address.chroot())
            .withZkConnectTimeout(15, TimeUnit.SECONDS)
            .withZkClientTimeout(30, TimeUnit.SECONDS)
            .build();
    try {
      c.connect();
    } catch (RuntimeException e) {
      try {
        c.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IndexUnavailableException(
          "cannot reach SolrCloud through ZooKeeper at " + address + ": " + e.getMessage(), e);
    }
    return new SolrCloudBackend(c, options, true);
  }

  /**
   * A backend over an existing, connected client, which the caller keeps and closes.
   *
   * @param client a ZooKeeper-connected {@link CloudSolrClient}
   */
  public SolrCloudBackend(CloudSolrClient client, SolrCloudOptions options) {
    this(client, options, false);
  }

  private SolrCloudBackend(CloudSolrClient client, SolrCloudOptions options, boolean owns) {
    this.cluster =
        new SolrCluster(
            java.util.Objects.requireNonNull(client, "client"),
            java.util.Objects.requireNonNull(options, "options"));
    this.ownsClient = owns;
    this.writer = new SolrBatchWriter(cluster);
    this.sets = new SolrFilterSets(cluster);
    this.knn = new SolrKnnSearch(cluster, sets);
    this.text = new SolrTextSearch(cluster, sets);
    this.admin = new SolrCollectionAdmin(cluster, sets, lifecycle);
  }

  /** Retries made so far because of transient failures (for monitoring and the fault test). */
  public long retries() {
    return cluster.retrier.retries();
  }

  /** The options this backend creates collections and retries with. */
  public SolrCloudOptions options() {
    return cluster.options;
  }

  // ---------------------------------------------------------------- collections

  @Override
  public void createCollection(CollectionConfig config) {
    admin.create(config);
  }

  @Override
  public boolean dropCollection(String name) {
    return admin.drop(name);
  }

  @Override
  public List<String> listCollections() {
    return cluster.listCollections();
  }

  @Override
  public CollectionInfo describe(String collection) {
    CollectionState st = cluster.freshState(collection);
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", "*:*");
    p.set("rows", 0);
    p.set("facet", true);
    p.add("facet.query", SolrFields.ITEM_FQ);
    p.add("facet.query", SolrFields.VECTOR_FQ);
    QueryResponse rsp = cluster.query(collection, p, "counting collection '" + collection + "'");
    Map<String, Integer> counts = rsp.getFacetQuery();
    return new CollectionInfo(
        st.config(),
        counts.getOrDefault(SolrFields.ITEM_FQ, 0),
        counts.getOrDefault(SolrFields.VECTOR_FQ, 0),
        st.sets().keySet());
  }

  @Override
  public Optional<String> collectionSetting(String collection, String key) {
    Names.checkName("collection", collection);
    Names.checkName("setting", key);
    cluster.ensureOpen();
    // One ZooKeeper read: the properties hold both the setting and the mark of a Bindery
    // collection.
    Map<String, String> props =
        cluster.zk.getClusterState().hasCollection(collection)
            ? cluster.readProperties(collection, null)
            : Map.of();
    if (!props.containsKey(SolrFields.PROP_CONFIG)) {
      throw new CollectionNotFoundException(collection, listCollections());
    }
    return Optional.ofNullable(props.get(SolrFields.PROP_APP + key));
  }

  /**
   * Kept as a collection property in ZooKeeper, so every Bindery process on the cluster sees it.
   */
  @Override
  public boolean putCollectionSetting(String collection, String key, String value) {
    Names.checkName("setting", key);
    cluster.freshState(collection);
    cluster.setProperty(collection, SolrFields.PROP_APP + key, value);
    return true;
  }

  @Override
  public Optional<Item> get(String collection, String id) {
    Names.checkId(id);
    CollectionState st = cluster.state(collection);
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", "{!term f=" + SolrFields.PARENT + " v=$pid}");
    p.set("pid", id);
    // Every document of an item lives on the shard its route key picks: ask only that one.
    p.set("_route_", SolrFields.routeKey(id) + "!");
    p.set("fl", "*");
    p.set("rows", 1000);
    QueryResponse rsp = cluster.query(collection, p, "get of '" + id + "' in '" + collection + "'");
    SolrDocumentList docs = rsp.getResults();
    if (docs.getNumFound() > docs.size()) {
      p.set("rows", (int) Math.min(Integer.MAX_VALUE - 1, docs.getNumFound()));
      docs =
          cluster.query(collection, p, "get of '" + id + "' in '" + collection + "'").getResults();
    }
    SolrDocument itemDoc = null;
    List<SolrDocument> vectors = new ArrayList<>();
    for (SolrDocument d : docs) {
      if (SolrDocuments.isItemDoc(d)) {
        itemDoc = d;
      } else {
        vectors.add(d);
      }
    }
    return itemDoc == null
        ? Optional.empty()
        : Optional.of(SolrDocuments.toItem(itemDoc, vectors, st.config()));
  }

  @Override
  public long count(String collection, dev.bindery.indexer.Filter filter) {
    CollectionState st = cluster.state(collection);
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", "*:*");
    p.add("fq", SolrFields.ITEM_FQ);
    if (filter != null) {
      p.add("fq", sets.filterQuery(collection, st, filter, p));
    }
    p.set("rows", 0);
    return cluster
        .query(collection, p, "counting items of '" + collection + "'")
        .getResults()
        .getNumFound();
  }

  @Override
  public List<String> deleteWhere(String collection, dev.bindery.indexer.Filter filter) {
    java.util.Objects.requireNonNull(filter, "filter (delete by filter needs one)");
    CollectionState st = cluster.state(collection);
    List<String> ids = new ArrayList<>();
    String cursor = "*";
    while (true) {
      ModifiableSolrParams p = new ModifiableSolrParams();
      p.set("q", "*:*");
      p.add("fq", SolrFields.ITEM_FQ);
      p.add("fq", sets.filterQuery(collection, st, filter, p));
      p.set("rows", SolrCluster.RTG_CHUNK);
      // A cursor needs a sort on the unique key; every page then continues exactly.
      p.set("sort", SolrFields.ID + " asc");
      p.set("fl", SolrFields.PARENT);
      p.set("cursorMark", cursor);
      QueryResponse rsp =
          cluster.query(collection, p, "finding items to delete in '" + collection + "'");
      for (SolrDocument d : rsp.getResults()) {
        ids.add((String) d.getFirstValue(SolrFields.PARENT));
      }
      String next = rsp.getNextCursorMark();
      if (next == null || next.equals(cursor)) {
        break;
      }
      cursor = next;
    }
    List<String> deleted = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += SolrCluster.RTG_CHUNK) {
      deleted.addAll(
          writer.deleteExisting(
              collection, ids.subList(i, Math.min(ids.size(), i + SolrCluster.RTG_CHUNK))));
    }
    deleted.sort(null);
    return deleted;
  }

  /**
   * Counted item by item from the stored metadata of the matching items, read with a cursor: the
   * metadata fields are points without doc values in Solr, which Solr cannot facet on. Costs a read
   * of every matching item's metadata.
   */
  @Override
  public Map<String, Map<Object, Long>> valueCounts(
      String collection, dev.bindery.indexer.Filter filter, List<String> fields) {
    CollectionState st = cluster.freshState(collection);
    ValueCounts counts = new ValueCounts(st.config(), fields);
    String cursor = "*";
    while (true) {
      ModifiableSolrParams p = new ModifiableSolrParams();
      p.set("q", "*:*");
      p.add("fq", SolrFields.ITEM_FQ);
      if (filter != null) {
        p.add("fq", sets.filterQuery(collection, st, filter, p));
      }
      p.set("rows", SolrCluster.RTG_CHUNK);
      p.set("sort", SolrFields.ID + " asc");
      p.set("fl", SolrFields.ID + "," + SolrFields.PARENT + "," + ItemFields.META_JSON);
      p.set("cursorMark", cursor);
      QueryResponse rsp = cluster.query(collection, p, "counting values in '" + collection + "'");
      for (SolrDocument d : rsp.getResults()) {
        counts.add((String) d.getFirstValue(SolrFields.PARENT), SolrDocuments.metadata(d));
      }
      String next = rsp.getNextCursorMark();
      if (next == null || next.equals(cursor)) {
        break;
      }
      cursor = next;
    }
    return counts.counts();
  }

  @Override
  public void refresh(String collection) {
    cluster.state(collection);
    cluster.retrier.call(
        "refreshing '" + collection + "'",
        () -> cluster.client.commit(collection, true, true, true));
  }

  @Override
  public void commit(String collection) {
    cluster.state(collection);
    cluster.retrier.call(
        "committing '" + collection + "'",
        () -> cluster.client.commit(collection, true, true, false));
  }

  @Override
  public int upsert(String collection, List<Item> items) {
    return writer.upsert(collection, items);
  }

  @Override
  public int delete(String collection, Collection<String> ids) {
    return writer.delete(collection, ids);
  }

  @Override
  public Optional<Item> updateMetadata(String collection, String id, Map<String, Object> changes) {
    return writer.updateMetadata(collection, id, changes);
  }

  @Override
  public SearchResult knn(String collection, KnnQuery q) {
    return knn.search(collection, q);
  }

  @Override
  public SearchResult text(String collection, TextQuery q) {
    return text.search(collection, q);
  }

  @Override
  public void putFilterSet(String collection, String name, Collection<String> ids) {
    sets.putFilterSet(collection, name, ids);
  }

  @Override
  public boolean deleteFilterSet(String collection, String name) {
    return sets.deleteFilterSet(collection, name);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Closes the client if this backend opened it ({@link #connect}). Solr keeps every write. */
  @Override
  public void close() throws IOException {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      cluster.close();
      if (ownsClient) {
        cluster.client.close();
      }
    }
  }
}
