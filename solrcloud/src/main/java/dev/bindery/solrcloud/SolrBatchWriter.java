package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemChecks;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SchemaChecks;
import dev.bindery.indexer.UnprocessableException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.response.UpdateResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.util.NamedList;

/**
 * Writes and deletes items of a SolrCloud collection. A batch is all or nothing: it is checked
 * completely first ({@link ItemChecks}), new metadata and text fields are recorded as collection
 * properties before any document uses them, the versions it replaces are read (real-time get), and
 * if Solr rejects any document the whole batch is rolled back to them before {@link
 * RejectedItemsException} says which items failed. Writes to the same item id from this backend are
 * serialized.
 */
final class SolrBatchWriter {
  private final SolrCluster cluster;
  private final Set<String> inFlight = new HashSet<>();
  private final Object schemaLock = new Object();

  SolrBatchWriter(SolrCluster cluster) {
    this.cluster = cluster;
  }

  int upsert(String collection, List<Item> items) {
    java.util.Objects.requireNonNull(items, "items");
    CollectionState st = cluster.freshState(collection);
    List<String> ids = ItemChecks.checkBatch(items);
    if (items.isEmpty()) {
      return 0;
    }
    CollectionConfig cfg = st.config();
    Map<String, FieldType> newFields = new LinkedHashMap<>();
    Set<String> newText = new TreeSet<>();
    List<SolrDocuments.Prepared> prepared = new ArrayList<>(items.size());
    for (Item item : items) {
      prepared.add(prepare(item, cfg, newFields));
      item.text().keySet().stream().filter(f -> !st.textFields().contains(f)).forEach(newText::add);
    }
    boolean newSegments =
        !st.hasSegments() && items.stream().anyMatch(i -> !i.segments().isEmpty());
    if (!newFields.isEmpty() || !newText.isEmpty() || newSegments) {
      cfg = addFields(collection, newFields, newText, newSegments);
    }
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
      CollectionState st = cluster.freshState(collection);
      if (segments && !st.hasSegments()) {
        cluster.setProperty(collection, SolrFields.PROP_SEGMENTS, "1");
      }
      SchemaChecks.checkFieldTypes(st.config().fields(), newFields);
      for (String field : SchemaChecks.unrecorded(st.config().fields(), newFields)) {
        cluster.setProperty(
            collection, SolrFields.PROP_FIELD + field, newFields.get(field).wireName());
      }
      for (String t : newText) {
        if (!st.textFields().contains(t)) {
          cluster.setProperty(collection, SolrFields.PROP_TEXT + t, "1");
        }
      }
      CollectionState after = cluster.freshState(collection);
      for (Map.Entry<String, FieldType> e : newFields.entrySet()) {
        if (after.config().fields().get(e.getKey()) != e.getValue()) {
          throw new UnprocessableException(
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
    if (cluster.options.commitWithinMs() >= 0) {
      req.setCommitWithin(cluster.options.commitWithinMs());
    }
    UpdateResponse rsp;
    try {
      rsp =
          cluster.retrier.call(
              "writing " + batchSize + " item(s) to '" + collection + "'",
              () -> req.process(cluster.client, collection));
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
    CollectionConfig cfg = cluster.state(collection).config();
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
          cluster.retrier.call(
              "rolling back a failed batch in '" + collection + "'",
              () -> rb.process(cluster.client, collection));
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
        cluster.realtimeGet(collection, itemIds.stream().map(SolrFields::itemDocId).toList());
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
    for (SolrDocument v : cluster.realtimeGet(collection, vectorIds)) {
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

  int delete(String collection, Collection<String> ids) {
    return deleteExisting(collection, ids).size();
  }

  /** Deletes the items; returns the ids of those that existed. */
  List<String> deleteExisting(String collection, Collection<String> ids) {
    java.util.Objects.requireNonNull(ids, "ids");
    ids.forEach(Names::checkId);
    cluster.state(collection);
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(ids));
    if (unique.isEmpty()) {
      return List.of();
    }
    acquire(unique);
    try {
      List<SolrDocument> existing =
          cluster.realtimeGet(collection, unique.stream().map(SolrFields::itemDocId).toList());
      if (existing.isEmpty()) {
        return List.of();
      }
      List<String> docIds = new ArrayList<>();
      for (SolrDocument d : existing) {
        docIds.addAll(Shape.of(d).docIds((String) d.getFirstValue(SolrFields.PARENT)));
      }
      UpdateRequest req = new UpdateRequest();
      req.deleteById(docIds);
      if (cluster.options.commitWithinMs() >= 0) {
        req.setCommitWithin(cluster.options.commitWithinMs());
      }
      cluster.retrier.call(
          "deleting " + existing.size() + " item(s) from '" + collection + "'",
          () -> req.process(cluster.client, collection));
      return existing.stream().map(d -> (String) d.getFirstValue(SolrFields.PARENT)).toList();
    } finally {
      release(unique);
    }
  }

  Optional<Item> updateMetadata(String collection, String id, Map<String, Object> changes) {
    Names.checkId(id);
    java.util.Objects.requireNonNull(changes, "changes");
    CollectionState st = cluster.freshState(collection);
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
}
