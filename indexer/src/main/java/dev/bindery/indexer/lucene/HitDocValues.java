package dev.bindery.indexer.lucene;

import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * The {@link DocFields#HIT} doc values: what a hit shows, beside the stored fields, so a search
 * reads no stored fields (reading one document decompresses part of a block of up to 1,024).
 *
 * <p>An item document's value is its id, modality, source (a presence byte, then the string) and
 * metadata JSON (the rest of the value); an item whose value would exceed {@link #MAX_ITEM_BYTES}
 * gets none and is read from its stored fields, so a few large items do not double the index. A
 * vector document's value is its segment number plus one (a vInt; 0 for the item-level vectors),
 * then the segment's start and end (doubles). Indexes written before this field have no values;
 * {@link HitLoader} reads those documents' stored fields.
 */
final class HitDocValues {
  /** Longest item value written; larger items are read from their stored fields. */
  static final int MAX_ITEM_BYTES = 4096;

  private HitDocValues() {}

  /** The value of an item document, or null when it would exceed {@link #MAX_ITEM_BYTES}. */
  static BinaryDocValuesField item(String id, String modality, String source, byte[] metaJson) {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    out.writeString(id);
    out.writeString(modality);
    out.writeByte((byte) (source == null ? 0 : 1));
    if (source != null) {
      out.writeString(source);
    }
    out.writeBytes(metaJson);
    if (out.size() > MAX_ITEM_BYTES) {
      return null;
    }
    return new BinaryDocValuesField(DocFields.HIT, new BytesRef(out.toArrayCopy()));
  }

  /** The value of a vector document: {@code seg} is null for the item-level vectors. */
  static BinaryDocValuesField vector(int segment, Segment seg) {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput(20);
    try {
      out.writeVInt(segment + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("an in-memory output failed", e);
    }
    if (seg != null) {
      out.writeLong(Double.doubleToRawLongBits(seg.start()));
      out.writeLong(Double.doubleToRawLongBits(seg.end()));
    }
    return new BinaryDocValuesField(DocFields.HIT, new BytesRef(out.toArrayCopy()));
  }

  /** An item document's value, decoded; the metadata stays JSON. */
  record ItemValue(String id, String modality, String source, BytesRef metaJson) {}

  static ItemValue readItem(BytesRef value) {
    ByteArrayDataInput in = new ByteArrayDataInput(value.bytes, value.offset, value.length);
    try {
      String id = in.readString();
      String modality = in.readString();
      String source = in.readByte() == 0 ? null : in.readString();
      int metaStart = in.getPosition();
      return new ItemValue(
          id,
          modality,
          source,
          new BytesRef(value.bytes, metaStart, value.offset + value.length - metaStart));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read an item's " + DocFields.HIT + " value", e);
    }
  }

  /** A vector document's segment, or null for an item-level vector document. */
  static Hit.SegmentMatch readSegment(BytesRef value) {
    ByteArrayDataInput in = new ByteArrayDataInput(value.bytes, value.offset, value.length);
    int segment = in.readVInt() - 1;
    if (segment < 0) {
      return null;
    }
    double start = Double.longBitsToDouble(in.readLong());
    double end = Double.longBitsToDouble(in.readLong());
    return new Hit.SegmentMatch(segment, start, end);
  }
}
