package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
      indexInTwoSegments(backend, base);
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
      indexInTwoSegments(backend, base);
      SearchResult flushed = backend.knn("c", query(q));
      assertTrue(flushed.visited() < N, "each flush built a graph: " + flushed.visited());
    }
  }

  private static void indexInTwoSegments(LuceneBackend backend, float[][] base) {
    backend.createCollection(
        CollectionConfig.of(
            "c", SpaceConfig.of("e", DIM, Similarity.COSINE, VectorStorage.FLOAT32)));
    for (int from = 0; from < N; from += N / 2) {
      List<Item> batch = new ArrayList<>();
      for (int i = from; i < from + N / 2; i++) {
        batch.add(Item.builder(Integer.toString(i), "vector").vector("e", base[i]).build());
      }
      backend.upsert("c", batch);
      backend.commit("c");
    }
    backend.refresh("c");
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
    assertEquals(1, HnswMergeWorkers.of(1).count());
  }

  /** Indexes in 8 committed batches (8 segments), merges to one, and scores recall@10 at ef 40. */
  private static double mergedRecall(
      Path dir,
      HnswMergeWorkers workers,
      VectorStorage storage,
      float[][] base,
      float[][] queries) {
    try (LuceneBackend backend = new LuceneBackend(dir, workers)) {
      backend.createCollection(
          CollectionConfig.of("c", SpaceConfig.of("e", DIM, Similarity.COSINE, storage)));
      for (int from = 0; from < N; from += N / 8) {
        List<Item> batch = new ArrayList<>();
        for (int i = from; i < from + N / 8; i++) {
          batch.add(Item.builder(Integer.toString(i), "vector").vector("e", base[i]).build());
        }
        backend.upsert("c", batch);
        backend.commit("c");
      }
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
