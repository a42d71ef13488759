package dev.bindery.indexer.lucene;

import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemChecks;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.MetadataValues;
import dev.bindery.indexer.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;

/**
 * Writes items into a collection's {@link IndexWriter}: each item is one Lucene block (vector
 * documents, then the item document) written with {@link IndexWriter#updateDocuments}, so an item
 * is replaced or lost as a whole, never in part. A batch is checked and serialized completely
 * before its first block is written, so bad input leaves nothing behind. Writes to different ids
 * run in parallel; writes to the same id are serialized by a striped lock so the id-to-ordinal map
 * always agrees with the index.
 */
final class BatchWriter {
  private static final int STRIPES = 64;

  private final String name;
  private final IndexWriter writer;
  private final CollectionSchema schema;
  private final Ordinals ords;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  BatchWriter(String name, IndexWriter writer, CollectionSchema schema, Ordinals ords) {
    this.name = name;
    this.writer = writer;
    this.schema = schema;
    this.ords = ords;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * An item whose vectors are checked and prepared (normalized), whose fields are typed and within
   * Lucene's limits, and whose stored JSON is already serialized: writing it cannot fail on input.
   */
  private record Prepared(
      Item item,
      Map<String, float[]> vectors,
      List<Map<String, float[]>> segmentVectors,
      byte[] metaJson,
      byte[] textJson) {
    static Prepared of(
        Item item, Map<String, float[]> vectors, List<Map<String, float[]>> segmentVectors) {
      try {
        return new Prepared(
            item,
            vectors,
            segmentVectors,
            LuceneCollection.JSON.writeValueAsBytes(item.metadata()),
            LuceneCollection.JSON.writeValueAsBytes(item.text()));
      } catch (IOException e) {
        throw new BadArgumentException(
            "item '" + item.id() + "': metadata cannot be serialized: " + e.getMessage(), e);
      }
    }
  }

  int upsert(List<Item> items) {
    ItemChecks.checkBatch(items);
    if (items.isEmpty()) {
      return 0;
    }
    CollectionConfig cfg = schema.config();
    Map<String, FieldType> newFields = new LinkedHashMap<>();
    List<Prepared> prepared = new ArrayList<>(items.size());
    for (Item item : items) {
      ItemChecks.Checked c = ItemChecks.check(item, cfg, newFields);
      prepared.add(Prepared.of(item, c.vectors(), c.segmentVectors()));
    }
    if (!newFields.isEmpty()) {
      schema.addFields(newFields);
    }
    for (Prepared p : prepared) {
      write(p);
    }
    return items.size();
  }

  /**
   * Rewrites one item's block with changed metadata and the stored vectors as they are (not
   * prepared again, so not a bit of them changes), under the item's stripe lock.
   *
   * @param refresh makes earlier writes visible to {@code stored}
   * @param stored the item as the index holds it
   */
  Optional<Item> updateMetadata(
      String id,
      Map<String, Object> changes,
      Runnable refresh,
      Function<String, Optional<Item>> stored) {
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      // Earlier writes of this id must be visible, or the update would start from a stale item.
      refresh.run();
      Optional<Item> current = stored.apply(id);
      if (current.isEmpty()) {
        return Optional.empty();
      }
      Item updated = ItemChecks.withMetadataChanges(current.get(), changes);
      Map<String, FieldType> newFields = new LinkedHashMap<>();
      ItemChecks.checkMetadata(updated, schema.config(), newFields);
      MetadataValues.checkModality(updated.id(), updated.modality());
      List<Map<String, float[]>> segmentVectors = new ArrayList<>();
      updated.segments().forEach(seg -> segmentVectors.add(seg.vectors()));
      Prepared p = Prepared.of(updated, updated.vectors(), segmentVectors);
      if (!newFields.isEmpty()) {
        schema.addFields(newFields);
      }
      write(p);
      return Optional.of(updated);
    } finally {
      lock.unlock();
    }
  }

