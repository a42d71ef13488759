package dev.bindery.indexer.lucene;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads Lucene may use to build the HNSW graph of a merged segment ({@code numMergeWorkers} and
 * the executor of {@code Lucene99HnswVectorsFormat} and the scalar-quantized format): with more
 * than one, a merge (the {@code forceMerge(1)} that rebuilds one graph from every segment's vectors
 * included) inserts vectors from several threads at once. With more than one worker, or from {@link
 * #bulk}, flushed segments are written without a graph ({@link FlushWithoutGraphFormat}: searched
 * exactly until a merge), so the merge builds the whole graph instead of inserting into the largest
 * flushed graph; this is a bulk-build setting. The caller that creates an instance closes it after
 * the backend that uses it.
 */
public final class HnswMergeWorkers implements AutoCloseable {

  private static final HnswMergeWorkers NONE = new HnswMergeWorkers(1, null, false);
  private static final HnswMergeWorkers BULK_ONE = new HnswMergeWorkers(1, null, true);

  private final int count;
  private final ExecutorService executor;
  private final boolean graphsAtMerge;

  private HnswMergeWorkers(int count, ExecutorService executor, boolean graphsAtMerge) {
    this.count = count;
    this.executor = executor;
    this.graphsAtMerge = graphsAtMerge;
  }

  /** Single-threaded merges: Lucene's default. */
  public static HnswMergeWorkers none() {
    return NONE;
  }

  /** {@code threads} merge workers on a pool of daemon threads; 1 is {@link #none()}. */
  public static HnswMergeWorkers of(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("merge threads must be >= 1, got " + threads);
    }
    if (threads == 1) {
      return NONE;
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "bindery-hnsw-merge-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return new HnswMergeWorkers(threads, pool, true);
  }

  /**
   * A bulk build: flushed segments get no graph and merges build it, from {@code threads} workers
   * ({@link #of} for more than one; with one, the merge builds the graph on the merging thread).
   * Building from the merged segment's off-heap vectors uses Lucene's bulk scorers, which the
   * on-heap graph building of a flush does not, so even on one thread this is the faster way to
   * load a collection that ends in {@code forceMerge} (docs/benchmarks/ann-rounds.md).
   */
  public static HnswMergeWorkers bulk(int threads) {
    return threads == 1 ? BULK_ONE : of(threads); // of refuses fewer than one
  }

  /** True if flushed segments skip their graph and only merges build graphs. */
  public boolean graphsAtMerge() {
    return graphsAtMerge;
  }

  /** How many threads a merge builds its graph with. */
  public int count() {
    return count;
  }

  /** The pool they run on, or null for one thread. */
  ExecutorService executor() {
    return executor;
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.close();
    }
  }

  @Override
  public String toString() {
    String workers = count == 1 ? "single-threaded HNSW merges" : count + " HNSW merge workers";
    return graphsAtMerge ? workers + " (graphs built at merge)" : workers;
  }
}
