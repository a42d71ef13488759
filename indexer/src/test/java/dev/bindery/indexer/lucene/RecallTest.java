package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
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
import java.util.function.IntPredicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Recall of HNSW search against brute force on 10k x 384 clustered vectors, unfiltered and with 1%
 * and 10% selective filters, for float32 and int8 storage (int8 is rescored exactly).
 */
class RecallTest {
  static final int N = 10_000;
  static final int DIM = 384;
  static final int QUERIES = 100;
  static final long SEED = 20261127L;

  @TempDir Path data;

  @ParameterizedTest
  @EnumSource(
      value = VectorStorage.class,
      names = {"FLOAT32", "INT8"})
  void recallAtDefaultEfMatchesBruteForce(VectorStorage storage) throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(N, DIM, 50, SEED);
    float[][] base = sv.vectors();
    float[][] queries = sv.queries(QUERIES, SEED + 1);
    try (LuceneBackend backend = new LuceneBackend(data)) {
      backend.createCollection(
          CollectionConfig.of("c", SpaceConfig.of("e", DIM, Similarity.COSINE, storage)));
      List<Item> batch = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        // bucket: 0..99 gives a 1% filter (bucket == 7) and a 10% filter (bucket < 10)
        batch.add(
            Item.builder(Integer.toString(i), "vector")
                .vector("e", base[i])
                .meta("bucket", (long) ((i * 7919L) % 100))
                .build());
        if (batch.size() == 1000) {
          backend.upsert("c", batch);
          batch.clear();
        }
      }
      backend.commit("c");
      assertEquals(N, backend.describe("c").count());

      double unfiltered = recall(backend, base, queries, null, i -> true);
      IntPredicate onePercent = i -> (i * 7919L) % 100 == 7;
      double filtered1 = recall(backend, base, queries, Filter.term("bucket", 7L), onePercent);
      IntPredicate tenPercent = i -> (i * 7919L) % 100 < 10;
      double filtered10 =
          recall(backend, base, queries, Filter.range("bucket", 0L, 9L), tenPercent);
      String report =
          storage
              + " seed="
              + SEED
              + " recall@10 unfiltered="
              + unfiltered
              + " 1%="
              + filtered1
              + " 10%="
              + filtered10;
      System.out.println(report);
      assertTrue(unfiltered >= 0.95, report);
      assertTrue(filtered1 >= 0.95, report);
      assertTrue(filtered10 >= 0.95, report);

      // Exact mode is the brute force itself: it must agree perfectly.
      double exact = 0;
      for (int q = 0; q < 20; q++) {
        SearchResult r =
            backend.knn("c", KnnQuery.of("e", queries[q], 10).withMode(SearchMode.EXACT));
        assertEquals(SearchResult.Strategy.EXACT, r.strategy());
        exact += BruteForce.recall(ids(r), BruteForce.topK(base, queries[q], 10, i -> true));
      }
      assertEquals(20.0, exact, 1e-9, storage + ": exact mode differs from brute force");
    }
  }

  private static double recall(
      LuceneBackend backend, float[][] base, float[][] queries, Filter filter, IntPredicate ok) {
    double sum = 0;
    for (float[] q : queries) {
      SearchResult r = backend.knn("c", KnnQuery.of("e", q, 10).withFilter(filter));
      List<String> got = ids(r);
      for (String id : got) {
        assertTrue(ok.test(Integer.parseInt(id)), "hit " + id + " does not pass " + filter);
      }
      sum += BruteForce.recall(got, BruteForce.topK(base, q, 10, ok));
    }
    return sum / queries.length;
  }

  private static List<String> ids(SearchResult r) {
    return r.hits().stream().map(Hit::id).toList();
  }
}
