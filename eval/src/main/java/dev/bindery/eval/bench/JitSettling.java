package dev.bindery.eval.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JIT compiler has settled: a warm-up step during which compilation took under 2% of
 * the step's elapsed time. Benchmarks warm up until then, since compiler threads still busy with
 * the measured path land in its elapsed and CPU time, which is warm-up, not the cost measured.
 */
final class JitSettling {
  /** Compilation time, as a share of a step's elapsed time, under which the JIT has settled. */
  static final double SETTLED_SHARE = 0.02;

  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private JitSettling() {}

  /** A step of warm-up work. */
  interface Step<E extends Exception> {
    void run() throws E;
  }

  /** Whether this JVM reports its compilation time (without it, nothing can be told). */
  static boolean measurable() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported();
  }

  /**
   * Runs {@code step} and tells whether the JIT compiled for under {@link #SETTLED_SHARE} of its
   * elapsed time; true when the JVM cannot tell ({@link #measurable()}).
   */
  static <E extends Exception> boolean settledDuring(Step<E> step) throws E {
    if (!measurable()) {
      step.run();
      return true;
    }
    long compiled = JIT.getTotalCompilationTime();
    long start = System.nanoTime();
    step.run();
    double stepMs = (System.nanoTime() - start) / 1e6;
    return JIT.getTotalCompilationTime() - compiled < SETTLED_SHARE * stepMs;
  }
}