  private void write(Prepared p) {
    Item item = p.item();
    CollectionConfig cfg = schema.config();
    List<Document> block = new ArrayList<>(item.vectorDocCount() + 1);
    if (!p.vectors().isEmpty()) {
      block.add(vectorDoc(item.id(), -1, null, p.vectors(), cfg));
    }
    StringBuilder segmentText = new StringBuilder();
    for (int i = 0; i < item.segments().size(); i++) {
      Segment seg = item.segments().get(i);
      block.add(vectorDoc(item.id(), i, seg, p.segmentVectors().get(i), cfg));
      if (seg.text() != null) {
        segmentText.append(seg.text()).append('\n');
      }
    }
    Document parent = new Document();
    parent.add(new StringField(DocFields.ID, item.id(), Field.Store.YES));
    parent.add(new SortedDocValuesField(DocFields.ID_VALUES, new BytesRef(item.id())));
    parent.add(new StringField(ItemFields.KIND, ItemFields.KIND_ITEM, Field.Store.NO));
    parent.add(new StringField(ItemFields.MODALITY, item.modality(), Field.Store.YES));
    if (item.source() != null) {
      parent.add(new StoredField(ItemFields.SOURCE, item.source()));
    }
    parent.add(new StoredField(ItemFields.META_JSON, p.metaJson()));
    BinaryDocValuesField hit =
        HitDocValues.item(item.id(), item.modality(), item.source(), p.metaJson());
    if (hit != null) {
      parent.add(hit);
    }
    parent.add(new StoredField(ItemFields.TEXT_JSON, p.textJson()));
    item.text().forEach((f, v) -> parent.add(new TextField(DocFields.text(f), v, Field.Store.NO)));
    if (!segmentText.isEmpty()) {
      parent.add(new TextField(DocFields.SEGMENTS_TEXT, segmentText.toString(), Field.Store.NO));
    }
    item.metadata()
        .forEach((f, v) -> MetadataFields.addTo(parent, item.id(), f, cfg.fields().get(f), v));

    ReentrantLock lock = stripe(item.id());
    lock.lock();
    try {
      boolean isNew = !ords.contains(item.id());
      parent.add(new NumericDocValuesField(DocFields.ORD, ords.assign(item.id())));
      block.add(parent);
      try {
        writer.updateDocuments(new Term(DocFields.ID, item.id()), block);
      } catch (IOException | RuntimeException e) {
        if (isNew) {
          ords.remove(item.id());
        }
        throw e instanceof IOException io
            ? new UncheckedIOException("collection '" + name + "': write failed", io)
            : (RuntimeException) e;
      }
    } finally {
      lock.unlock();
    }
  }

  private static Document vectorDoc(
      String id, int segment, Segment seg, Map<String, float[]> vectors, CollectionConfig cfg) {
    Document d = new Document();
    d.add(new StringField(DocFields.ID, id, Field.Store.NO));
    d.add(new StringField(ItemFields.KIND, ItemFields.KIND_VECTOR, Field.Store.NO));
    d.add(new StoredField(ItemFields.SEGMENT, segment));
    d.add(HitDocValues.vector(segment, seg));
    if (seg != null) {
      d.add(new StoredField(ItemFields.SEG_START, seg.start()));
      d.add(new StoredField(ItemFields.SEG_END, seg.end()));
      if (seg.text() != null) {
        d.add(new StoredField(ItemFields.SEG_TEXT, seg.text()));
      }
    }
    vectors.forEach(
        (space, v) ->
            d.add(
                new KnnFloatVectorField(
                    DocFields.vector(space),
                    v,
                    LuceneCodecs.similarity(cfg.space(space).similarity()))));
    return d;
  }

  private ReentrantLock stripe(String id) {
    return stripes[Math.floorMod(id.hashCode(), STRIPES)];
  }

  /** Deletes the items; returns the ids of those that existed. */
  List<String> deleteExisting(Collection<String> ids) {
    List<String> existed = new ArrayList<>();
    for (String id : new LinkedHashSet<>(ids)) {
      ReentrantLock lock = stripe(id);
      lock.lock();
      try {
        if (ords.remove(id)) {
          existed.add(id);
        }
        writer.deleteDocuments(new Term(DocFields.ID, id));
      } catch (IOException e) {
        throw new UncheckedIOException("collection '" + name + "': delete failed", e);
      } finally {
        lock.unlock();
      }
    }
    return existed;
  }
}
