package dev.bindery.indexer.lucene;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.Version;

/**
 * Nanoseconds per float dot product with whatever Lucene is on the class path: the kernel every
 * HNSW comparison runs. Uses only {@code VectorUtil.dotProduct(float[], float[])} and {@code
 * Version.LATEST}, which Lucene 9 and 10 share, so the same class file times Lucene 10.6 (the
 * indexer's) and Lucene 9.12 (Solr 9's, in the solrcloud module). Not a test; {@code
 * indexer/bench/vector-kernels.sh} builds it and runs it against both, taking turns, and prints the
 * ratio.
 *
 * <p>Times are this thread's CPU time, not elapsed time, so other processes on a shared machine do
 * not inflate them (waiting for a core is not counted). Arguments: DIM (768) ROUNDS (7). Prints one
 * line {@code RESULT lucene=... jdk=... dim=... ns_per_dot=<median of the rounds>} after the
 * rounds.
 */
public final class VectorKernelBenchMain {
  /** Vectors in the pool: 1,024 x 768 floats is 3 MiB, out of L1/L2 like a graph's neighbours. */
  private static final int POOL = 1024;

  private static final int CALLS_PER_ROUND = 2_000_000;

  private VectorKernelBenchMain() {}

  public static void main(String[] args) {
    int dim = args.length > 0 ? Integer.parseInt(args[0]) : 768;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    SplittableRandom random = new SplittableRandom(42);
    float[][] pool = new float[POOL][dim];
    for (float[] v : pool) {
      for (int i = 0; i < dim; i++) {
        v[i] = (float) random.nextGaussian();
      }
    }
    double sink = 0;
    // Warm-up: enough calls for C2 to compile the kernel (and the Panama one where it is used).
    for (int i = 0; i < CALLS_PER_ROUND; i++) {
      sink += VectorUtil.dotProduct(pool[i & (POOL - 1)], pool[(i * 31 + 7) & (POOL - 1)]);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] ns = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < CALLS_PER_ROUND; i++) {
        sink += VectorUtil.dotProduct(pool[i & (POOL - 1)], pool[(i * 31 + 7) & (POOL - 1)]);
      }
      ns[r] = (threads.getCurrentThreadCpuTime() - t0) / (double) CALLS_PER_ROUND;
    }
    Arrays.sort(ns);
    System.out.printf(
        Locale.ROOT,
        "RESULT lucene=%s jdk=%s dim=%d rounds=%d cpu_ns_per_dot=%.1f min=%.1f max=%.1f (sink %.3g)%n",
        Version.LATEST,
        Runtime.version(),
        dim,
        rounds,
        ns[rounds / 2],
        ns[0],
        ns[rounds - 1],
        sink);
  }
}
