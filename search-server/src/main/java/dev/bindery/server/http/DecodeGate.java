package dev.bindery.server.http;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds how many media decodes (images, audio, video: ingest and query terms alike) run at once.
 * Each decode may hold up to the decoders' byte limits in memory (a raster, a resampled signal), so
 * N parallel worst cases would need N times that; with the gate the worst case is the permit count
 * times one decode, whatever the number of clients. A request that cannot get a permit within the
 * request timeout gets 503 with Retry-After. Thread-safe.
 */
final class DecodeGate {
  private final Semaphore permits;
  private final int size;
  private final Duration wait;

  DecodeGate(int permits, Duration wait) {
    this.permits = new Semaphore(permits, true);
    this.size = permits;
    this.wait = wait;
  }

  /** Runs one decode (and its embedding) under a permit. */
  <T> T run(String what, Supplier<T> decode) {
    boolean acquired;
    try {
      acquired = permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiProblem.unavailable(
          "busy", "Server busy", "interrupted waiting to decode " + what, 1);
    }
    if (!acquired) {
      throw ApiProblem.unavailable(
          "busy",
          "Server busy",
          "the server is already decoding "
              + size
              + " media files (serve --max-decodes) and "
              + what
              + " waited "
              + wait.toSeconds()
              + " s for its turn; retry shortly",
          1);
    }
    try {
      return decode.get();
    } finally {
      permits.release();
    }
  }
}
