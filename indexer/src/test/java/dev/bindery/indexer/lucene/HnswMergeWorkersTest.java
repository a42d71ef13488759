package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
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
