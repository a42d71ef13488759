package dev.bindery.fusion.ingest;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What an ingest run did.
 *
 * @param skipped inputs that were not ingested, with the reason (the run went on without them)
 * @param stages where the time went, per stage, summed over the threads that ran it
 */
public record IngestReport(
    long added,
    long replaced,
    long unchanged,
    List<Skip> skipped,
    long elapsedNanos,
    Map<Stage, StageTime> stages) {

  /** An input that was not ingested. */
  public record Skip(String source, String reason) {}

  /** The stages of an ingest, in the order an item passes them. */
  public enum Stage {
    /** reading the input (file bytes, manifest line), the content hash and the unchanged check */
    READ,
    /** decoding and preprocessing media (and embedding text, audio and video, item by item) */
    DECODE,
    /** the image tower on batches of preprocessed images */
    TOWER,
    /** index writes */
    WRITE,
    /** commits */
    COMMIT
  }

  /**
   * Time spent in one stage.
   *
   * @param wallNanos elapsed time inside the stage, summed over the threads that ran it
   * @param cpuNanos CPU time of those threads inside the stage (0 where the JVM cannot measure it);
   *     threads the stage hands work to are not counted: ONNX Runtime's own pool, which does most
   *     of a tower run, and Lucene's merge threads (a process's CPU time covers them)
   */
  public record StageTime(long wallNanos, long cpuNanos) {
    StageTime plus(long wall, long cpu) {
      return new StageTime(wallNanos + wall, cpuNanos + cpu);
    }
  }

  public IngestReport {
    skipped = List.copyOf(skipped);
    Map<Stage, StageTime> all = new EnumMap<>(Stage.class);
    for (Stage s : Stage.values()) {
      all.put(
          s, stages == null ? new StageTime(0, 0) : stages.getOrDefault(s, new StageTime(0, 0)));
    }
    stages = java.util.Collections.unmodifiableMap(all);
  }

  /** A report without stage times. */
  public IngestReport(
      long added, long replaced, long unchanged, List<Skip> skipped, long elapsedNanos) {
    this(added, replaced, unchanged, skipped, elapsedNanos, null);
  }

  public long written() {
    return added + replaced;
  }

  public double itemsPerSecond() {
    long n = added + replaced + unchanged;
    return elapsedNanos <= 0 ? 0 : n / (elapsedNanos / 1e9);
  }
}
