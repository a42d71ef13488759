package dev.bindery.indexer.lucene;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Reads a whole item back from its block: the item document's stored fields and JSON, each vector
 * document's vectors (from the vector values, bit for bit as written) and segment.
 */
final class StoredItems {
  private static final TypeReference<LinkedHashMap<String, String>> TEXT_TYPE =
      new TypeReference<>() {};

  private final BitSetProducer parents;

  StoredItems(BitSetProducer parents) {
    this.parents = parents;
  }

  Optional<Item> get(IndexSearcher s, String id, CollectionConfig config) throws IOException {
    Query q =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(DocFields.ID, id)), BooleanClause.Occur.FILTER)
            .add(DocFields.ITEMS, BooleanClause.Occur.FILTER)
            .build();
    TopDocs td = s.search(q, 1);
    if (td.scoreDocs.length == 0) {
      return Optional.empty();
    }
    int parentDoc = td.scoreDocs[0].doc;
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    LeafReaderContext ctx = leaves.get(ReaderUtil.subIndex(parentDoc, leaves));
    int local = parentDoc - ctx.docBase;
    BitSet parentBits = parents.getBitSet(ctx);
    int first = local == 0 ? 0 : parentBits.prevSetBit(local - 1) + 1;
    StoredFields stored = ctx.reader().storedFields();
    Document pd = stored.document(local);
    Item.Builder b =
        Item.builder(id, pd.get(ItemFields.MODALITY)).source(pd.get(ItemFields.SOURCE));
    readJson(pd, ItemFields.META_JSON, LuceneCollection.META_TYPE).forEach(b::meta);
    readJson(pd, ItemFields.TEXT_JSON, TEXT_TYPE).forEach(b::text);
    for (int child = first; child < local; child++) {
      Document cd = stored.document(child);
      Map<String, float[]> vectors = new LinkedHashMap<>();
      for (String space : config.spaces().keySet()) {
        float[] v = vectorOf(ctx, DocFields.vector(space), child);
        if (v != null) {
          vectors.put(space, v);
        }
      }
      int seg = cd.getField(ItemFields.SEGMENT).numericValue().intValue();
      if (seg < 0) {
        vectors.forEach(b::vector);
      } else {
        b.segment(
            new Segment(
                cd.getField(ItemFields.SEG_START).numericValue().doubleValue(),
                cd.getField(ItemFields.SEG_END).numericValue().doubleValue(),
                cd.get(ItemFields.SEG_TEXT),
                vectors));
      }
    }
    return Optional.of(b.build());
  }

  private static <T> T readJson(Document d, String field, TypeReference<T> type)
      throws IOException {
    BytesRef bytes = d.getBinaryValue(field);
    return LuceneCollection.JSON.readValue(bytes.bytes, bytes.offset, bytes.length, type);
  }

  private static float[] vectorOf(LeafReaderContext ctx, String field, int doc) throws IOException {
    FieldInfo fi = ctx.reader().getFieldInfos().fieldInfo(field);
    if (fi == null || !fi.hasVectorValues()) {
      return null;
    }
    FloatVectorValues fvv = ctx.reader().getFloatVectorValues(field);
    KnnVectorValues.DocIndexIterator it = fvv.iterator();
    if (it.advance(doc) != doc) {
      return null;
    }
    return fvv.vectorValue(it.index()).clone();
  }

  /** The ids of the live items {@code itemQuery} matches, in index order. */
  List<String> ids(IndexSearcher s, Query itemQuery) throws IOException {
    List<String> ids = new ArrayList<>();
    Weight w = s.createWeight(s.rewrite(itemQuery), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      Scorer scorer = w.scorer(ctx);
      SortedDocValues idValues = ctx.reader().getSortedDocValues(DocFields.ID_VALUES);
      if (scorer == null || idValues == null) {
        continue;
      }
      Bits live = ctx.reader().getLiveDocs();
      DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if ((live == null || live.get(doc)) && idValues.advanceExact(doc)) {
          ids.add(idValues.lookupOrd(idValues.ordValue()).utf8ToString());
        }
      }
    }
    return ids;
  }
}
