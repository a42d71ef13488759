package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.SyntheticVectors;
import dev.bindery.indexer.VectorStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A graph merged by several workers answers as well as one merged by a single thread. */
class HnswMergeWorkersTest {
  static final int N = 2000;
  static final int DIM = 64;
  static final int QUERIES = 100;
  static final long SEED = 20261207L;

  @TempDir Path data;

  @ParameterizedTest
  @EnumSource(
      value = VectorStorage.class,
      names = {"FLOAT32", "INT8"})
  void recallUnchangedByConcurrentMerge(VectorStorage storage) throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(N, DIM, 40, SEED);
    float[][] base = sv.vectors();
    float[][] queries = sv.queries(QUERIES, SEED + 1);
    double single;
    try (HnswMergeWorkers none = HnswMergeWorkers.none()) {
      single = mergedRecall(data.resolve("one"), none, storage, base, queries);
    }
    double concurrent;
    try (HnswMergeWorkers two = HnswMergeWorkers.of(2)) {
      concurrent = mergedRecall(data.resolve("two"), two, storage, base, queries);
    }
    String report =
        storage + " seed=" + SEED + " recall@10 single=" + single + " two workers=" + concurrent;
    assertTrue(single >= 0.9, report);
    // Concurrent insertion builds a different graph, not a worse one.
    assertTrue(Math.abs(single - concurrent) <= 0.02, report);
  }

  /**
   * With merge workers, flushed segments hold no graph (searched exactly, so every vector is
   * visited and the answer is the brute-force one) until the merge builds one graph from both
   * workers; without them each flushed segment has its own graph.
   */
  @Test
  void withWorkersFlushedSegmentsWaitForTheMergeToBuildTheirGraph() throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(N, DIM, 40, SEED);
    float[][] base = sv.vectors();
    float[] q = sv.queries(1, SEED + 2)[0];
    List<Integer> exact = BruteForce.topK(base, q, 10, i -> true);
    try (HnswMergeWorkers two = HnswMergeWorkers.of(2);
        LuceneBackend backend = new LuceneBackend(data.resolve("two"), two)) {
      indexInSegments(backend, base, VectorStorage.FLOAT32, 2);
      SearchResult flushed = backend.knn("c", query(q));
      assertEquals(N, flushed.visited(), "flushed segments without a graph are searched exactly");
      assertEquals(1.0, BruteForce.recall(ids(flushed), exact));
      backend.forceMerge("c", 1);
      backend.refresh("c");
      SearchResult merged = backend.knn("c", query(q));
      assertTrue(merged.visited() < N / 2, "the merge built a graph: " + merged.visited());
      assertEquals(N, backend.describe("c").count());
    }
    try (LuceneBackend backend = new LuceneBackend(data.resolve("one"), HnswMergeWorkers.none())) {
      indexInSegments(backend, base, VectorStorage.FLOAT32, 2);
      SearchResult flushed = backend.knn("c", query(q));
      assertTrue(flushed.visited() < N, "each flush built a graph: " + flushed.visited());
    }
  }

  /**
   * A bulk load that fits one segment: {@code forceMerge(1)} has no segments to join, and still
   * rewrites the flushed segment so that it gets its graph; a second forced merge changes nothing.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void forceMergeBuildsTheGraphOfASingleFlushedSegment(int threads) throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(N, DIM, 40, SEED);
    float[][] base = sv.vectors();
    float[] q = sv.queries(1, SEED + 3)[0];
    try (HnswMergeWorkers bulk = HnswMergeWorkers.bulk(threads);
        LuceneBackend backend = new LuceneBackend(data.resolve("single"), bulk)) {
      assertTrue(bulk.graphsAtMerge());
      indexInSegments(backend, base, VectorStorage.FLOAT32, 1);
      assertEquals(N, backend.knn("c", query(q)).visited(), "one flushed segment, no graph yet");
      backend.forceMerge("c", 1);
      backend.refresh("c");
      SearchResult merged = backend.knn("c", query(q));
      assertTrue(merged.visited() < N / 2, "the forced merge built a graph: " + merged.visited());
      assertTrue(
          BruteForce.recall(ids(merged), BruteForce.topK(base, q, 10, i -> true)) >= 0.8,
          "recall of the rebuilt graph");
      backend.forceMerge("c", 1);
      backend.refresh("c");
      assertEquals(merged.visited(), backend.knn("c", query(q)).visited());
      assertEquals(N, backend.describe("c").count());
    }
  }

  /**
   * Creates collection "c" (one space "e" of {@code storage}) and indexes {@code base} in {@code
   * segments} equal batches, each committed (a segment each), then refreshes.
   */
  private static void indexInSegments(
      LuceneBackend backend, float[][] base, VectorStorage storage, int segments) {
    backend.createCollection(
        CollectionConfig.of("c", SpaceConfig.of("e", DIM, Similarity.COSINE, storage)));
    for (int from = 0; from < N; from += N / segments) {
      upsertAndCommit(backend, base, from, from + N / segments);
    }
    backend.refresh("c");
  }

  /** Upserts items {@code from} (inclusive) to {@code to} of {@code base} and commits. */
  private static void upsertAndCommit(LuceneBackend backend, float[][] base, int from, int to) {
    List<Item> batch = new ArrayList<>();
    for (int i = from; i < to; i++) {
      batch.add(Item.builder(Integer.toString(i), "vector").vector("e", base[i]).build());
    }
    backend.upsert("c", batch);
    backend.commit("c");
  }

  /**
   * The end of a bulk load into a collection that already holds a graph: buildGraphs merges the
   * segments flushed without a graph into one with a graph and leaves the old segment alone; what
   * it committed is what a fresh backend finds; a second call and a backend that builds graphs at
   * flush have nothing to do.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void buildGraphsMergesOnlyTheSegmentsFlushedWithoutAGraph(int threads) throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(N, DIM, 40, SEED);
    float[][] base = sv.vectors();
    float[][] queries = sv.queries(20, SEED + 4);
    Path dir = data.resolve("bulk");
    List<List<String>> answers = new ArrayList<>();
    try (HnswMergeWorkers bulk = HnswMergeWorkers.bulk(threads);
        LuceneBackend backend = new LuceneBackend(dir, bulk)) {
      backend.createCollection(
          CollectionConfig.of(
              "c", SpaceConfig.of("e", DIM, Similarity.COSINE, VectorStorage.FLOAT32)));
      upsertAndCommit(backend, base, 0, N / 2);
      assertEquals(1, backend.buildGraphs("c"), "the first load: one flushed segment");
      SearchResult first = backend.knn("c", query(queries[0]));
      assertEquals(1, first.segments());
      assertTrue(first.visited() < N / 4, "the first half has a graph: " + first.visited());

      int[] cuts = {N / 2, N / 2 + N / 6, N / 2 + N / 3, N};
      for (int b = 0; b + 1 < cuts.length; b++) {
        upsertAndCommit(backend, base, cuts[b], cuts[b + 1]); // three segments, no graphs
      }
      backend.refresh("c");
      SearchResult before = backend.knn("c", query(queries[0]));
      assertEquals(4, before.segments());
      assertTrue(before.visited() >= N / 2, "new segments are searched exactly until then");

      assertEquals(3, backend.buildGraphs("c"));
      for (float[] q : queries) {
        SearchResult after = backend.knn("c", query(q));
        assertEquals(2, after.segments(), "the old segment is not rewritten");
        assertTrue(after.visited() < N / 2, "both segments have graphs: " + after.visited());
        assertTrue(
            BruteForce.recall(ids(after), BruteForce.topK(base, q, 10, i -> true)) >= 0.8,
            "recall after buildGraphs");
        answers.add(ids(after));
      }
      assertEquals(0, backend.buildGraphs("c"), "nothing left to build");
      assertEquals(N, backend.describe("c").count());
    }
    try (LuceneBackend reopened = new LuceneBackend(dir)) {
      assertEquals(N, reopened.describe("c").count());
      for (int i = 0; i < queries.length; i++) {
        assertEquals(answers.get(i), ids(reopened.knn("c", query(queries[i]))), "committed");
      }
      upsertAndCommit(reopened, base, 0, 10);
      assertEquals(0, reopened.buildGraphs("c"), "graphs are built at flush here");
    }
  }

  private static KnnQuery query(float[] q) {
    return new KnnQuery("e", q, 10, null, 40, SearchMode.AUTO, false);
  }

  private static List<String> ids(SearchResult r) {
    List<String> out = new ArrayList<>();
    for (Hit h : r.hits()) {
      out.add(h.id());
    }
    return out;
  }

  @Test
  void rejectsNoThreads() {
    assertThrows(IllegalArgumentException.class, () -> HnswMergeWorkers.of(0));
    assertThrows(IllegalArgumentException.class, () -> HnswMergeWorkers.bulk(0));
    assertEquals(1, HnswMergeWorkers.of(1).count());
    assertFalse(HnswMergeWorkers.of(1).graphsAtMerge());
    assertFalse(HnswMergeWorkers.none().graphsAtMerge());
    assertTrue(HnswMergeWorkers.bulk(1).graphsAtMerge());
    assertEquals(1, HnswMergeWorkers.bulk(1).count());
  }

  /** Indexes in 8 committed batches (8 segments), merges to one, and scores recall@10 at ef 40. */
  private static double mergedRecall(
      Path dir,
      HnswMergeWorkers workers,
      VectorStorage storage,
      float[][] base,
      float[][] queries) {
    try (LuceneBackend backend = new LuceneBackend(dir, workers)) {
      indexInSegments(backend, base, storage, 8);
      backend.forceMerge("c", 1);
      backend.refresh("c");
      assertEquals(N, backend.describe("c").count());
      double sum = 0;
      for (float[] q : queries) {
        List<String> got = new ArrayList<>();
        for (Hit h :
            backend.knn("c", new KnnQuery("e", q, 10, null, 40, SearchMode.AUTO, false)).hits()) {
          got.add(h.id());
        }
        sum += BruteForce.recall(got, BruteForce.topK(base, q, 10, i -> true));
      }
      return sum / queries.length;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
