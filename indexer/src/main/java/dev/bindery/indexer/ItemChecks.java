package dev.bindery.indexer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The checks every backend makes on each item of a batch before it writes anything: vectors (known
 * space, dimension, finite, non-zero under cosine, normalized where the similarity wants it),
 * metadata (type inference for undeclared fields, value checks, see {@link MetadataValues}), text
 * values and the modality. Both backends call this one piece, so they accept the same batches and
 * name the same item, field and reason when they refuse one.
 */
public final class ItemChecks {
  private ItemChecks() {}

  /**
   * An item that passed the checks, with its vectors prepared (normalized) for the index.
   *
   * @param vectors the item-level vectors by space
   * @param segmentVectors each segment's vectors by space, in segment order
   */
  public record Checked(
      Item item, Map<String, float[]> vectors, List<Map<String, float[]>> segmentVectors) {}

  /**
   * Checks a batch's shape before any item in it: no null item, no id twice.
   *
   * @return the batch's ids, in batch order
   * @throws BadArgumentException naming the position of the null item, or the repeated id and both
   *     positions
   */
  public static List<String> checkBatch(List<Item> items) {
    java.util.Objects.requireNonNull(items, "items");
    Map<String, Integer> positions = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      if (item == null) {
        throw new BadArgumentException("item #" + i + " of the batch is null");
      }
      Integer earlier = positions.putIfAbsent(item.id(), i);
      if (earlier != null) {
        throw new BadArgumentException(
            "duplicate id '"
                + item.id()
                + "' in one batch (items #"
                + earlier
                + " and #"
                + i
                + "); nothing was written");
      }
    }
    return List.copyOf(positions.keySet());
  }

  /**
   * Checks one item of a batch against the collection.
   *
   * @param newFields metadata field types inferred so far in this batch (declared ones are in
   *     {@code cfg}); a field first seen here is inferred from its value and added
   * @throws IllegalArgumentException naming the item, and the space, segment or field, and why
   */
  public static Checked check(Item item, CollectionConfig cfg, Map<String, FieldType> newFields) {
    String what = "item '" + item.id() + "'";
    Map<String, float[]> vectors = new LinkedHashMap<>();
    item.vectors().forEach((space, v) -> vectors.put(space, prepareVector(cfg, space, v, what)));
    List<Map<String, float[]>> segs = new ArrayList<>();
    for (int i = 0; i < item.segments().size(); i++) {
      Segment seg = item.segments().get(i);
      Map<String, float[]> sv = new LinkedHashMap<>();
      String segWhat = what + " segment #" + i;
      seg.vectors().forEach((space, v) -> sv.put(space, prepareVector(cfg, space, v, segWhat)));
      segs.add(sv);
    }
    checkMetadata(item, cfg, newFields);
    item.text()
        .forEach(
            (field, value) -> {
              if (value == null) {
                throw new IllegalArgumentException(what + ": text field '" + field + "' is null");
              }
            });
    MetadataValues.checkModality(item.id(), item.modality());
    return new Checked(item, vectors, segs);
  }

  /**
   * Checks an item's metadata alone (types, values, term lengths), as {@link #check} does: for a
   * metadata update, whose vectors are the stored ones and are not prepared again.
   */
  public static void checkMetadata(
      Item item, CollectionConfig cfg, Map<String, FieldType> newFields) {
    item.metadata()
        .forEach(
            (field, value) -> {
              FieldType type = cfg.fields().get(field);
              if (type == null) {
                type = newFields.get(field);
              }
              if (type == null) {
                type = MetadataValues.infer(item.id(), field, value);
                newFields.put(field, type);
              }
              MetadataValues.indexedValues(item.id(), field, type, value);
            });
  }

  /**
   * The item with {@code changes} applied to its metadata: a value sets its field, null removes it.
   * Field names are checked; values are checked by {@link #checkMetadata}.
   */
  public static Item withMetadataChanges(Item item, Map<String, Object> changes) {
    java.util.Objects.requireNonNull(changes, "changes");
    Map<String, Object> meta = new LinkedHashMap<>(item.metadata());
    changes.forEach(
        (field, value) -> {
          Names.checkName("metadata field", field);
          if (value == null) {
            meta.remove(field);
          } else {
            meta.put(field, value);
          }
        });
    return new Item(
        item.id(),
        item.modality(),
        item.source(),
        item.text(),
        meta,
        item.vectors(),
        item.segments());
  }

  private static float[] prepareVector(CollectionConfig cfg, String space, float[] v, String what) {
    SpaceConfig sc = cfg.spaces().get(space);
    if (sc == null) {
      throw new IllegalArgumentException(
          what
              + " has a vector for unknown space '"
              + space
              + "'; collection '"
              + cfg.name()
              + "' has "
              + new TreeSet<>(cfg.spaces().keySet()));
    }
    return VectorChecks.prepare(sc, v, what + " vector in space '" + space + "'");
  }
}
