package dev.bindery.server.http;

/**
 * Where one request's time went inside the server, sent back as a W3C {@code Server-Timing} header
 * ({@code read;dur=0.41, wait;dur=0.02, search;dur=3.10, respond;dur=0.22, total;dur=3.80}, in
 * milliseconds), so a client can tell the engine's time from the server's own and from the network
 * without a profiler. Phases are appended in the order they ran; {@code total} runs from the start
 * of the route's first handler to the header being written. One per request, not thread-safe.
 */
final class ServerTiming {
  static final String HEADER = "Server-Timing";

  private final long start;
  private final StringBuilder phases = new StringBuilder();
  private long mark;

  /** Timing from {@code startNanos} ({@link System#nanoTime()}), the request's first handler. */
  ServerTiming(long startNanos) {
    this.start = startNanos;
    this.mark = startNanos;
  }

  /** Ends the phase {@code name}: the time since the previous phase ended (or the start). */
  void phase(String name) {
    long now = System.nanoTime();
    add(name, now - mark);
    mark = now;
  }

  /** Adds a phase measured elsewhere (e.g. on a search thread) and moves the mark to now. */
  void add(String name, long nanos) {
    if (!phases.isEmpty()) {
      phases.append(", ");
    }
    phases.append(name).append(";dur=").append(millis(nanos));
  }

  /** Moves the mark to now without recording a phase (after phases added with {@link #add}). */
  void resetMark() {
    mark = System.nanoTime();
  }

  /** The header value, with {@code total} from the start to now. */
  String header() {
    StringBuilder sb = new StringBuilder(phases);
    if (!sb.isEmpty()) {
      sb.append(", ");
    }
    return sb.append("total;dur=").append(millis(System.nanoTime() - start)).toString();
  }

  /** Milliseconds with three decimals; by hand, since String.format showed in the profile. */
  static String millis(long nanos) {
    long micros = (Math.max(0, nanos) + 500) / 1000;
    long frac = micros % 1000;
    return (micros / 1000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
  }
}
