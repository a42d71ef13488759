package dev.bindery.indexer.lucene;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.Scores;
import dev.bindery.indexer.Similarity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFieldVisitor;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.BitSet;

/**
 * Turns documents found by a search into {@link Hit}s: the item's id, modality, source and metadata
 * from its parent document, and the segment when a segment's vector document matched.
 *
 * <p>Reading a document's stored fields decompresses part of a block of up to 1,024 documents,
 * which costs more than the rest of a hit together, so the fields come from the {@link
 * DocFields#HIT} doc values where the documents have them. Documents written before those (or items
 * too large for them) are read from stored fields: in doc order through one {@link StoredFields}
 * per leaf, skipping the text JSON, and a vector document only when its leaf holds segments at all.
 * Not thread-safe; one instance per search.
 */
final class HitLoader {
  /** A document found by a search, with its score. */
  record Candidate(int doc, float score) {}

  private static final ObjectReader META =
      LuceneCollection.JSON.readerFor(LuceneCollection.META_TYPE);

  /** Stable: candidates tied on score keep the order the search gave them. */
  private static final Comparator<Candidate> BEST_FIRST =
      Comparator.comparingDouble((Candidate c) -> -c.score());

  private final IndexSearcher searcher;
  private final BitSetProducer parents;

  HitLoader(IndexSearcher searcher, BitSetProducer parents) {
    this.searcher = searcher;
    this.parents = parents;
  }

  /**
   * Hits for vector-document candidates (scores on Lucene's scale): best first, ties by id, at most
   * k. All candidates tied with the k-th score are loaded so the id tie-break is exact.
   */
  List<Hit> rank(List<Candidate> candidates, int k, Similarity similarity) throws IOException {
    Candidate[] sorted = candidates.toArray(Candidate[]::new);
    Arrays.sort(sorted, BEST_FIRST);
    int cut = Math.min(k, sorted.length);
    if (cut > 0) {
      float kth = sorted[cut - 1].score();
      while (cut < sorted.length && sorted[cut].score() == kth) {
        cut++;
      }
    }
    Candidate[] chosen = new Candidate[cut];
    for (int i = 0; i < cut; i++) {
      chosen[i] = new Candidate(sorted[i].doc(), Scores.userScore(similarity, sorted[i].score()));
    }
    List<Hit> hits = load(chosen);
    hits.sort(Hit.RANKING);
    return hits.size() > k ? List.copyOf(hits.subList(0, k)) : hits;
  }

  /**
   * One hit per candidate, in the candidates' order, scored as given. A candidate may be a vector
   * document or an item (parent) document; the latter never has a segment.
   */
  List<Hit> load(Candidate[] candidates) throws IOException {
    Integer[] byDoc = new Integer[candidates.length];
    for (int i = 0; i < byDoc.length; i++) {
      byDoc[i] = i;
    }
    Arrays.sort(byDoc, Comparator.comparingInt(i -> candidates[i].doc()));
    Hit[] hits = new Hit[candidates.length];
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    Leaf leaf = null;
    int lastParent = -1;
    ItemValues item = null;
    for (int i : byDoc) {
      Candidate c = candidates[i];
      if (leaf == null || c.doc() >= leaf.end) {
        leaf = new Leaf(leaves.get(ReaderUtil.subIndex(c.doc(), leaves)), parents);
      }
      int local = c.doc() - leaf.docBase;
      int parent = leaf.parentBits.nextSetBit(local);
      Hit.SegmentMatch segment = parent == local ? null : leaf.segment(local);
      // Vector documents of one item sit together before their parent, so in doc order the
      // parent just read is the only one that can come again.
      if (leaf.docBase + parent != lastParent) {
        item = leaf.item(parent);
        lastParent = leaf.docBase + parent;
      }
      hits[i] = new Hit(item.id, c.score(), item.modality, item.source, item.metadata, segment);
    }
    return new ArrayList<>(Arrays.asList(hits));
  }

  /**
   * What one leaf needs to turn its documents into hits. Doc values iterate forwards only, so
   * vector documents and item documents each get their own, and both are asked in doc order.
   */
  private static final class Leaf {
    final int docBase;
    final int end;
    final BitSet parentBits;
    final LeafReaderContext ctx;
    final boolean hasSegments;
    final BinaryDocValues vectorValues;
    final BinaryDocValues itemValues;
    private StoredFields stored;

