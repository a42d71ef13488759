package dev.bindery.eval.bench;

import dev.bindery.indexer.Similarity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Exact k nearest neighbours by brute force: the ground truth that ANN recall is measured against.
 * Plain Java on purpose, sharing no code with the index it judges. Ranking is Bindery's everywhere:
 * score descending, then row index ascending. Scores: cosine of the angle, raw dot product, or the
 * negated squared euclidean distance (which orders like Lucene's {@code 1 / (1 + d^2)}).
 */
public final class ExactNeighbors {

  private ExactNeighbors() {}

  /**
   * Row indexes of the {@code k} best base vectors for every query; the inputs are not modified.
   * Queries are spread over {@code threads} threads.
   */
  public static int[][] topK(
      float[][] base, float[][] queries, int k, Similarity similarity, int threads) {
    if (k < 1 || k > base.length) {
      throw new IllegalArgumentException("k must be in 1.." + base.length + ", got " + k);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    float[] baseInvNorms = similarity == Similarity.COSINE ? inverseNorms("base", base) : null;
    float[] queryInvNorms = similarity == Similarity.COSINE ? inverseNorms("query", queries) : null;
    int[][] out = new int[queries.length][];
    int chunk = Math.max(1, (queries.length + threads * 4 - 1) / (threads * 4));
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int from = 0; from < queries.length; from += chunk) {
        int start = from;
        int end = Math.min(queries.length, from + chunk);
        futures.add(
            pool.submit(
                () -> {
                  for (int q = start; q < end; q++) {
                    out[q] =
                        topK(
                            base,
                            queries[q],
                            k,
                            similarity,
                            baseInvNorms,
                            queryInvNorms == null ? 1 : queryInvNorms[q]);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while computing ground truth", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("ground truth computation failed", e.getCause());
    }
    return out;
  }

  private static int[] topK(
      float[][] base,
      float[] query,
      int k,
      Similarity similarity,
      float[] baseInvNorms,
      float queryInvNorm) {
    if (query.length != base[0].length) {
      throw new IllegalArgumentException(
          "query dimension " + query.length + " differs from base dimension " + base[0].length);
    }
    // A heap of the k best so far with the worst at the root, so most rows cost one comparison.
    float[] scores = new float[k];
    int[] ids = new int[k];
    int size = 0;
    for (int i = 0; i < base.length; i++) {
      float s =
          switch (similarity) {
            case COSINE -> dot(query, base[i]) * queryInvNorm * baseInvNorms[i];
            case DOT_PRODUCT -> dot(query, base[i]);
            case L2 -> -squareDistance(query, base[i]);
          };
      if (size < k) {
        scores[size] = s;
        ids[size] = i;
        siftUp(scores, ids, size++);
      } else if (worse(scores[0], ids[0], s, i)) {
        scores[0] = s;
        ids[0] = i;
        siftDown(scores, ids, size);
      }
    }
    // Pop worst-first into the tail so the result reads best-first.
    int[] out = new int[size];
    for (int n = size; n > 0; n--) {
      out[n - 1] = ids[0];
      scores[0] = scores[n - 1];
      ids[0] = ids[n - 1];
      siftDown(scores, ids, n - 1);
    }
    return out;
  }

  /** True if (sa, ia) ranks below (sb, ib): lower score, or equal score and larger id. */
  private static boolean worse(float sa, int ia, float sb, int ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  private static void siftUp(float[] scores, int[] ids, int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(scores[i], ids[i], scores[parent], ids[parent])) {
        return;
      }
      swap(scores, ids, i, parent);
      i = parent;
    }
  }

  private static void siftDown(float[] scores, int[] ids, int size) {
    int i = 0;
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        return;
      }
      int worst = left;
      int right = left + 1;
      if (right < size && worse(scores[right], ids[right], scores[left], ids[left])) {
        worst = right;
      }
      if (!worse(scores[worst], ids[worst], scores[i], ids[i])) {
        return;
      }
      swap(scores, ids, i, worst);
      i = worst;
    }
  }

  private static void swap(float[] scores, int[] ids, int a, int b) {
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    int t = ids[a];
    ids[a] = ids[b];
    ids[b] = t;
  }

  private static float[] inverseNorms(String what, float[][] rows) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      double n = Math.sqrt(dot(rows[i], rows[i]));
      if (n == 0 || !Double.isFinite(n)) {
        throw new IllegalArgumentException(
            what + " vector " + i + " has norm " + n + "; cosine needs finite non-zero vectors");
      }
      out[i] = (float) (1 / n);
    }
    return out;
  }

  // Four independent sums let the JIT pipeline the multiply-adds; a single running sum serializes.
  private static float dot(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    int upper = a.length & ~3;
    for (; i < upper; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < a.length; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static float squareDistance(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    int i = 0;
    int upper = a.length & ~1;
    for (; i < upper; i += 2) {
      float d0 = a[i] - b[i];
      float d1 = a[i + 1] - b[i + 1];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < a.length; i++) {
      float d = a[i] - b[i];
      s0 += d * d;
    }
    return s0 + s1;
  }
}
