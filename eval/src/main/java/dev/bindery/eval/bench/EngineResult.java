package dev.bindery.eval.bench;

import java.util.List;
import java.util.Objects;

/**
 * One ANN engine's figures in a side-by-side run, in the same shape for Bindery's storages and for
 * the peers (hnswlib, FAISS), so reports and plots treat them alike.
 *
 * @param name what the report calls it: {@code bindery float32}, {@code hnswlib}, ...
 * @param version library version it ran (Lucene's for Bindery, the Debian package for peers)
 * @param count vectors indexed
 * @param buildSeconds from the first vector to one searchable graph (for Bindery: ingest, commit
 *     and the merge to one segment)
 * @param buildCpuSeconds CPU time of the building process over the same span, all its threads
 * @param buildThreads threads that built the graph
 * @param buildNote how the build time is made up and which threads ran it, for the report
 * @param indexBytes bytes of the saved index (all files)
 * @param searchBytes bytes a search reads: the graph plus the vectors it scores (for a quantized
 *     Bindery storage the quantized vectors, not the float32 copy kept for rescoring)
 * @param runs one per ef, in the order measured
 */
public record EngineResult(
    String name,
    String version,
    int count,
    double buildSeconds,
    double buildCpuSeconds,
    int buildThreads,
    String buildNote,
    long indexBytes,
    long searchBytes,
    List<Run> runs) {

  /**
   * Queries at one ef, timed on one thread.
   *
   * @param ef query-time candidate list size
   * @param recall mean over queries of |hits ∩ exact top k| / k
   * @param qps queries per second, one query per call
   * @param cpuQps queries per CPU second of the querying process, all its threads (robust to a busy
   *     machine)
   * @param p50Ms median latency
   * @param p99Ms 99th-percentile latency
   * @param batchQps the same queries in one call on one thread (peers only; NaN when not measured)
   */
  public record Run(
      int ef,
      double recall,
      double qps,
      double cpuQps,
      double p50Ms,
      double p99Ms,
      double batchQps) {
    public Run {
      if (!(recall >= 0 && recall <= 1)) {
        throw new IllegalArgumentException(
            "recall must be in [0, 1], got " + recall + " at ef=" + ef);
      }
      if (!(qps > 0) || !Double.isFinite(qps) || !(cpuQps > 0) || !Double.isFinite(cpuQps)) {
        throw new IllegalArgumentException(
            "qps and cpu qps must be finite and > 0, got " + qps + ", " + cpuQps + " at ef=" + ef);
      }
    }
  }

  public EngineResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(buildNote, "buildNote");
    runs = List.copyOf(runs);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(name + ": no runs");
    }
    if (count < 1 || !(buildSeconds > 0) || !(buildCpuSeconds >= 0) || buildThreads < 1) {
      throw new IllegalArgumentException(
          name
              + ": count, build seconds (elapsed, CPU) and build threads must be positive, got "
              + count
              + ", "
              + buildSeconds
              + ", "
              + buildCpuSeconds
              + ", "
              + buildThreads);
    }
  }

  /** The recall-versus-QPS curve of {@link #runs}: wall-clock QPS, or CPU-time QPS. */
  public RecallCurve curve(Clock clock) {
    return new RecallCurve(
        runs.stream()
            .map(
                r ->
                    new RecallCurve.Point(
                        r.ef(), r.recall(), clock == Clock.WALL ? r.qps() : r.cpuQps()))
            .toList());
  }

  /** Which time a speed is measured in. */
  public enum Clock {
    /**
     * Elapsed time: what a user waits; on a shared machine it includes time others held the core.
     */
    WALL,
    /** CPU time of the thread (queries) or process (build) doing the work. */
    CPU
  }

  /** Build time in {@code clock}. */
  public double buildSeconds(Clock clock) {
    return clock == Clock.WALL ? buildSeconds : buildCpuSeconds;
  }

  /** Vectors indexed per second of build. */
  public double buildVectorsPerSecond() {
    return count / buildSeconds;
  }

  public double bytesPerVector() {
    return (double) indexBytes / count;
  }

  public double searchBytesPerVector() {
    return (double) searchBytes / count;
  }
}
