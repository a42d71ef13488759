package dev.bindery.eval.bench;

/**
 * One ANN engine as the interleaved harness ({@link InterleavedAnnBenchmark}) drives it: build a
 * fresh index over the base vectors, then answer every query one at a time at a given ef, as often
 * as asked. Each call times itself, elapsed and CPU, so the harness can alternate engines round by
 * round and compare them per round.
 */
interface RoundEngine extends AutoCloseable {

  /** The name reports use ("bindery-float32", "hnswlib-native", "jvector"). */
  String name();

  /** Version and settings, for the report. */
  String describe();

  /** Threads a build uses. */
  default int buildThreads() {
    return 1;
  }

  /** Builds a fresh index over the base vectors, replacing the last one, and times it. */
  Build build() throws Exception;

  /** Answers every query once, one at a time on one thread, at candidate list size {@code ef}. */
  Round query(int ef) throws Exception;

  /**
   * One build.
   *
   * @param seconds elapsed
   * @param cpuSeconds CPU time of the engine's process during the build
   * @param indexBytes the index's size in bytes, or -1 where the engine cannot tell
   */
  record Build(double seconds, double cpuSeconds, long indexBytes) {}

  /**
   * One pass over the queries.
   *
   * @param ids row indexes of the top k per query, best first (-1 for an empty slot)
   * @param seconds elapsed
   * @param cpuSeconds CPU time of the thread that answered the queries (in-process engines: the
   *     JVM's process CPU clock ticks in 10 ms steps, too coarse for a pass of a few hundred
   *     queries; after warm-up the compiler and collector threads add little) or of the engine's
   *     process (hnswlib-native, whose only thread answers them)
   * @param cost what an average query read, where the engine can tell (Bindery); else null
   */
  record Round(int[][] ids, double seconds, double cpuSeconds, Cost cost) {
    Round(int[][] ids, double seconds, double cpuSeconds) {
      this(ids, seconds, cpuSeconds, null);
    }

    double qps() {
      return ids.length / seconds;
    }

    double cpuQps() {
      return cpuSeconds > 0 ? ids.length / cpuSeconds : Double.NaN;
    }
  }

  /**
   * What an average query of a pass touched.
   *
   * @param visited vectors the graph search scored (Lucene's visited count)
   * @param rescored candidates scored again at full precision (quantized storages)
   * @param vectorBytes bytes of vector data those scores read: visited times the bytes of one
   *     stored vector (quantized code with its corrections, or float32), plus rescored times the
   *     float32 vector; graph neighbour lists and doc values not included
   */
  record Cost(double visited, double rescored, double vectorBytes) {}

  @Override
  void close() throws Exception;

  /** CPU time of the calling thread in nanoseconds (nanosecond resolution on Linux). */
  static long threadCpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }
}
