package dev.bindery.server.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The waits between one request's tries to a model hub: doubling from {@link
 * HubSettings#initialBackoff()} up to {@link HubSettings#maxBackoff()}, or what the hub asks for in
 * {@code Retry-After} (seconds or an HTTP date, capped the same way). One per retried request, not
 * thread-safe.
 *
 * <p>Why the retry loops ({@link HubTransport#get}, {@link ResumableDownload}) are written by hand
 * rather than run through Failsafe's {@code RetryPolicy} (as the generator's chat retry is): every
 * wait goes through {@link HubSettings#sleeper()}, so the tests against a local hub record the
 * waits (a {@code Retry-After: 7} must give two 7 s waits) instead of sleeping them; a synchronous
 * Failsafe execution sleeps the calling thread itself and takes no sleeper. And a download attempt
 * is not a pure function of its inputs: it re-reads the partial file to resume from, a 416 deletes
 * that file and retries at once while still spending an attempt, and the last failure's message
 * depends on which kind of answer it was (a status, a dropped connection, a refused range); with a
 * policy those would travel as a result object through {@code handleIf}, {@code withDelayFn} and a
 * second switch after the call, which is longer than the loop it replaces.
 */
final class HubBackoff {
  private final HubSettings settings;
  private Duration wait;

  HubBackoff(HubSettings settings) {
    this.settings = settings;
    this.wait = settings.initialBackoff();
  }

  /** Waits after a retryable answer (429, 5xx), honouring its Retry-After; discards its body. */
  void after(HttpResponse<?> r) {
    Duration asked = retryAfter(r);
    if (r.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException ignored) {
        // the response is discarded anyway
      }
    }
    sleep(asked);
  }

  /** Waits after a dropped connection: the doubling backoff. */
  void afterFailure() {
    sleep(null);
  }

  // Retry-After as seconds or an HTTP date; null when absent or unreadable (our own backoff then).
  private static Duration retryAfter(HttpResponse<?> r) {
    Optional<String> ra = r.headers().firstValue("retry-after");
    if (ra.isEmpty()) {
      return null;
    }
    String v = ra.get().trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration asked = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return asked.isNegative() ? Duration.ZERO : asked;
      } catch (RuntimeException notDate) {
        return null;
      }
    }
  }

  private void sleep(Duration asked) {
    Duration d = asked != null ? asked : wait;
    if (d.compareTo(settings.maxBackoff()) > 0) {
      d = settings.maxBackoff();
    }
    try {
      settings.sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(0, "interrupted while waiting to retry", e);
    }
    Duration next = wait.multipliedBy(2);
    wait = next.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : next;
  }
}
