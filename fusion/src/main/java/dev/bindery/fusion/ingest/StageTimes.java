package dev.bindery.fusion.ingest;

import dev.bindery.fusion.ingest.IngestReport.Stage;
import dev.bindery.fusion.ingest.IngestReport.StageTime;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where one ingest run's time went: wall and CPU time per {@link Stage}, summed over the threads
 * that ran it. Filled on the calling thread only (workers measure their own share and hand it over
 * with their result).
 */
final class StageTimes {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Stage, StageTime> stages = new EnumMap<>(Stage.class);

  StageTimes() {
    for (Stage s : Stage.values()) {
      stages.put(s, new StageTime(0, 0));
    }
  }

  void add(Stage stage, long wallNanos, long cpuNanos) {
    stages.put(stage, stages.get(stage).plus(wallNanos, cpuNanos));
  }

  /** The times so far ({@link IngestReport} copies them). */
  Map<Stage, StageTime> asMap() {
    return stages;
  }

  /** The calling thread's CPU time, or 0 where the JVM cannot measure it. */
  static long cpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
  }
}
