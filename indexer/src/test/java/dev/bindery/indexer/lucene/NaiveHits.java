package dev.bindery.indexer.lucene;

import dev.bindery.indexer.Hit;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.lucene.HitLoader.Candidate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.BytesRef;

/**
 * The reference for {@link HitLoader}: hits by the plainest stored-fields walk, in score order,
 * every document read whole, as the embedded backend did before {@link HitLoader}.
 */
final class NaiveHits {
  private NaiveHits() {}

  static List<Hit> rank(
      IndexSearcher s,
      BitSetProducer parents,
      List<Candidate> candidates,
      int k,
      Similarity similarity)
      throws IOException {
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingDouble((Candidate c) -> -c.score()));
    int cut = Math.min(k, sorted.size());
    if (cut > 0) {
      float kth = sorted.get(cut - 1).score();
      while (cut < sorted.size() && sorted.get(cut).score() == kth) {
        cut++;
      }
    }
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    List<Hit> hits = new ArrayList<>(cut);
    for (Candidate c : sorted.subList(0, cut)) {
      LeafReaderContext ctx = leaves.get(ReaderUtil.subIndex(c.doc(), leaves));
      int local = c.doc() - ctx.docBase;
      StoredFields stored = ctx.reader().storedFields();
      int parent = parents.getBitSet(ctx).nextSetBit(local);
      Hit.SegmentMatch segment = null;
      if (parent != local) {
        Document cd =
            stored.document(
                local, Set.of(ItemFields.SEGMENT, ItemFields.SEG_START, ItemFields.SEG_END));
        int seg = cd.getField(ItemFields.SEGMENT).numericValue().intValue();
        if (seg >= 0) {
          segment =
              new Hit.SegmentMatch(
                  seg,
                  cd.getField(ItemFields.SEG_START).numericValue().doubleValue(),
                  cd.getField(ItemFields.SEG_END).numericValue().doubleValue());
        }
      }
      Document pd = stored.document(parent);
      BytesRef meta = pd.getBinaryValue(ItemFields.META_JSON);
      LinkedHashMap<String, Object> metadata =
          LuceneCollection.JSON.readValue(
              meta.bytes, meta.offset, meta.length, LuceneCollection.META_TYPE);
      hits.add(
          new Hit(
              pd.get(DocFields.ID),
              dev.bindery.indexer.Scores.userScore(similarity, c.score()),
              pd.get(ItemFields.MODALITY),
              pd.get(ItemFields.SOURCE),
              Collections.unmodifiableMap(metadata),
              segment));
    }
    hits.sort(Hit.RANKING);
    return hits.size() > k ? List.copyOf(hits.subList(0, k)) : hits;
  }
}
