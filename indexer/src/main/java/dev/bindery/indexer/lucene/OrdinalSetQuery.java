package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.FixedBitSet;
import org.roaringbitmap.RoaringBitmap;

/**
 * Matches the item documents whose ordinal is in a Roaring bitmap. The per-segment bit sets it
 * builds are cached by segment core and bitmap key, so a filter set used again costs nothing until
 * segments merge.
 */
final class OrdinalSetQuery extends Query {
  private final RoaringBitmap bitmap;
  private final String key;
  private final Map<Object, FixedBitSet> cache;

  /**
   * @param bitmap item ordinals, never modified
   * @param key identity of the bitmap (set names and versions): equal keys mean equal bitmaps
   * @param cache shared per-segment cache, keyed by (segment core, key)
   */
  OrdinalSetQuery(RoaringBitmap bitmap, String key, Map<Object, FixedBitSet> cache) {
    this.bitmap = bitmap;
    this.key = key;
    this.cache = cache;
  }

  private record CacheKey(Object core, String key) {}

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    return new ConstantScoreWeight(this, boost) {
      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
        FixedBitSet bits = bitsFor(context);
        if (bits == null) {
          return null;
        }
        Weight w = this;
        float s = score();
        return new ScorerSupplier() {
          @Override
          public Scorer get(long leadCost) {
            return new ConstantScoreScorer(
                s, scoreMode, new BitSetIterator(bits, bits.approximateCardinality()));
          }

          @Override
          public long cost() {
            return bits.approximateCardinality();
          }
        };
      }

      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return false; // we cache ourselves, keyed on the bitmap version
      }
    };
  }

  private FixedBitSet bitsFor(LeafReaderContext context) throws IOException {
    IndexReader.CacheHelper helper = context.reader().getCoreCacheHelper();
    CacheKey ck = helper == null ? null : new CacheKey(helper.getKey(), key);
    if (ck != null) {
      FixedBitSet cached = cache.get(ck);
      if (cached != null) {
        return cached;
      }
    }
    int maxDoc = context.reader().maxDoc();
    FixedBitSet bits = new FixedBitSet(maxDoc);
    NumericDocValues ords = DocValues.getNumeric(context.reader(), DocFields.ORD);
    boolean any = false;
    for (int doc = ords.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = ords.nextDoc()) {
      if (bitmap.contains((int) ords.longValue())) {
        bits.set(doc);
        any = true;
      }
    }
    FixedBitSet result = any ? bits : null;
    if (ck != null && result != null) {
      cache.put(ck, result);
    }
    return result;
  }

  @Override
  public String toString(String field) {
    return "ordinals(" + key + ")";
  }

  @Override
  public void visit(QueryVisitor visitor) {
    visitor.visitLeaf(this);
  }

  @Override
  public boolean equals(Object o) {
    return sameClassAs(o) && key.equals(((OrdinalSetQuery) o).key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), key);
  }
}
