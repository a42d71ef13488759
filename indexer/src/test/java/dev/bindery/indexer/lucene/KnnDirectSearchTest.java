package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The direct per-segment graph search (and, for quantized storages, full-precision rescoring) of
 * queries without a filter or grouping against Lucene's own kNN and rescoring queries. With one
 * vector per item, grouping by item answers the same question through Lucene's block-join kNN query
 * ({@code DiversifyingChildrenFloatKnnVectorQuery}), so the two paths can be compared on the same
 * index: identical hits and scores on one segment, and on several segments with deleted documents a
 * recall against brute force at least as good.
 */
class KnnDirectSearchTest {
  static final int N = 3000;
  static final int DIM = 48;
  static final int K = 10;
  static final int EF = 20;

  @TempDir Path data;

  @ParameterizedTest
  @EnumSource(
      value = VectorStorage.class,
      names = {"FLOAT32", "INT8", "INT4", "BINARY"})
  void sameHitsAsLucenesQueryOnOneSegmentAndNoWorseOnSeveral(VectorStorage storage)
      throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(N, DIM, 30, 7);
    float[][] base = sv.vectors();
    float[][] queries = sv.queries(60, 8);
    try (LuceneBackend backend = new LuceneBackend(data)) {
      backend.createCollection(
          CollectionConfig.of("c", SpaceConfig.of("e", DIM, Similarity.COSINE, storage)));
      // Several segments, and deleted documents: the first 300 ids are written twice.
      for (int from = 0; from < N; from += 500) {
        backend.upsert("c", items(base, from, Math.min(N, from + 500)));
        backend.commit("c");
      }
      backend.upsert("c", items(base, 0, 300));
      backend.commit("c");
      backend.refresh("c");

      double directRecall = 0;
      double queryRecall = 0;
      for (float[] q : queries) {
        SearchResult direct = backend.knn("c", query(q, false));
        SearchResult viaQuery = backend.knn("c", query(q, true));
        assertTrue(direct.segments() > 1, "segments: " + direct.segments());
        assertEquals(SearchResult.Strategy.HNSW, direct.strategy());
        assertTrue(direct.visited() > 0, "visited " + direct.visited());
        assertEquals(K, direct.hits().size());
        if (storage.quantized()) {
          assertTrue(direct.rescored() >= K, "rescored " + direct.rescored());
        } else {
          assertEquals(0, direct.rescored());
        }
        List<String> truth = bruteForce(base, q);
        directRecall += recall(direct.hits(), truth);
        queryRecall += recall(viaQuery.hits(), truth);
      }
      directRecall /= queries.length;
      queryRecall /= queries.length;
      assertTrue(
          directRecall >= queryRecall - 0.005,
          "direct recall " + directRecall + " vs Lucene's query " + queryRecall);
      assertTrue(directRecall >= 0.85, storage + " direct recall " + directRecall);

      backend.forceMerge("c", 1);
      backend.refresh("c");
      for (float[] q : queries) {
        SearchResult direct = backend.knn("c", query(q, false));
        SearchResult viaQuery = backend.knn("c", query(q, true));
        assertEquals(1, direct.segments());
        assertEquals(ids(viaQuery.hits()), ids(direct.hits()));
        for (int i = 0; i < K; i++) {
          assertEquals(viaQuery.hits().get(i).score(), direct.hits().get(i).score(), 1e-6);
        }
        assertEquals(viaQuery.visited(), direct.visited());
        assertEquals(viaQuery.rescored(), direct.rescored());
      }
    }
  }

  private static KnnQuery query(float[] q, boolean groupByItem) {
    return new KnnQuery("e", q, K, null, EF, SearchMode.AUTO, groupByItem);
  }

  private static List<Item> items(float[][] base, int from, int to) {
    List<Item> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(Item.builder("v" + i, "vector").vector("e", base[i].clone()).build());
    }
    return out;
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(Hit::id).toList();
  }

  private static List<String> bruteForce(float[][] base, float[] q) {
    float[] qn = unit(q);
    Integer[] order = new Integer[base.length];
    double[] score = new double[base.length];
    for (int i = 0; i < base.length; i++) {
      order[i] = i;
      float[] v = unit(base[i]);
      double dot = 0;
      for (int d = 0; d < v.length; d++) {
        dot += v[d] * qn[d];
      }
      score[i] = dot;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < K; i++) {
      out.add("v" + order[i]);
    }
    return out;
  }

  private static float[] unit(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  private static double recall(List<Hit> hits, List<String> truth) {
    long found = hits.stream().map(Hit::id).filter(truth::contains).count();
    return found / (double) K;
  }
}
