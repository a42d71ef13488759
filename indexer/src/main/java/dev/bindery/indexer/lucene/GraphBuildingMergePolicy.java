package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;

/**
 * The merge policy of a collection whose flushed segments hold no HNSW graph ({@link
 * FlushWithoutGraphFormat}): a forced merge that the wrapped policy has nothing to do for (the
 * collection already has at most the segments asked for, say one flushed segment) still rewrites
 * every flushed segment on its own, since a merge is what builds the graph. Without this a bulk
 * load that fits one segment would stay searched exactly after {@code forceMerge(1)}. A rewritten
 * segment's source is "merge", so a second forced merge has nothing to do.
 *
 * <p>A forced merge to {@link #GRAPHS_ONLY} segments (what {@link LuceneCollection#buildGraphs()}
 * asks for at the end of a bulk load) merges every flushed segment into one and leaves the segments
 * that already hold a graph alone: the load's new vectors get one graph without the rest of the
 * collection being rewritten.
 */
final class GraphBuildingMergePolicy extends FilterMergePolicy {

  /** The segment count a forced merge asks for to merge only the flushed segments. */
  static final int GRAPHS_ONLY = Integer.MAX_VALUE;

  private volatile int lastGraphsOnlySegments;

  GraphBuildingMergePolicy(MergePolicy in) {
    super(in);
  }

  /** Segments the last {@link #GRAPHS_ONLY} forced merge put together (0 if there was none). */
  int takeGraphsOnlySegments() {
    int n = lastGraphsOnlySegments;
    lastGraphsOnlySegments = 0;
    return n;
  }

  @Override
  public MergeSpecification findForcedMerges(
      SegmentInfos infos,
      int maxSegmentCount,
      Map<SegmentCommitInfo, Boolean> segmentsToMerge,
      MergeContext context)
      throws IOException {
    if (maxSegmentCount == GRAPHS_ONLY) {
      List<SegmentCommitInfo> flushed = flushed(infos, segmentsToMerge, context);
      if (flushed.isEmpty()) {
        return null;
      }
      lastGraphsOnlySegments += flushed.size();
      MergeSpecification together = new MergeSpecification();
      together.add(new OneMerge(flushed));
      return together;
    }
    MergeSpecification spec =
        super.findForcedMerges(infos, maxSegmentCount, segmentsToMerge, context);
    if (spec != null && !spec.merges.isEmpty()) {
      return spec;
    }
    List<SegmentCommitInfo> flushed = flushed(infos, segmentsToMerge, context);
    if (flushed.isEmpty()) {
      return spec;
    }
    MergeSpecification rewrite = new MergeSpecification();
    for (SegmentCommitInfo s : flushed) {
      rewrite.add(new OneMerge(List.of(s)));
    }
    return rewrite;
  }

  /** The flushed segments among those to merge that no merge is working on now. */
  private static List<SegmentCommitInfo> flushed(
      SegmentInfos infos, Map<SegmentCommitInfo, Boolean> segmentsToMerge, MergeContext context) {
    Set<SegmentCommitInfo> merging = context.getMergingSegments();
    List<SegmentCommitInfo> flushed = new ArrayList<>();
    for (SegmentCommitInfo s : infos) {
      if (segmentsToMerge.containsKey(s) && !merging.contains(s) && flushed(s)) {
        flushed.add(s);
      }
    }
    return flushed;
  }

  private static boolean flushed(SegmentCommitInfo s) {
    return IndexWriter.SOURCE_FLUSH.equals(s.info.getDiagnostics().get(IndexWriter.SOURCE));
  }
}
