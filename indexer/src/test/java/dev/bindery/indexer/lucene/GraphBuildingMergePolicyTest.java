package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * The merge policy of a bulk load, on a real {@link IndexWriter} with merges run in the committing
 * thread: flushed segments wait for the end of the load instead of being merged in tiers, until
 * more than the cap of them pile up.
 */
class GraphBuildingMergePolicyTest {

  @Test
  void flushedSegmentsAreNotMergedInTiersUpToTheCap() throws IOException {
    int commits = 24; // enough for Lucene's tiered policy alone to merge
    assertTrue(segmentsAfter(new TieredMergePolicy(), commits) < commits, "tiers merge");
    String[] sources = sourcesAfter(new GraphBuildingMergePolicy(new TieredMergePolicy()), commits);
    assertEquals(commits, sources.length, "every flushed segment waits for the end of the load");
    for (String s : sources) {
      assertEquals(IndexWriter.SOURCE_FLUSH, s);
    }
  }

  @Test
  void moreFlushedSegmentsThanTheCapAreMergedIntoOne() throws IOException {
    MergePolicy capped = new GraphBuildingMergePolicy(new TieredMergePolicy(), 3);
    assertEquals(3, sourcesAfter(capped, 3).length, "at the cap: nothing merged");
    String[] sources = sourcesAfter(new GraphBuildingMergePolicy(new TieredMergePolicy(), 3), 4);
    assertEquals(1, sources.length, "over the cap: the four are merged into one");
    assertEquals(IndexWriter.SOURCE_MERGE, sources[0]);
  }

  @Test
  void refusesACapBelowOne() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new GraphBuildingMergePolicy(new TieredMergePolicy(), 0));
  }

  private static int segmentsAfter(MergePolicy policy, int commits) throws IOException {
    return sourcesAfter(policy, commits).length;
  }

  /** Commits {@code commits} one-document segments; returns each segment's source, in order. */
  private static String[] sourcesAfter(MergePolicy policy, int commits) throws IOException {
    try (Directory dir = new ByteBuffersDirectory()) {
      IndexWriterConfig iwc =
          new IndexWriterConfig(new StandardAnalyzer())
              .setMergePolicy(policy)
              .setMergeScheduler(new SerialMergeScheduler());
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < commits; i++) {
          Document d = new Document();
          d.add(new StringField("id", Integer.toString(i), Field.Store.NO));
          w.addDocument(d);
          w.commit();
        }
        w.maybeMerge();
      }
      try (DirectoryReader r = DirectoryReader.open(dir)) {
        assertEquals(commits, r.numDocs(), "nothing lost");
        return r.leaves().stream()
            .map(LeafReaderContext::reader)
            .map(
                leaf ->
                    ((SegmentReader) leaf)
                        .getSegmentInfo()
                        .info
                        .getDiagnostics()
                        .get(IndexWriter.SOURCE))
            .toArray(String[]::new);
      }
    }
  }
}
