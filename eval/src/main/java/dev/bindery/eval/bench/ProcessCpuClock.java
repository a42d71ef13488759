package dev.bindery.eval.bench;

import java.lang.management.ManagementFactory;

/**
 * The CPU time of every thread of this JVM so far (garbage collector and JIT compiler included),
 * which the benchmarks report beside elapsed time: other processes on a shared machine stretch the
 * elapsed time but not this. It advances in scheduler ticks (10 ms on Linux), so a pass shorter
 * than a tick can read 0.
 */
final class ProcessCpuClock {
  private ProcessCpuClock() {}

  /** Whether this JVM reports its process CPU time ({@code com.sun.management}). */
  static boolean isAvailable() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0;
  }

  /** Nanoseconds of CPU time so far, or 0 where the JVM cannot tell (see {@link #isAvailable}). */
  static long nanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }
}
