package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.DiversifyingChildrenFloatKnnVectorQuery;
import org.apache.lucene.search.knn.KnnCollectorManager;

/**
 * What one kNN query did, per Lucene segment: graph searches and their visited counts, and segments
 * answered exactly (Lucene's choice when the filter is selective or the graph search runs out of
 * its visit budget). Filled in while the query rewrites; one instance per query.
 */
final class KnnStats {
  final AtomicLong visited = new AtomicLong();
  final AtomicInteger graphSegments = new AtomicInteger();
  final AtomicInteger exactSegments = new AtomicInteger();

  private void graph(TopDocs td) {
    graphSegments.incrementAndGet();
    visited.addAndGet(td.totalHits.value());
  }

  private void exact(DocIdSetIterator accept) {
    exactSegments.incrementAndGet();
    visited.addAndGet(accept.cost());
  }

  /** Lucene's kNN over every vector document, recording what happened. */
  static final class PerVector extends KnnFloatVectorQuery {
    private final KnnStats stats;

    PerVector(String field, float[] target, int k, Query filter, KnnStats stats) {
      super(field, target, k, filter);
      this.stats = stats;
    }

    @Override
    protected TopDocs approximateSearch(
        LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit, KnnCollectorManager m)
        throws IOException {
      TopDocs td = super.approximateSearch(context, acceptDocs, visitedLimit, m);
      stats.graph(td);
      return td;
    }

    @Override
    protected TopDocs exactSearch(
        LeafReaderContext context, DocIdSetIterator acceptIterator, QueryTimeout timeout)
        throws IOException {
      stats.exact(acceptIterator);
      return super.exactSearch(context, acceptIterator, timeout);
    }
  }

  /** Lucene's block-join kNN: the best vector document of each item, recording what happened. */
  static final class PerItem extends DiversifyingChildrenFloatKnnVectorQuery {
    private final KnnStats stats;

    PerItem(
        String field,
        float[] target,
        Query childFilter,
        int k,
        BitSetProducer parents,
        KnnStats stats) {
      super(field, target, childFilter, k, parents);
      this.stats = stats;
    }

    @Override
    protected TopDocs approximateSearch(
        LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit, KnnCollectorManager m)
        throws IOException {
      TopDocs td = super.approximateSearch(context, acceptDocs, visitedLimit, m);
      stats.graph(td);
      return td;
    }

    @Override
    protected TopDocs exactSearch(
        LeafReaderContext context, DocIdSetIterator acceptIterator, QueryTimeout timeout)
        throws IOException {
      stats.exact(acceptIterator);
      return super.exactSearch(context, acceptIterator, timeout);
    }
  }
}
