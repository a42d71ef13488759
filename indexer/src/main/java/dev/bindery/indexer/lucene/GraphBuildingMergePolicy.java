package dev.bindery.indexer.lucene;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.MergeTrigger;
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
 * <p>Ordinary merges leave the flushed segments alone: the wrapped policy sees only the segments
 * that hold a graph, so a bulk load does not build graphs for its flushed segments over and over as
 * they are merged in tiers, and its end ({@link #GRAPHS_ONLY}) builds one graph for all of them.
 * Only when more than {@link #MAX_FLUSHED_SEGMENTS} flushed segments pile up (a load of 100,000
 * items or more committing every 1,000) are they merged into one in the background, which bounds
 * the segment count of a long load.
 *
 * <p>A forced merge to {@link #GRAPHS_ONLY} segments (what {@link LuceneCollection#buildGraphs()}
 * asks for at the end of a bulk load) merges every flushed segment into one and leaves the segments
 * that already hold a graph alone: the load's new vectors get one graph without the rest of the
 * collection being rewritten.
 */
final class GraphBuildingMergePolicy extends FilterMergePolicy {

  /** The segment count a forced merge asks for to merge only the flushed segments. */
  static final int GRAPHS_ONLY = Integer.MAX_VALUE;

  /** Flushed segments that may wait for the end of a load before a merge gives them a graph. */
  static final int MAX_FLUSHED_SEGMENTS = 100;

  private final int maxFlushedSegments;
  private volatile int lastGraphsOnlySegments;

  GraphBuildingMergePolicy(MergePolicy in) {
    this(in, MAX_FLUSHED_SEGMENTS);
  }

  GraphBuildingMergePolicy(MergePolicy in, int maxFlushedSegments) {
    super(in);
    if (maxFlushedSegments < 1) {
      throw new IllegalArgumentException(
          "maxFlushedSegments must be >= 1, got " + maxFlushedSegments);
    }
    this.maxFlushedSegments = maxFlushedSegments;
  }

  @Override
  public MergeSpecification findMerges(
      MergeTrigger trigger, SegmentInfos infos, MergeContext context) throws IOException {
    MergeSpecification spec = super.findMerges(trigger, withGraphs(infos), context);
    List<SegmentCommitInfo> waiting = flushed(infos, s -> true, context);
    if (waiting.size() > maxFlushedSegments) {
      if (spec == null) {
        spec = new MergeSpecification();
      }
      spec.add(new OneMerge(waiting));
    }
    return spec;
  }

  @Override
  public MergeSpecification findFullFlushMerges(
      MergeTrigger trigger, SegmentInfos infos, MergeContext context) throws IOException {
    return super.findFullFlushMerges(trigger, withGraphs(infos), context);
  }

  /**
   * The segments that hold a graph, what the wrapped policy gets to see: the originals, not clones,
   * since the writer knows its segments by identity.
   */
  private static SegmentInfos withGraphs(SegmentInfos infos) {
    SegmentInfos withGraphs = new SegmentInfos(infos.getIndexCreatedVersionMajor());
    for (SegmentCommitInfo s : infos) {
      if (!flushed(s)) {
        withGraphs.add(s);
      }
    }
    return withGraphs;
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
      List<SegmentCommitInfo> flushed = flushed(infos, segmentsToMerge::containsKey, context);
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
    List<SegmentCommitInfo> flushed = flushed(infos, segmentsToMerge::containsKey, context);
    if (flushed.isEmpty()) {
      return spec;
    }
    MergeSpecification rewrite = new MergeSpecification();
    for (SegmentCommitInfo s : flushed) {
      rewrite.add(new OneMerge(List.of(s)));
    }
    return rewrite;
  }

  /** The flushed segments {@code among} those given that no merge is working on now. */
  private static List<SegmentCommitInfo> flushed(
      SegmentInfos infos, Predicate<SegmentCommitInfo> among, MergeContext context) {
    Set<SegmentCommitInfo> merging = context.getMergingSegments();
    List<SegmentCommitInfo> flushed = new ArrayList<>();
    for (SegmentCommitInfo s : infos) {
      if (among.test(s) && !merging.contains(s) && flushed(s)) {
        flushed.add(s);
      }
    }
    return flushed;
  }

  private static boolean flushed(SegmentCommitInfo s) {
    return IndexWriter.SOURCE_FLUSH.equals(s.info.getDiagnostics().get(IndexWriter.SOURCE));
  }
}
