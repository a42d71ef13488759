package dev.bindery.indexer.lucene;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads Lucene may use to build the HNSW graph of a merged segment ({@code numMergeWorkers} and
 * the executor of {@code Lucene99HnswVectorsFormat} and the scalar-quantized format): with more
 * than one, a merge (the {@code forceMerge(1)} that rebuilds one graph from every segment's vectors
 * included) inserts vectors from several threads at once. With more than one worker, flushed
 * segments are written without a graph ({@link FlushWithoutGraphFormat}: searched exactly until a
 * merge), so the merge builds the whole graph from every worker instead of inserting into the
 * largest flushed graph; this is a bulk-build setting. The caller that creates an instance closes
 * it after the backend that uses it.
 */
public final class HnswMergeWorkers implements AutoCloseable {

  private static final HnswMergeWorkers NONE = new HnswMergeWorkers(1, null);

  private final int count;
  private final ExecutorService executor;

  private HnswMergeWorkers(int count, ExecutorService executor) {
    this.count = count;
    this.executor = executor;
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
    return new HnswMergeWorkers(threads, pool);
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
    return count == 1 ? "single-threaded HNSW merges" : count + " HNSW merge workers";
  }
}
