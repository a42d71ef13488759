package dev.bindery.fusion.ingest;

import java.util.List;

/**
 * What an ingest run did.
 *
 * @param skipped inputs that were not ingested, with the reason (the run went on without them)
 */
public record IngestReport(
    long added, long replaced, long unchanged, List<Skip> skipped, long elapsedNanos) {

  /** An input that was not ingested. */
  public record Skip(String source, String reason) {}

  public IngestReport {
    skipped = List.copyOf(skipped);
  }

  public long written() {
    return added + replaced;
  }

  public double itemsPerSecond() {
    long n = added + replaced + unchanged;
    return elapsedNanos <= 0 ? 0 : n / (elapsedNanos / 1e9);
  }
}
