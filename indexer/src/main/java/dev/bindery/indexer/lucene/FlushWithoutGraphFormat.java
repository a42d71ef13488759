package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.util.function.IntFunction;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.store.IOContext;

/**
 * An HNSW vectors format whose flushed segments hold vectors but no graph, and whose merges build
 * the graph: used for a bulk build that ends in {@code forceMerge(1)} ({@link
 * HnswMergeWorkers#graphsAtMerge}: more than one merge worker, or {@link HnswMergeWorkers#bulk}).
 * Building each flushed segment's graph on its indexing thread and then merging those graphs leaves
 * most of the work to one thread per segment (a merge keeps the largest segment's graph and inserts
 * only the rest); with no graph at flush, the merge builds the whole graph from every worker at
 * once.
 *
 * <p>The files are exactly those of the wrapped Lucene format (a segment without a graph is one
 * Lucene itself writes for small segments and searches exactly), so this format carries the wrapped
 * format's name and every segment reads back through Lucene's own registered format. Until a merge
 * builds its graph, a freshly flushed segment is searched exactly: correct, and slower than HNSW
 * for large segments, which is why only a bulk build uses it. Forced merges rewrite a lone flushed
 * segment too ({@link GraphBuildingMergePolicy}).
 */
final class FlushWithoutGraphFormat extends KnnVectorsFormat {
  private final KnnVectorsFormat atFlush;
  private final KnnVectorsFormat atMerge;

  /**
   * @param withTinySegmentThreshold the wrapped format with a given tiny-segment threshold
   *     (Lucene's HNSW formats build no graph for a segment below it): called with one no segment
   *     reaches, for flushes, and with {@code mergeThreshold}, for merges
   * @param mergeThreshold the threshold merges build with (Lucene's default)
   */
  FlushWithoutGraphFormat(
      IntFunction<KnnVectorsFormat> withTinySegmentThreshold, int mergeThreshold) {
    this(
        withTinySegmentThreshold.apply(Integer.MAX_VALUE),
        withTinySegmentThreshold.apply(mergeThreshold));
  }

  private FlushWithoutGraphFormat(KnnVectorsFormat atFlush, KnnVectorsFormat atMerge) {
    super(atMerge.getName());
    this.atFlush = atFlush;
    this.atMerge = atMerge;
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    // Lucene opens a segment's vectors writer when the segment's first vector arrives (a default
    // context, not a flush one) and a merge's with a merge context: anything not a merge is the
    // writer a flush finishes.
    boolean merge = state.context.context() == IOContext.Context.MERGE;
    return (merge ? atMerge : atFlush).fieldsWriter(state);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return atMerge.fieldsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return atMerge.getMaxDimensions(fieldName);
  }

  @Override
  public String toString() {
    return "FlushWithoutGraph(" + atMerge + ")";
  }
}
