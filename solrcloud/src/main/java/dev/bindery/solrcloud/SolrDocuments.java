package dev.bindery.solrcloud;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;

/**
 * Items to Solr documents and back. An item becomes an item document (text, metadata, the JSON of
 * what was written, and the item-level vectors if any) plus one vector document per segment. A
 * document that holds vectors is of kind {@code vec} (the item document too when it has item-level
 * vectors, so a plain item is one Solr document). Segment documents carry the item's metadata, so
 * filters apply to them directly and a hit needs no second lookup.
 */
final class SolrDocuments {
  /**
   * Metadata as written, in JSON; an {@link java.time.Instant} value is kept as its ISO-8601 text
   * (which date fields accept back), so {@code get} returns it as a string.
   */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .registerModule(
              new com.fasterxml.jackson.databind.module.SimpleModule("bindery-instant")
                  .addSerializer(
                      java.time.Instant.class,
                      com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance));

  private static final TypeReference<LinkedHashMap<String, Object>> META_TYPE =
      new TypeReference<>() {};
  private static final TypeReference<LinkedHashMap<String, String>> TEXT_TYPE =
      new TypeReference<>() {};

  private SolrDocuments() {}

  /**
   * An item checked against its collection: vectors prepared (cosine ones normalized), metadata
   * typed.
   */
  record Prepared(
      Item item, Map<String, float[]> vectors, List<Map<String, float[]>> segmentVectors) {}

  /** Solr ids of every document an item with this shape has. */
  static List<String> docIds(String itemId, int segments) {
    List<String> ids = new ArrayList<>(segments + 1);
    ids.add(SolrFields.itemDocId(itemId));
    for (int i = 0; i < segments; i++) {
      ids.add(SolrFields.vectorDocId(itemId, i));
    }
    return ids;
  }

  /** The documents of one prepared item, item document first. */
  static List<SolrInputDocument> toDocs(Prepared p, CollectionConfig config) {
    Item item = p.item();
    String metaJson;
    String textJson;
    try {
      metaJson = JSON.writeValueAsString(item.metadata());
      textJson = JSON.writeValueAsString(item.text());
    } catch (IOException e) {
      throw new BadArgumentException(
          "item '" + item.id() + "': metadata cannot be serialized: " + e.getMessage(), e);
    }
    Map<String, List<Object>> meta = new LinkedHashMap<>();
    item.metadata()
        .forEach(
            (f, v) -> {
              FieldType type = config.fields().get(f);
              meta.put(SolrFields.meta(f, type), SolrMetadata.solrValues(item.id(), f, type, v));
            });

    List<SolrInputDocument> docs = new ArrayList<>(item.segments().size() + 1);
    SolrInputDocument parent = common(item, SolrFields.itemDocId(item.id()), metaJson, meta);
    if (p.vectors().isEmpty()) {
      parent.setField(ItemFields.KIND, ItemFields.KIND_ITEM);
    } else {
      parent.setField(ItemFields.KIND, List.of(ItemFields.KIND_ITEM, ItemFields.KIND_VECTOR));
      addVectors(parent, -1, null, p.vectors());
    }
    parent.setField(ItemFields.TEXT_JSON, textJson);
    parent.setField(SolrFields.SEGMENT_COUNT, item.segments().size());
    item.text().forEach((f, v) -> parent.setField(SolrFields.text(f), v));
    StringBuilder segmentText = new StringBuilder();
    for (Segment s : item.segments()) {
      if (s.text() != null) {
        segmentText.append(s.text()).append('\n');
      }
    }
    if (!segmentText.isEmpty()) {
      parent.setField(SolrFields.SEGMENTS_TEXT, segmentText.toString());
    }
    docs.add(parent);
    for (int i = 0; i < item.segments().size(); i++) {
      docs.add(
          vectorDoc(item, i, item.segments().get(i), p.segmentVectors().get(i), metaJson, meta));
    }
    return docs;
  }

  private static SolrInputDocument common(
      Item item, String docId, String metaJson, Map<String, List<Object>> meta) {
    SolrInputDocument d = new SolrInputDocument();
    d.setField(SolrFields.ID, docId);
    d.setField(SolrFields.PARENT, item.id());
    d.setField(ItemFields.MODALITY, item.modality());
    if (item.source() != null) {
      d.setField(ItemFields.SOURCE, item.source());
    }
    d.setField(ItemFields.META_JSON, metaJson);
    meta.forEach(d::setField);
    return d;
  }

  private static SolrInputDocument vectorDoc(
      Item item,
      int segment,
      Segment seg,
      Map<String, float[]> vectors,
      String metaJson,
      Map<String, List<Object>> meta) {
    SolrInputDocument d = common(item, SolrFields.vectorDocId(item.id(), segment), metaJson, meta);
    d.setField(ItemFields.KIND, ItemFields.KIND_VECTOR);
    addVectors(d, segment, seg, vectors);
    return d;
  }

