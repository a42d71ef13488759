package dev.bindery.indexer.conformance;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.SyntheticVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ingest and query throughput of any {@link IndexBackend} on deterministic clustered vectors, so
 * two backends can be measured on the same data on the same machine. Not a test: callers run it
 * explicitly and report ratios between backends measured in one run.
 */
public final class BackendBenchmark {
  private BackendBenchmark() {}

  /**
   * What one run measured.
   *
   * @param backend label of the backend
   * @param items items ingested
   * @param dim vector dimension
   * @param batch items per upsert call
   * @param ingestSeconds wall time of all upserts plus the final commit
   * @param queries timed kNN queries (k=10, one thread, after a warm-up of as many)
   * @param querySeconds wall time of the timed queries
   * @param recallAt10 recall@10 of the timed queries against brute force
   */
  public record Result(
      String backend,
      int items,
      int dim,
      int batch,
      double ingestSeconds,
      int queries,
      double querySeconds,
      double recallAt10) {

    public double ingestPerSecond() {
      return items / ingestSeconds;
    }

    public double qps() {
      return queries / querySeconds;
    }

    /** One line of {@code key=value} pairs, parsed back by {@link #parse}. */
    public String toLine() {
      return String.format(
          Locale.ROOT,
          "backend=%s items=%d dim=%d batch=%d ingestSeconds=%.6f queries=%d querySeconds=%.6f"
              + " recallAt10=%.6f",
          backend,
          items,
          dim,
          batch,
          ingestSeconds,
          queries,
          querySeconds,
          recallAt10);
    }

    public static Result parse(String line) {
      java.util.Map<String, String> kv = new java.util.HashMap<>();
      for (String part : line.trim().split(" ")) {
        int eq = part.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("not a benchmark line: " + line);
        }
        kv.put(part.substring(0, eq), part.substring(eq + 1));
      }
      return new Result(
          kv.get("backend"),
          Integer.parseInt(kv.get("items")),
          Integer.parseInt(kv.get("dim")),
          Integer.parseInt(kv.get("batch")),
          Double.parseDouble(kv.get("ingestSeconds")),
          Integer.parseInt(kv.get("queries")),
          Double.parseDouble(kv.get("querySeconds")),
          Double.parseDouble(kv.get("recallAt10")));
    }
  }

  /**
   * Creates {@code collection}, ingests {@code n} clustered {@code dim}-d vectors (seed {@code
   * seed}) in batches and commits, then times {@code queries} kNN queries after as many warm-up
   * queries, and drops the collection.
   */
  public static Result run(
      String label,
      IndexBackend backend,
      String collection,
      int n,
      int dim,
      int batch,
      int queries,
      long seed) {
    SyntheticVectors sv = SyntheticVectors.clustered(n, dim, 100, seed);
    float[][] base = sv.vectors();
    float[][] qs = sv.queries(queries * 2, seed + 1);
    backend.createCollection(
        CollectionConfig.of(collection, SpaceConfig.of("e", dim, Similarity.COSINE)));
    try {
      List<List<Item>> batches = new ArrayList<>();
      List<Item> current = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        current.add(
            Item.builder(Integer.toString(i), "vector")
                .vector("e", base[i])
                .meta("bucket", (long) (i % 100))
                .build());
        if (current.size() == batch) {
          batches.add(current);
          current = new ArrayList<>();
        }
      }
      if (!current.isEmpty()) {
        batches.add(current);
      }
      long t0 = System.nanoTime();
      for (List<Item> b : batches) {
        backend.upsert(collection, b);
      }
      backend.commit(collection);
      double ingest = (System.nanoTime() - t0) / 1e9;

      for (int q = queries; q < 2 * queries; q++) {
        backend.knn(collection, KnnQuery.of("e", qs[q], 10));
      }
      List<List<String>> got = new ArrayList<>(queries);
      long t1 = System.nanoTime();
      for (int q = 0; q < queries; q++) {
        got.add(
            backend.knn(collection, KnnQuery.of("e", qs[q], 10)).hits().stream()
                .map(Hit::id)
                .toList());
      }
      double query = (System.nanoTime() - t1) / 1e9;
      double recall = 0;
      for (int q = 0; q < queries; q++) {
        recall +=
            Reference.recall(
                got.get(q), Reference.topK(Similarity.COSINE, base, qs[q], 10, i -> true));
      }
      return new Result(label, n, dim, batch, ingest, queries, query, recall / queries);
    } finally {
      backend.dropCollection(collection);
    }
  }
}
