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
 */
final class GraphBuildingMergePolicy extends FilterMergePolicy {

  GraphBuildingMergePolicy(MergePolicy in) {
    super(in);
  }

  @Override
  public MergeSpecification findForcedMerges(
      SegmentInfos infos,
      int maxSegmentCount,
      Map<SegmentCommitInfo, Boolean> segmentsToMerge,
      MergeContext context)
      throws IOException {
    MergeSpecification spec =
        super.findForcedMerges(infos, maxSegmentCount, segmentsToMerge, context);
    if (spec != null && !spec.merges.isEmpty()) {
      return spec;
    }
    Set<SegmentCommitInfo> merging = context.getMergingSegments();
    List<SegmentCommitInfo> flushed = new ArrayList<>();
    for (SegmentCommitInfo s : infos) {
      if (segmentsToMerge.containsKey(s) && !merging.contains(s) && flushed(s)) {
        flushed.add(s);
      }
    }
    if (flushed.isEmpty()) {
      return spec;
    }
    MergeSpecification rewrite = new MergeSpecification();
    for (SegmentCommitInfo s : flushed) {
      rewrite.add(new OneMerge(List.of(s)));
    }
    return rewrite;
  }

  private static boolean flushed(SegmentCommitInfo s) {
    return IndexWriter.SOURCE_FLUSH.equals(s.info.getDiagnostics().get(IndexWriter.SOURCE));
  }
}