  private static void addVectors(
      SolrInputDocument d, int segment, Segment seg, Map<String, float[]> vectors) {
    d.setField(ItemFields.SEGMENT, segment);
    if (seg != null) {
      d.setField(ItemFields.SEG_START, seg.start());
      d.setField(ItemFields.SEG_END, seg.end());
      if (seg.text() != null) {
        d.setField(ItemFields.SEG_TEXT, seg.text());
      }
    }
    d.setField(SolrFields.SPACES, new ArrayList<>(vectors.keySet()));
    // A collection value is how SolrJ sends a dense vector: one float per value, in order.
    vectors.forEach((space, v) -> d.setField(SolrFields.vector(space), floats(v)));
  }

  private static List<Float> floats(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  /**
   * Rebuilds an item from its item document and vector documents (as Solr returns them, in any
   * order).
   */
  static Item toItem(
      SolrDocument itemDoc, Collection<SolrDocument> vectorDocs, CollectionConfig c) {
    String id = (String) itemDoc.getFirstValue(SolrFields.PARENT);
    Item.Builder b =
        Item.builder(id, (String) itemDoc.getFirstValue(ItemFields.MODALITY))
            .source((String) itemDoc.getFirstValue(ItemFields.SOURCE));
    readJson(itemDoc, ItemFields.META_JSON, META_TYPE).forEach(b::meta);
    readJson(itemDoc, ItemFields.TEXT_JSON, TEXT_TYPE).forEach(b::text);
    vectorsOf(itemDoc, c).forEach(b::vector);
    List<SolrDocument> sorted = new ArrayList<>(vectorDocs);
    sorted.sort(Comparator.comparingInt(SolrDocuments::segmentOf));
    for (SolrDocument vd : sorted) {
      b.segment(
          new Segment(
              ((Number) vd.getFirstValue(ItemFields.SEG_START)).doubleValue(),
              ((Number) vd.getFirstValue(ItemFields.SEG_END)).doubleValue(),
              (String) vd.getFirstValue(ItemFields.SEG_TEXT),
              vectorsOf(vd, c)));
    }
    return b.build();
  }

  private static Map<String, float[]> vectorsOf(SolrDocument d, CollectionConfig c) {
    Map<String, float[]> vectors = new LinkedHashMap<>();
    for (String space : c.spaces().keySet()) {
      Collection<Object> values = d.getFieldValues(SolrFields.vector(space));
      if (values != null && !values.isEmpty()) {
        vectors.put(space, toFloats(values));
      }
    }
    return vectors;
  }

  /** True for the item document of an item (which may hold vectors too). */
  static boolean isItemDoc(SolrDocument d) {
    Collection<Object> kinds = d.getFieldValues(ItemFields.KIND);
    return kinds != null && kinds.contains(ItemFields.KIND_ITEM);
  }

  static int segmentOf(SolrDocument d) {
    Object v = d.getFirstValue(ItemFields.SEGMENT);
    if (v == null) {
      throw new IllegalStateException(
          "document " + d.getFirstValue(SolrFields.ID) + " has no _seg");
    }
    return ((Number) v).intValue();
  }

  private static float[] toFloats(Collection<Object> values) {
    float[] out = new float[values.size()];
    int i = 0;
    for (Object o : values) {
      out[i++] = ((Number) o).floatValue();
    }
    return out;
  }

  /** A hit from a vector or item document; {@code score} is already on the user's scale. */
  static Hit toHit(SolrDocument d, float score) {
    Hit.SegmentMatch match = null;
    Object seg = d.getFirstValue(ItemFields.SEGMENT);
    if (seg != null && ((Number) seg).intValue() >= 0) {
      match =
          new Hit.SegmentMatch(
              ((Number) seg).intValue(),
              ((Number) d.getFirstValue(ItemFields.SEG_START)).doubleValue(),
              ((Number) d.getFirstValue(ItemFields.SEG_END)).doubleValue());
    }
    return new Hit(
        (String) d.getFirstValue(SolrFields.PARENT),
        score,
        (String) d.getFirstValue(ItemFields.MODALITY),
        (String) d.getFirstValue(ItemFields.SOURCE),
        Collections.unmodifiableMap(readJson(d, ItemFields.META_JSON, META_TYPE)),
        match);
  }

  /** The metadata of an item document, as written. */
  static Map<String, Object> metadata(SolrDocument itemDoc) {
    return readJson(itemDoc, ItemFields.META_JSON, META_TYPE);
  }

  private static <T> T readJson(SolrDocument d, String field, TypeReference<T> type) {
    Object v = d.getFirstValue(field);
    if (v == null) {
      throw new IllegalStateException(
          "document "
              + d.getFirstValue(SolrFields.ID)
              + " lacks "
              + field
              + "; was it written by"
              + " Bindery?");
    }
    try {
      return JSON.readValue((String) v, type);
    } catch (IOException e) {
      throw new IllegalStateException(
          "document " + d.getFirstValue(SolrFields.ID) + ": " + field + " is not valid JSON", e);
    }
  }
}
