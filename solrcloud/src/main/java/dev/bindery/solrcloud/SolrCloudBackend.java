package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemChecks;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.ValueCounts;
import dev.bindery.indexer.VectorChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.response.CollectionAdminResponse;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.client.solrj.response.UpdateResponse;
import org.apache.solr.client.solrj.util.ClientUtils;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.cloud.Replica;
import org.apache.solr.common.cloud.Slice;
import org.apache.solr.common.cloud.SolrZkClient;
import org.apache.solr.common.cloud.ZkMaintenanceUtils;
import org.apache.solr.common.cloud.ZkStateReader;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.NamedList;
import org.apache.solr.common.util.Utils;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

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
  /** Configsets of Bindery collections are called {@code bindery.<collection>}. */
  public static final String CONFIGSET_PREFIX = "bindery.";

  private static final int RTG_CHUNK = 500;
  private static final int MAX_SET_CACHE = 64;
  private static final String ITEM_FQ = "{!term f=" + SolrFields.KIND + "}" + SolrFields.KIND_ITEM;
  private static final String VECTOR_FQ =
      "{!term f=" + SolrFields.KIND + "}" + SolrFields.KIND_VECTOR;
  private static final String HIT_FIELDS =
      String.join(
          ",",
          SolrFields.ID,
          "score",
          SolrFields.PARENT,
          SolrFields.SEGMENT,
          SolrFields.SEG_START,
          SolrFields.SEG_END,
          SolrFields.MODALITY,
          SolrFields.SOURCE,
          SolrFields.META_JSON);

  /** Bindery's ranking (score desc, item id asc), then the document id for segment hits. */
  private static final String SORT = "score desc," + SolrFields.PARENT + " asc,id asc";

  private final CloudSolrClient client;
  private final boolean ownsClient;
  private final ZkStateReader zk;
  private final SolrCloudOptions options;
  private final Retrier retrier;
  private final Map<String, CollectionState> states = new ConcurrentHashMap<>();
  private final Map<String, List<String>> setMembers =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
              return size() > MAX_SET_CACHE;
            }
          });
  private final Set<String> inFlight = new HashSet<>();
  private final Object lifecycle = new Object();
  private final Object schemaLock = new Object();
  private volatile boolean closed;

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
    this.client = java.util.Objects.requireNonNull(client, "client");
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.ownsClient = owns;
    this.zk = ZkStateReader.from(client);
    this.retrier = new Retrier(options);
  }

  /** Retries made so far because of transient failures (for monitoring and the fault test). */
  public long retries() {
    return retrier.retries();
  }

  /** The options this backend creates collections and retries with. */
  public SolrCloudOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- collections

  @Override
  public void createCollection(CollectionConfig config) {
    String name = config.name();
    synchronized (lifecycle) {
      ensureOpen();
      if (zk.getClusterState().hasCollection(name)) {
        throw new IllegalArgumentException("collection '" + name + "' already exists");
      }
      String configSet = CONFIGSET_PREFIX + name;
      try {
        uploadConfigSet(configSet, SolrConfigset.files(config));
        CollectionAdminResponse rsp =
            CollectionAdminRequest.createCollection(
                    name, configSet, options.shards(), options.replicas())
                .process(client);
        if (!rsp.isSuccess()) {
          throw new IllegalStateException(
              "SolrCloud could not create collection '" + name + "': " + rsp.getErrorMessages());
        }
        zk.waitForState(
            name,
            options.readyTimeout().toMillis(),
            TimeUnit.MILLISECONDS,
            (live, coll) -> allActive(coll, live));
        setProperty(name, SolrFields.PROP_CONFIG, CollectionState.toJson(config));
      } catch (Exception e) {
        cleanUpFailedCreate(name, configSet, e);
        if (e instanceof IllegalArgumentException iae) {
          throw iae;
        }
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (msg.contains("already exists")) {
          throw new IllegalArgumentException("collection '" + name + "' already exists", e);
        }
        if (e instanceof TimeoutException) {
          throw new IndexUnavailableException(
              "collection '"
                  + name
                  + "': not every replica became active within "
                  + options.readyTimeout()
                  + " (shards="
                  + options.shards()
                  + ", replicas="
                  + options.replicas()
                  + ", live nodes="
                  + zk.getClusterState().getLiveNodes().size()
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

  private boolean allActive(DocCollection coll, Set<String> live) {
    if (coll == null || coll.getActiveSlices().size() != options.shards()) {
      return false;
    }
    for (Slice s : coll.getActiveSlices()) {
      if (s.getReplicas().size() < options.replicas()) {
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
      if (zk.getClusterState().hasCollection(name)
          && !readProperties(name, null).containsKey(SolrFields.PROP_CONFIG)) {
        CollectionAdminRequest.deleteCollection(name).process(client);
      }
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
    try {
      deleteConfigSet(configSet);
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
    states.remove(name);
  }

  private void uploadConfigSet(String configSet, Map<String, String> files)
      throws KeeperException, InterruptedException {
    SolrZkClient zc = zk.getZkClient();
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

  private void deleteConfigSet(String configSet) throws KeeperException, InterruptedException {
    SolrZkClient zc = zk.getZkClient();
    String base = ZkMaintenanceUtils.CONFIGS_ZKNODE + "/" + configSet;
    if (zc.exists(base, true)) {
      ZkMaintenanceUtils.clean(zc, base);
    }
  }

  @Override
  public boolean dropCollection(String name) {
    Names.checkName("collection", name);
    synchronized (lifecycle) {
      ensureOpen();
      DocCollection coll = zk.getClusterState().getCollectionOrNull(name);
      if (coll == null) {
        return false;
      }
      if (!readProperties(name, null).containsKey(SolrFields.PROP_CONFIG)) {
        throw new IllegalArgumentException(
            "Solr collection '"
                + name
                + "' was not created by Bindery (it has no "
                + SolrFields.PROP_CONFIG
                + " property); it was not dropped");
      }
      String configSet = coll.getConfigName();
      try {
        retrier.call(
            "dropping collection '" + name + "'",
            () -> CollectionAdminRequest.deleteCollection(name).process(client));
      } catch (IllegalStateException e) {
        // A retry after a delete that did reach Solr finds nothing: that is success.
        if (zk.getClusterState().hasCollection(name)) {
          throw e;
        }
      }
      states.remove(name);
      setMembers.keySet().removeIf(k -> k.startsWith(name + "\u0000"));
      if (configSet != null && configSet.equals(CONFIGSET_PREFIX + name)) {
        try {
          deleteConfigSet(configSet);
        } catch (KeeperException e) {
          throw new IllegalStateException(
              "collection '" + name + "' was dropped but its configset " + configSet + " was not",
              e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while dropping '" + name + "'", e);
        }
      }
      return true;
    }
  }

  @Override
  public List<String> listCollections() {
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

  @Override
  public CollectionInfo describe(String collection) {
    CollectionState st = freshState(collection);
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", "*:*");
    p.set("rows", 0);
    p.set("facet", true);
    p.add("facet.query", ITEM_FQ);
    p.add("facet.query", VECTOR_FQ);
    QueryResponse rsp = query(collection, p, "counting collection '" + collection + "'");
    Map<String, Integer> counts = rsp.getFacetQuery();
    return new CollectionInfo(
        st.config(),
        counts.getOrDefault(ITEM_FQ, 0),
        counts.getOrDefault(VECTOR_FQ, 0),
        st.sets().keySet());
  }

  // ---------------------------------------------------------------- state

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this SolrCloudBackend is closed");
    }
  }

  /** The cached state of a collection (kept fresh by a ZooKeeper watch). */
  private CollectionState state(String name) {
    Names.checkName("collection", name);
    ensureOpen();
    CollectionState s = states.get(name);
    return s != null ? s : freshState(name);
  }

  /** The state read from ZooKeeper now. */
  private CollectionState freshState(String name) {
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
  private Map<String, String> readProperties(String name, Watcher watcher) {
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

  @Override
  public Optional<String> collectionSetting(String collection, String key) {
    Names.checkName("collection", collection);
    Names.checkName("setting", key);
    ensureOpen();
    // One ZooKeeper read: the properties hold both the setting and the mark of a Bindery
    // collection.
    Map<String, String> props =
        zk.getClusterState().hasCollection(collection)
            ? readProperties(collection, null)
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
    freshState(collection);
    setProperty(collection, SolrFields.PROP_APP + key, value);
    return true;
  }

  /** Sets (or with a null value removes) a collection property, then forgets the cached state. */
  private void setProperty(String collection, String key, String value) {
    retrier.call(
        "setting property " + key + " of '" + collection + "'",
        () -> CollectionAdminRequest.setCollectionProperty(collection, key, value).process(client));
    states.remove(collection);
  }

  // ---------------------------------------------------------------- writes

  @Override
  public int upsert(String collection, List<Item> items) {
    java.util.Objects.requireNonNull(items, "items");
    CollectionState st = freshState(collection);
    if (items.isEmpty()) {
      return 0;
    }
    CollectionConfig cfg = st.config();
    Map<String, FieldType> newFields = new LinkedHashMap<>();
    Set<String> newText = new TreeSet<>();
    Map<String, Integer> positions = new HashMap<>();
    List<SolrDocuments.Prepared> prepared = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      if (item == null) {
        throw new IllegalArgumentException("item #" + i + " of the batch is null");
      }
      Integer earlier = positions.putIfAbsent(item.id(), i);
      if (earlier != null) {
        throw new IllegalArgumentException(
            "duplicate id '"
                + item.id()
                + "' in one batch (items #"
                + earlier
                + " and #"
                + i
                + "); nothing was written");
      }
      prepared.add(prepare(item, cfg, newFields));
      item.text().keySet().stream().filter(f -> !st.textFields().contains(f)).forEach(newText::add);
    }
    boolean newSegments =
        !st.hasSegments() && items.stream().anyMatch(i -> !i.segments().isEmpty());
    if (!newFields.isEmpty() || !newText.isEmpty() || newSegments) {
      cfg = addFields(collection, newFields, newText, newSegments);
    }
    List<String> ids = new ArrayList<>(positions.keySet());
    acquire(ids);
    try {
      return write(collection, cfg, prepared);
    } finally {
      release(ids);
    }
  }

  private static SolrDocuments.Prepared prepare(
      Item item, CollectionConfig cfg, Map<String, FieldType> newFields) {
    ItemChecks.Checked c = ItemChecks.check(item, cfg, newFields);
    return new SolrDocuments.Prepared(item, c.vectors(), c.segmentVectors());
  }

  /**
   * Records inferred metadata field types and new text fields before any document uses them, the
   * way the embedded backend writes its collection file first. A type that another writer recorded
   * differently in the meantime rejects the batch.
   */
  private CollectionConfig addFields(
      String collection, Map<String, FieldType> newFields, Set<String> newText, boolean segments) {
    synchronized (schemaLock) {
      CollectionState st = freshState(collection);
      if (segments && !st.hasSegments()) {
        setProperty(collection, SolrFields.PROP_SEGMENTS, "1");
      }
      for (Map.Entry<String, FieldType> e : newFields.entrySet()) {
        FieldType existing = st.config().fields().get(e.getKey());
        if (existing != null && existing != e.getValue()) {
          throw new IllegalArgumentException(
              "metadata field '"
                  + e.getKey()
                  + "' is of type "
                  + existing
                  + " but the batch has "
                  + e.getValue()
                  + " values; nothing was written");
        }
        if (existing == null) {
          setProperty(collection, SolrFields.PROP_FIELD + e.getKey(), e.getValue().wireName());
        }
      }
      for (String t : newText) {
        if (!st.textFields().contains(t)) {
          setProperty(collection, SolrFields.PROP_TEXT + t, "1");
        }
      }
      CollectionState after = freshState(collection);
      for (Map.Entry<String, FieldType> e : newFields.entrySet()) {
        if (after.config().fields().get(e.getKey()) != e.getValue()) {
          throw new IllegalArgumentException(
              "metadata field '"
                  + e.getKey()
                  + "' was just recorded as "
                  + after.config().fields().get(e.getKey())
                  + " by another writer but the batch has "
                  + e.getValue()
                  + " values; nothing was written");
        }
      }
      return after.config();
    }
  }

  /** Waits until no other write of this backend holds any of {@code ids}, then holds them. */
  private void acquire(Collection<String> ids) {
    synchronized (inFlight) {
      while (ids.stream().anyMatch(inFlight::contains)) {
        try {
          inFlight.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for another write of these ids", e);
        }
      }
      inFlight.addAll(ids);
    }
  }

  private void release(Collection<String> ids) {
    synchronized (inFlight) {
      inFlight.removeAll(ids);
      inFlight.notifyAll();
    }
  }

  /** The shape (document ids) of a stored item: its item document and segment documents. */
  private record Shape(int segments) {
    static Shape of(Item item) {
      return new Shape(item.segments().size());
    }

    static Shape of(SolrDocument itemDoc) {
      Object n = itemDoc.getFirstValue(SolrFields.SEGMENT_COUNT);
      return new Shape(n == null ? 0 : ((Number) n).intValue());
    }

    List<String> docIds(String itemId) {
      return SolrDocuments.docIds(itemId, segments);
    }
  }

  private int write(
      String collection, CollectionConfig cfg, List<SolrDocuments.Prepared> prepared) {
    List<String> ids = prepared.stream().map(p -> p.item().id()).toList();
    Map<String, Item> old = latestItems(collection, cfg, ids);
    UpdateRequest req = new UpdateRequest();
    Map<String, String> docToItem = new HashMap<>();
    for (SolrDocuments.Prepared p : prepared) {
      String id = p.item().id();
      List<SolrInputDocument> docs = SolrDocuments.toDocs(p, cfg);
      docs.forEach(d -> docToItem.put((String) d.getFieldValue(SolrFields.ID), id));
      req.add(docs);
      Item o = old.get(id);
      if (o != null) {
        List<String> stale = new ArrayList<>(Shape.of(o).docIds(id));
        stale.removeAll(Shape.of(p.item()).docIds(id));
        stale.forEach(s -> docToItem.put(s, id));
        if (!stale.isEmpty()) {
          req.deleteById(stale);
        }
      }
    }
    send(collection, req, prepared.size(), prepared, old, docToItem);
    return prepared.size();
  }

  /** Sends a batch; on any failure rolls every item of it back to {@code old}, then throws. */
  private void send(
      String collection,
      UpdateRequest req,
      int batchSize,
      List<SolrDocuments.Prepared> prepared,
      Map<String, Item> old,
      Map<String, String> docToItem) {
    req.setParam("maxErrors", "-1");
    if (options.commitWithinMs() >= 0) {
      req.setCommitWithin(options.commitWithinMs());
    }
    UpdateResponse rsp;
    try {
      rsp =
          retrier.call(
              "writing " + batchSize + " item(s) to '" + collection + "'",
              () -> req.process(client, collection));
    } catch (RuntimeException e) {
      rollBack(collection, prepared, old, e);
      throw e;
    }
    Map<String, String> failed = toleratedErrors(rsp, docToItem);
    if (!failed.isEmpty()) {
      RejectedItemsException rejected = new RejectedItemsException(collection, batchSize, failed);
      rollBack(collection, prepared, old, rejected);
      throw rejected;
    }
  }

  /** Item id to Solr's message for each document the tolerant update chain refused. */
  private static Map<String, String> toleratedErrors(
      UpdateResponse rsp, Map<String, String> docToItem) {
    Map<String, String> failed = new TreeMap<>();
    NamedList<?> header = rsp.getResponseHeader();
    Object errors = header == null ? null : header.get("errors");
    if (errors instanceof Collection<?> list) {
      for (Object e : list) {
        String docId = String.valueOf(field(e, "id"));
        String message = String.valueOf(field(e, "message"));
        String item = docToItem.getOrDefault(docId, docId);
        failed.merge(item, message, (a, b) -> a);
      }
    }
    return failed;
  }

  private static Object field(Object error, String key) {
    if (error instanceof NamedList<?> nl) {
      return nl.get(key);
    }
    if (error instanceof Map<?, ?> m) {
      return m.get(key);
    }
    return null;
  }

  /**
   * Puts every item of a failed batch back as it was: the old version re-written (its leftover new
   * documents deleted), a new item deleted. Nothing is visible in between because Bindery's
   * configset has no automatic soft commit.
   */
  private void rollBack(
      String collection,
      List<SolrDocuments.Prepared> prepared,
      Map<String, Item> old,
      RuntimeException cause) {
    CollectionConfig cfg = state(collection).config();
    UpdateRequest rb = new UpdateRequest();
    List<String> deletes = new ArrayList<>();
    for (SolrDocuments.Prepared p : prepared) {
      String id = p.item().id();
      List<String> written = new ArrayList<>(Shape.of(p.item()).docIds(id));
      Item o = old.get(id);
      if (o != null) {
        rb.add(SolrDocuments.toDocs(asPrepared(o), cfg));
        written.removeAll(Shape.of(o).docIds(id));
      }
      deletes.addAll(written);
    }
    if (!deletes.isEmpty()) {
      rb.deleteById(deletes);
    }
    rb.setParam("maxErrors", "-1");
    try {
      UpdateResponse rsp =
          retrier.call(
              "rolling back a failed batch in '" + collection + "'",
              () -> rb.process(client, collection));
      Map<String, String> errors = toleratedErrors(rsp, Map.of());
      if (!errors.isEmpty()) {
        throw new IllegalStateException("Solr refused parts of the rollback: " + errors);
      }
    } catch (RuntimeException e) {
      IllegalStateException broken =
          new IllegalStateException(
              "a batch of "
                  + prepared.size()
                  + " item(s) failed in '"
                  + collection
                  + "' and rolling it back failed too: items "
                  + prepared.stream().map(p -> p.item().id()).limit(20).toList()
                  + " may be partly written; re-send the batch or delete them. Rollback error: "
                  + e.getMessage(),
              e);
      cause.addSuppressed(broken);
    }
  }

  private static SolrDocuments.Prepared asPrepared(Item stored) {
    List<Map<String, float[]>> segs = new ArrayList<>();
    stored.segments().forEach(s -> segs.add(s.vectors()));
    return new SolrDocuments.Prepared(stored, stored.vectors(), segs);
  }

  /** The latest written version of each item (real-time get: sees uncommitted writes). */
  private Map<String, Item> latestItems(
      String collection, CollectionConfig cfg, Collection<String> itemIds) {
    List<SolrDocument> itemDocs =
        realtimeGet(collection, itemIds.stream().map(SolrFields::itemDocId).toList());
    if (itemDocs.isEmpty()) {
      return Map.of();
    }
    List<String> vectorIds = new ArrayList<>();
    for (SolrDocument d : itemDocs) {
      String id = (String) d.getFirstValue(SolrFields.PARENT);
      List<String> all = Shape.of(d).docIds(id);
      vectorIds.addAll(all.subList(1, all.size()));
    }
    Map<String, List<SolrDocument>> byItem = new HashMap<>();
    for (SolrDocument v : realtimeGet(collection, vectorIds)) {
      byItem
          .computeIfAbsent((String) v.getFirstValue(SolrFields.PARENT), k -> new ArrayList<>())
          .add(v);
    }
    Map<String, Item> out = new HashMap<>();
    for (SolrDocument d : itemDocs) {
      String id = (String) d.getFirstValue(SolrFields.PARENT);
      out.put(id, SolrDocuments.toItem(d, byItem.getOrDefault(id, List.of()), cfg));
    }
    return out;
  }

  private List<SolrDocument> realtimeGet(String collection, List<String> docIds) {
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

  @Override
  public int delete(String collection, Collection<String> ids) {
    return deleteExisting(collection, ids).size();
  }

  /** Deletes the items; returns the ids of those that existed. */
  private List<String> deleteExisting(String collection, Collection<String> ids) {
    java.util.Objects.requireNonNull(ids, "ids");
    ids.forEach(Names::checkId);
    state(collection);
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(ids));
    if (unique.isEmpty()) {
      return List.of();
    }
    acquire(unique);
    try {
      List<SolrDocument> existing =
          realtimeGet(collection, unique.stream().map(SolrFields::itemDocId).toList());
      if (existing.isEmpty()) {
        return List.of();
      }
      List<String> docIds = new ArrayList<>();
      for (SolrDocument d : existing) {
        docIds.addAll(Shape.of(d).docIds((String) d.getFirstValue(SolrFields.PARENT)));
      }
      UpdateRequest req = new UpdateRequest();
      req.deleteById(docIds);
      if (options.commitWithinMs() >= 0) {
        req.setCommitWithin(options.commitWithinMs());
      }
      retrier.call(
          "deleting " + existing.size() + " item(s) from '" + collection + "'",
          () -> req.process(client, collection));
      return existing.stream().map(d -> (String) d.getFirstValue(SolrFields.PARENT)).toList();
    } finally {
      release(unique);
    }
  }

  @Override
  public Optional<Item> get(String collection, String id) {
    Names.checkId(id);
    CollectionState st = state(collection);
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", "{!term f=" + SolrFields.PARENT + " v=$pid}");
    p.set("pid", id);
    // Every document of an item lives on the shard its route key picks: ask only that one.
    p.set("_route_", SolrFields.routeKey(id) + "!");
    p.set("fl", "*");
    p.set("rows", 1000);
    QueryResponse rsp = query(collection, p, "get of '" + id + "' in '" + collection + "'");
    SolrDocumentList docs = rsp.getResults();
    if (docs.getNumFound() > docs.size()) {
      p.set("rows", (int) Math.min(Integer.MAX_VALUE - 1, docs.getNumFound()));
      docs = query(collection, p, "get of '" + id + "' in '" + collection + "'").getResults();
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
    CollectionState st = state(collection);
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", "*:*");
    p.add("fq", ITEM_FQ);
    if (filter != null) {
      p.add("fq", filterQuery(collection, st, filter, p));
    }
    p.set("rows", 0);
    return query(collection, p, "counting items of '" + collection + "'")
        .getResults()
        .getNumFound();
  }

  @Override
  public List<String> deleteWhere(String collection, dev.bindery.indexer.Filter filter) {
    java.util.Objects.requireNonNull(filter, "filter (delete by filter needs one)");
    CollectionState st = state(collection);
    List<String> ids = new ArrayList<>();
    String cursor = "*";
    while (true) {
      ModifiableSolrParams p = new ModifiableSolrParams();
      p.set("q", "*:*");
      p.add("fq", ITEM_FQ);
      p.add("fq", filterQuery(collection, st, filter, p));
      p.set("rows", RTG_CHUNK);
      // A cursor needs a sort on the unique key; every page then continues exactly.
      p.set("sort", SolrFields.ID + " asc");
      p.set("fl", SolrFields.PARENT);
      p.set("cursorMark", cursor);
      QueryResponse rsp = query(collection, p, "finding items to delete in '" + collection + "'");
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
    for (int i = 0; i < ids.size(); i += RTG_CHUNK) {
      deleted.addAll(
          deleteExisting(collection, ids.subList(i, Math.min(ids.size(), i + RTG_CHUNK))));
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
    CollectionState st = freshState(collection);
    ValueCounts counts = new ValueCounts(st.config(), fields);
    String cursor = "*";
    while (true) {
      ModifiableSolrParams p = new ModifiableSolrParams();
      p.set("q", "*:*");
      p.add("fq", ITEM_FQ);
      if (filter != null) {
        p.add("fq", filterQuery(collection, st, filter, p));
      }
      p.set("rows", RTG_CHUNK);
      p.set("sort", SolrFields.ID + " asc");
      p.set("fl", SolrFields.ID + "," + SolrFields.PARENT + "," + SolrFields.META_JSON);
      p.set("cursorMark", cursor);
      QueryResponse rsp = query(collection, p, "counting values in '" + collection + "'");
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
  public Optional<Item> updateMetadata(String collection, String id, Map<String, Object> changes) {
    Names.checkId(id);
    java.util.Objects.requireNonNull(changes, "changes");
    CollectionState st = freshState(collection);
    List<String> ids = List.of(id);
    acquire(ids);
    try {
      CollectionConfig cfg = st.config();
      // Real-time get: the item as last written, refreshed or not.
      Item stored = latestItems(collection, cfg, ids).get(id);
      if (stored == null) {
        return Optional.empty();
      }
      Item updated = ItemChecks.withMetadataChanges(stored, changes);
      Map<String, FieldType> newFields = new LinkedHashMap<>();
      ItemChecks.checkMetadata(updated, cfg, newFields);
      if (!newFields.isEmpty()) {
        cfg = addFields(collection, newFields, Set.of(), false);
      }
      // The stored vectors as they are: prepared once on ingest, not normalized again.
      write(collection, cfg, List.of(asPrepared(updated)));
      return Optional.of(updated);
    } finally {
      release(ids);
    }
  }

  @Override
  public void refresh(String collection) {
    state(collection);
    retrier.call(
        "refreshing '" + collection + "'", () -> client.commit(collection, true, true, true));
  }

  @Override
  public void commit(String collection) {
    state(collection);
    retrier.call(
        "committing '" + collection + "'", () -> client.commit(collection, true, true, false));
  }

  // ---------------------------------------------------------------- search

  private QueryResponse query(String collection, ModifiableSolrParams p, String what) {
    return retrier.call(what, () -> client.query(collection, p, SolrRequest.METHOD.POST));
  }

  @Override
  public SearchResult knn(String collection, KnnQuery q) {
    CollectionState st = state(collection);
    SpaceConfig space = st.config().space(q.space());
    float[] vector = VectorChecks.prepare(space, q.vector(), "query vector");
    String field = SolrFields.vector(space.name());
    StringBuilder literal = new StringBuilder(vector.length * 12).append('[');
    for (int i = 0; i < vector.length; i++) {
      if (i > 0) {
        literal.append(',');
      }
      literal.append(vector[i]);
    }
    literal.append(']');
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.add("fq", VECTOR_FQ);
    if (q.filter() != null) {
      p.add("fq", filterQuery(collection, st, q.filter(), p));
    }
    boolean collapse = q.groupByParent() && st.hasSegments();
    if (collapse) {
      // Post filter: not part of the kNN pre-filter. Exact per shard, since an item's documents
      // share a shard. Skipped while no item has segments: each item is one vector document.
      p.add("fq", "{!collapse field=" + SolrFields.PARENT + "}");
    }
    p.set("rows", q.k());
    p.set("sort", SORT);
    p.set("fl", HIT_FIELDS);
    // Vector scores need no term statistics, and k hits are few enough to fetch their fields
    // in the same round trip as their ids.
    p.set("distrib.statsCache", false);
    p.set("distrib.singlePass", true);
    String what = "kNN search in '" + collection + "'";
    boolean exact = q.mode() == SearchMode.EXACT;
    QueryResponse rsp;
    if (exact) {
      p.add("fq", "{!term f=" + SolrFields.SPACES + " v=$space}");
      p.set("space", space.name());
      p.set(
          "q",
          "{!func}vectorSimilarity(FLOAT32,"
              + luceneSimilarity(space.similarity())
              + ","
              + field
              + ","
              + literal
              + ")");
      rsp = query(collection, p, what);
    } else {
      int n = q.effectiveEf();
      long previous = -1;
      while (true) {
        p.set("q", "{!knn f=" + field + " topK=" + n + "}" + literal);
        rsp = query(collection, p, what);
        long found = rsp.getResults().getNumFound();
        // Grouping can leave fewer than k items when an item's segments crowd the per-shard
        // top-n: ask for more, until k items, no growth, or the cap.
        if (!collapse || found >= q.k() || n >= KnnQuery.MAX_K || found <= previous) {
          break;
        }
        previous = found;
        n = Math.min(KnnQuery.MAX_K, n * 2);
      }
    }
    List<Hit> hits = new ArrayList<>();
    for (SolrDocument d : rsp.getResults()) {
      float score = ((Number) d.getFirstValue("score")).floatValue();
      hits.add(SolrDocuments.toHit(d, userScore(space.similarity(), score)));
    }
    hits.sort(Hit.RANKING.thenComparingInt(h -> h.segment() == null ? -1 : h.segment().index()));
    return new SearchResult(
            hits.size() > q.k() ? hits.subList(0, q.k()) : hits,
            exact ? SearchResult.Strategy.EXACT : SearchResult.Strategy.HNSW,
            rsp.getResults().getNumFound(),
            st.shards(),
            exact ? st.shards() : 0,
            0)
        .atLeast(q.minScore());
  }

  private static String luceneSimilarity(Similarity s) {
    return switch (s) {
      case COSINE, DOT_PRODUCT -> "DOT_PRODUCT";
      case L2 -> "EUCLIDEAN";
    };
  }

  /** Lucene scores dot products as (1 + dot) / 2; users see the cosine / dot itself. */
  static float userScore(Similarity s, float luceneScore) {
    return switch (s) {
      case COSINE, DOT_PRODUCT -> 2 * luceneScore - 1;
      case L2 -> luceneScore;
    };
  }

  @Override
  public SearchResult text(String collection, TextQuery q) {
    CollectionState st = state(collection);
    List<String> fields = new ArrayList<>();
    if (q.fields().isEmpty()) {
      st.textFields().forEach(f -> fields.add(SolrFields.text(f)));
      fields.add(SolrFields.SEGMENTS_TEXT);
    } else {
      for (String f : q.fields()) {
        if (!st.textFields().contains(f)) {
          throw new IllegalArgumentException(
              "unknown text field '"
                  + f
                  + "' in collection '"
                  + collection
                  + "'; it has "
                  + (st.textFields().isEmpty() ? "none yet" : st.textFields().toString()));
        }
        fields.add(SolrFields.text(f));
      }
    }
    // Words are escaped one by one, so no query syntax survives; lower case keeps AND/OR/NOT
    // from being operators (the analyzer lower-cases anyway).
    String words =
        java.util.Arrays.stream(q.query().toLowerCase(Locale.ROOT).trim().split("\\s+"))
            .map(ClientUtils::escapeQueryChars)
            .collect(Collectors.joining(" "));
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set(
        "q", fields.stream().map(f -> f + ":(" + words + ")").collect(Collectors.joining(" OR ")));
    p.set("defType", "lucene");
    p.set("q.op", "OR");
    p.add("fq", ITEM_FQ);
    if (q.filter() != null) {
      p.add("fq", filterQuery(collection, st, q.filter(), p));
    }
    p.set("rows", q.k());
    p.set("sort", SORT);
    p.set("fl", HIT_FIELDS);
    p.set("distrib.singlePass", true);
    QueryResponse rsp = query(collection, p, "text search in '" + collection + "'");
    List<Hit> hits = new ArrayList<>();
    for (SolrDocument d : rsp.getResults()) {
      hits.add(SolrDocuments.toHit(d, ((Number) d.getFirstValue("score")).floatValue()));
    }
    hits.sort(Hit.RANKING);
    return new SearchResult(
            hits, SearchResult.Strategy.BM25, rsp.getResults().getNumFound(), st.shards(), 0, 0)
        .atLeast(q.minScore());
  }

  private String filterQuery(
      String collection,
      CollectionState st,
      dev.bindery.indexer.Filter filter,
      ModifiableSolrParams p) {
    CollectionState current = st;
    try {
      return SolrFilters.compile(filter, current.config(), n -> members(collection, n), p);
    } catch (IllegalArgumentException e) {
      // A field another writer added since the state was cached: read it again once.
      CollectionState fresh = freshState(collection);
      if (fresh.config().equals(st.config())) {
        throw e;
      }
      return SolrFilters.compile(filter, fresh.config(), n -> members(collection, n), p);
    }
  }

  // ---------------------------------------------------------------- filter sets

  private List<String> members(String collection, String set) {
    CollectionState st = state(collection);
    String gen = st.sets().get(set);
    if (gen == null) {
      st = freshState(collection);
      gen = st.sets().get(set);
    }
    if (gen == null) {
      throw new IllegalArgumentException(
          "unknown filter set '"
              + set
              + "'"
              + (st.sets().isEmpty() ? "; there are none" : "; there are " + st.sets().keySet()));
    }
    String key = collection + "\u0000" + set + "@" + gen;
    List<String> cached = setMembers.get(key);
    if (cached != null) {
      return cached;
    }
    List<SolrDocument> docs = realtimeGet(collection, List.of(SolrFields.setDocId(set, gen)));
    if (docs.isEmpty()) {
      throw new IllegalStateException(
          "filter set '"
              + set
              + "' of '"
              + collection
              + "' lost its member list (generation "
              + gen
              + "); put the set again");
    }
    Collection<Object> values = docs.get(0).getFieldValues(SolrFields.SET_MEMBERS);
    List<String> ids = values == null ? List.of() : values.stream().map(String::valueOf).toList();
    setMembers.put(key, ids);
    return ids;
  }

  @Override
  public void putFilterSet(String collection, String name, Collection<String> ids) {
    Names.checkName("filter set", name);
    java.util.Objects.requireNonNull(ids, "ids");
    ids.forEach(Names::checkId);
    CollectionState st = freshState(collection);
    List<String> unique = new ArrayList<>(new TreeSet<>(ids));
    Set<String> found = new HashSet<>();
    for (SolrDocument d :
        realtimeGet(collection, unique.stream().map(SolrFields::itemDocId).toList())) {
      found.add((String) d.getFirstValue(SolrFields.PARENT));
    }
    List<String> missing = unique.stream().filter(i -> !found.contains(i)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "filter set '"
              + name
              + "' names "
              + missing.size()
              + " id(s) not in collection '"
              + collection
              + "': "
              + missing.subList(0, Math.min(10, missing.size()))
              + (missing.size() > 10 ? " ..." : "")
              + "; the set was not changed");
    }
    String gen =
        Long.toString(System.currentTimeMillis(), 36)
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    SolrInputDocument doc = new SolrInputDocument();
    doc.setField(SolrFields.ID, SolrFields.setDocId(name, gen));
    doc.setField(SolrFields.KIND, SolrFields.KIND_SET);
    doc.setField(SolrFields.SET_NAME, name);
    doc.setField(SolrFields.SET_MEMBERS, unique);
    UpdateRequest req = new UpdateRequest();
    req.add(doc);
    retrier.call(
        "writing filter set '" + name + "' of '" + collection + "'",
        () -> req.process(client, collection));
    // The property switches readers to the new list in one ZooKeeper write; the old list goes
    // after. A crash in between leaves an unused document, never a half-written set.
    setProperty(collection, SolrFields.PROP_SET + name, gen);
    String previous = st.sets().get(name);
    if (previous != null && !previous.equals(gen)) {
      deleteSetDoc(collection, name, previous);
    }
  }

  private void deleteSetDoc(String collection, String name, String gen) {
    UpdateRequest del = new UpdateRequest();
    del.deleteById(SolrFields.setDocId(name, gen));
    retrier.call(
        "removing an old list of filter set '" + name + "'", () -> del.process(client, collection));
  }

  @Override
  public boolean deleteFilterSet(String collection, String name) {
    Names.checkName("filter set", name);
    CollectionState st = freshState(collection);
    String gen = st.sets().get(name);
    if (gen == null) {
      return false;
    }
    setProperty(collection, SolrFields.PROP_SET + name, null);
    deleteSetDoc(collection, name, gen);
    return true;
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
      states.clear();
      if (ownsClient) {
        client.close();
      }
    }
  }
}
