package dev.bindery.indexer.lucene;

import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorChecks;
import dev.bindery.indexer.lucene.HitLoader.Candidate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.ToChildBlockJoinQuery;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * kNN over one space of a collection: Lucene's HNSW search (per vector document, or per item
 * through the block join when grouping), with Lucene's exact fallback per segment, full-precision
 * rescoring of an oversampled candidate set for quantized storages ({@link RescoreTopNQuery}), and
 * the exact scan that {@link SearchMode#EXACT} asks for. Stateless apart from the parents' bit
 * sets; one instance per collection, safe for concurrent searches.
 */
final class KnnSearch {
  private final BitSetProducer parents;

  KnnSearch(BitSetProducer parents) {
    this.parents = parents;
  }

  /**
   * Runs {@code q} on {@code s}.
   *
   * @param itemFilter a query over item documents, or null for all items
   */
  SearchResult search(IndexSearcher s, KnnQuery q, SpaceConfig space, Query itemFilter)
      throws IOException {
    float[] vector = VectorChecks.prepare(space, q.vector(), "query vector");
    String field = DocFields.vector(space.name());
    Query childFilter = itemFilter == null ? null : new ToChildBlockJoinQuery(itemFilter, parents);
    if (q.mode() == SearchMode.EXACT) {
      return exact(
          s, q, field, vector, LuceneCodecs.similarity(space.similarity()), space, childFilter);
    }
    int n = candidates(q, space);
    if (!q.groupByParent() && childFilter == null) {
      return direct(s, q, space, field, vector, n);
    }
    KnnStats stats = new KnnStats();
    Query knn =
        q.groupByParent()
            ? new KnnStats.PerItem(field, vector, childFilter, n, parents, stats)
            : new KnnStats.PerVector(field, vector, n, childFilter, stats);
    int rescored = 0;
    if (space.storage().quantized()) {
      // Every candidate the graph found is scored again with the float vectors kept beside the
      // quantized ones; the ranking below then cuts to k.
      knn = RescoreTopNQuery.createFullPrecisionRescorerQuery(knn, vector, field, n);
    }
    TopDocs td = s.search(knn, n);
    List<Candidate> candidates = new ArrayList<>(td.scoreDocs.length);
    for (ScoreDoc sd : td.scoreDocs) {
      candidates.add(new Candidate(sd.doc, sd.score));
    }
    if (space.storage().quantized()) {
      rescored = candidates.size();
    }
    int segments = s.getIndexReader().leaves().size();
    int exact = stats.exactSegments.get();
    SearchResult.Strategy strategy =
        exact == 0
            ? SearchResult.Strategy.HNSW
            : stats.graphSegments.get() == 0
                ? SearchResult.Strategy.EXACT
                : SearchResult.Strategy.HNSW_WITH_EXACT_FALLBACK;
    return new SearchResult(
        new HitLoader(s, parents).rank(candidates, q.k(), space.similarity()),
        strategy,
        stats.visited.get(),
        segments,
        exact,
        rescored);
  }

  /**
   * The common case, a query without a filter or grouping, straight from each segment's graph: what
   * {@code KnnFloatVectorQuery} (and for quantized storages {@code RescoreTopNQuery} around it)
   * does for it, a graph search per segment over its live documents with no exact fallback since
   * nothing filters, then the candidates of a quantized storage scored again with the float32
   * vectors kept beside the codes; without the queries' rewrite, weights, per-segment tasks and
   * collectors around it, which cost about a tenth of a query at 384 dimensions and a fifth at 64
   * (profiled, docs/benchmarks/ann-rounds.md). Every segment keeps its own best {@code n} (Lucene's
   * query may prune segments against each other), so the candidates are the same as the query's on
   * one segment and never worse on several ({@code KnnDirectSearchTest}).
   */
  private SearchResult direct(
      IndexSearcher s, KnnQuery q, SpaceConfig space, String field, float[] vector, int n)
      throws IOException {
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    List<Candidate> candidates = new ArrayList<>();
    long visited = 0;
    int rescored = 0;
    for (LeafReaderContext ctx : leaves) {
      LeafReader reader = ctx.reader();
      FieldInfo fi = reader.getFieldInfos().fieldInfo(field);
      if (fi == null || !fi.hasVectorValues()) {
        continue;
      }
      TopDocs td =
          reader.searchNearestVectors(
              field,
              vector,
              n,
              AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()),
              Integer.MAX_VALUE);
      visited += td.totalHits.value();
      if (space.storage().quantized()) {
        rescored += rescore(reader, fi, field, vector, td.scoreDocs);
      }
      for (ScoreDoc sd : td.scoreDocs) {
        candidates.add(new Candidate(ctx.docBase + sd.doc, sd.score));
      }
    }
    return new SearchResult(
        new HitLoader(s, parents).rank(candidates, q.k(), space.similarity()),
        SearchResult.Strategy.HNSW,
        visited,
        leaves.size(),
        0,
        rescored);
  }

  /**
   * Replaces the quantized scores of one segment's candidates by full-precision ones, read from the
   * float32 vectors a quantized format keeps beside its codes, in doc order (the vectors' iterator
   * only goes forwards). Returns how many were rescored.
   */
  private static int rescore(
      LeafReader reader, FieldInfo fi, String field, float[] vector, ScoreDoc[] docs)
      throws IOException {
    if (docs.length == 0) {
      return 0;
    }
    ScoreDoc[] byDoc = docs.clone();
    java.util.Arrays.sort(byDoc, Comparator.comparingInt(sd -> sd.doc));
    FloatVectorValues raw = reader.getFloatVectorValues(field);
    VectorSimilarityFunction sim = fi.getVectorSimilarityFunction();
    KnnVectorValues.DocIndexIterator it = raw.iterator();
    for (ScoreDoc sd : byDoc) {
      if (it.docID() < sd.doc) {
        it.advance(sd.doc);
      }
      if (it.docID() != sd.doc) {
        throw new IllegalStateException(
            "vector document " + sd.doc + " of field " + field + " has no float32 vector");
      }
      sd.score = sim.compare(vector, raw.vectorValue(it.index()));
    }
    return docs.length;
  }

  /**
   * Graph candidates for a query: ef, times the space's oversampling for quantized storages (all of
   * them are rescored exactly, so more candidates buy back the recall quantization costs).
   */
  static int candidates(KnnQuery q, SpaceConfig space) {
    int ef = q.effectiveEf();
    if (!space.storage().quantized()) {
      return ef;
    }
    return (int) Math.min(KnnQuery.MAX_K, Math.ceil(ef * (double) space.oversample()));
  }

  private SearchResult exact(
      IndexSearcher s,
      KnnQuery q,
      String field,
      float[] vector,
      VectorSimilarityFunction sim,
      SpaceConfig space,
      Query childFilter)
      throws IOException {
    Weight filterWeight =
        childFilter == null
            ? null
            : s.createWeight(s.rewrite(childFilter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    long visited = 0;
    // Best vector document per item when grouping, else every vector document.
    Map<Integer, Candidate> bestPerItem = new HashMap<>();
    PriorityQueue<Candidate> top =
        new PriorityQueue<>(Comparator.comparingDouble(Candidate::score));
    int keep = q.k() * 2 + 16; // keeps ties at the k-th score; trimmed by id in toHits
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      FieldInfo fi = ctx.reader().getFieldInfos().fieldInfo(field);
      if (fi == null || !fi.hasVectorValues()) {
        continue;
      }
      FloatVectorValues fvv = ctx.reader().getFloatVectorValues(field);
      Bits live = ctx.reader().getLiveDocs();
      FixedBitSet allowed = filterWeight == null ? null : matches(filterWeight, ctx);
      if (filterWeight != null && allowed == null) {
        continue;
      }
      BitSet parentBits = q.groupByParent() ? parents.getBitSet(ctx) : null;
      KnnVectorValues.DocIndexIterator it = fvv.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if ((live != null && !live.get(doc)) || (allowed != null && !allowed.get(doc))) {
          continue;
        }
        visited++;
        Candidate c =
            new Candidate(ctx.docBase + doc, sim.compare(vector, fvv.vectorValue(it.index())));
        if (parentBits != null) {
          int parent = ctx.docBase + parentBits.nextSetBit(doc);
          bestPerItem.merge(parent, c, (a, b) -> b.score() > a.score() ? b : a);
        } else {
          offer(top, c, keep);
        }
      }
    }
    if (q.groupByParent()) {
      bestPerItem.values().forEach(c -> offer(top, c, keep));
    }
    List<Candidate> candidates = new ArrayList<>(top);
    return new SearchResult(
        new HitLoader(s, parents).rank(candidates, q.k(), space.similarity()),
        SearchResult.Strategy.EXACT,
        visited,
        s.getIndexReader().leaves().size(),
        s.getIndexReader().leaves().size(),
        0);
  }

  private static void offer(PriorityQueue<Candidate> top, Candidate c, int keep) {
    if (top.size() < keep) {
      top.add(c);
    } else if (c.score() > top.peek().score()) {
      top.poll();
      top.add(c);
    }
  }

  private static FixedBitSet matches(Weight w, LeafReaderContext ctx) throws IOException {
    Scorer scorer = w.scorer(ctx);
    if (scorer == null) {
      return null;
    }
    FixedBitSet bits = new FixedBitSet(ctx.reader().maxDoc());
    DocIdSetIterator it = scorer.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      bits.set(doc);
    }
    return bits;
  }
}