    Leaf(LeafReaderContext ctx, BitSetProducer parents) throws IOException {
      this.docBase = ctx.docBase;
      this.end = ctx.docBase + ctx.reader().maxDoc();
      this.parentBits = parents.getBitSet(ctx);
      if (parentBits == null) {
        throw new IllegalStateException("leaf at doc " + docBase + " holds no item documents");
      }
      this.ctx = ctx;
      // Every segment's vector document stores a start; a leaf that never saw one holds only
      // item-level vector documents, whose answer is always "no segment".
      this.hasSegments = ctx.reader().getFieldInfos().fieldInfo(ItemFields.SEG_START) != null;
      this.vectorValues = ctx.reader().getBinaryDocValues(DocFields.HIT);
      this.itemValues = ctx.reader().getBinaryDocValues(DocFields.HIT);
    }

    /** Made when first needed: most searches read doc values only. */
    private StoredFields stored() throws IOException {
      if (stored == null) {
        stored = ctx.reader().storedFields();
      }
      return stored;
    }

    Hit.SegmentMatch segment(int vectorDoc) throws IOException {
      if (vectorValues != null && vectorValues.advanceExact(vectorDoc)) {
        return HitDocValues.readSegment(vectorValues.binaryValue());
      }
      if (!hasSegments) {
        return null;
      }
      SegmentVisitor v = new SegmentVisitor();
      stored().document(vectorDoc, v);
      if (!v.sawSegment) {
        throw new IllegalStateException(
            "vector document " + (docBase + vectorDoc) + " stores no " + ItemFields.SEGMENT);
      }
      return v.segment < 0 ? null : new Hit.SegmentMatch(v.segment, v.start, v.end);
    }

    ItemValues item(int parentDoc) throws IOException {
      if (itemValues != null && itemValues.advanceExact(parentDoc)) {
        HitDocValues.ItemValue v = HitDocValues.readItem(itemValues.binaryValue());
        return new ItemValues(
            v.id(),
            v.modality(),
            v.source(),
            metadata(v.metaJson().bytes, v.metaJson().offset, v.metaJson().length));
      }
      ItemVisitor v = new ItemVisitor();
      stored().document(parentDoc, v);
      if (v.meta == null) {
        throw new IllegalStateException(
            "item document " + (docBase + parentDoc) + " stores no " + ItemFields.META_JSON);
      }
      return new ItemValues(v.id, v.modality, v.source, metadata(v.meta, 0, v.meta.length));
    }
  }

  private static Map<String, Object> metadata(byte[] json, int offset, int length)
      throws IOException {
    if (length == 2 && json[offset] == '{' && json[offset + 1] == '}') {
      return Collections.unmodifiableMap(new LinkedHashMap<>());
    }
    LinkedHashMap<String, Object> m = META.readValue(json, offset, length);
    return Collections.unmodifiableMap(m);
  }

  /** The item fields a hit shows. */
  private record ItemValues(
      String id, String modality, String source, Map<String, Object> metadata) {}

  /** Reads the fields of an item document that a hit shows, skipping the rest (the text JSON). */
  private static final class ItemVisitor extends StoredFieldVisitor {
    String id;
    String modality;
    String source;
    byte[] meta;

    @Override
    public Status needsField(FieldInfo fi) {
      return switch (fi.name) {
        case DocFields.ID, ItemFields.MODALITY, ItemFields.SOURCE, ItemFields.META_JSON ->
            Status.YES;
        default -> Status.NO;
      };
    }

    @Override
    public void stringField(FieldInfo fi, String value) {
      switch (fi.name) {
        case DocFields.ID -> id = value;
        case ItemFields.MODALITY -> modality = value;
        case ItemFields.SOURCE -> source = value;
        default -> {}
      }
    }

    @Override
    public void binaryField(FieldInfo fi, byte[] value) {
      if (fi.name.equals(ItemFields.META_JSON)) {
        meta = value;
      }
    }
  }

  /** Reads a vector document's segment number, start and end. */
  private static final class SegmentVisitor extends StoredFieldVisitor {
    boolean sawSegment;
    int segment;
    double start;
    double end;

    @Override
    public Status needsField(FieldInfo fi) {
      return switch (fi.name) {
        case ItemFields.SEGMENT, ItemFields.SEG_START, ItemFields.SEG_END -> Status.YES;
        default -> Status.NO;
      };
    }

    @Override
    public void intField(FieldInfo fi, int value) {
      if (fi.name.equals(ItemFields.SEGMENT)) {
        sawSegment = true;
        segment = value;
      }
    }

    @Override
    public void doubleField(FieldInfo fi, double value) {
      switch (fi.name) {
        case ItemFields.SEG_START -> start = value;
        case ItemFields.SEG_END -> end = value;
        default -> {}
      }
    }
  }
}
