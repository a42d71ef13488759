package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.server.cli.TextTable;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sums the phases of the search responses' {@code Server-Timing} headers ({@code read;dur=0.41,
 * wait;dur=0.02, search;dur=3.1, respond;dur=0.2, total;dur=3.8}, ms) over the requests of one
 * client count, so the bench can say where an HTTP request's time went: in the engine, in the
 * server around it, or outside the server's handlers (client, loopback, Jetty). Thread-safe: client
 * threads add concurrently.
 */
final class ServerPhases {
  /** The phases the search route reports, in the order they run. */
  static final List<String> PHASES = List.of("read", "wait", "search", "respond");

  private final ConcurrentHashMap<String, DoubleAdder> sums = new ConcurrentHashMap<>();
  private final LongAdder responses = new LongAdder();

  /** Adds one response's header value; a value that is not {@code name;dur=ms, ...} is refused. */
  void add(String header) {
    // Parsed whole before anything is added, so a malformed header adds nothing.
    java.util.Map<String, Double> parsed = new java.util.LinkedHashMap<>();
    for (String part : header.split(",")) {
      String p = part.trim();
      int semi = p.indexOf(";dur=");
      if (semi <= 0) {
        throw new IllegalArgumentException(
            "Server-Timing entry '" + p + "' is not name;dur=ms (header: " + header + ")");
      }
      double ms;
      try {
        ms = Double.parseDouble(p.substring(semi + ";dur=".length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "Server-Timing entry '" + p + "' has no number of ms (header: " + header + ")", e);
      }
      parsed.put(p.substring(0, semi), ms);
    }
    parsed.forEach((name, ms) -> sums.computeIfAbsent(name, n -> new DoubleAdder()).add(ms));
    responses.increment();
  }

  void reset() {
    sums.clear();
    responses.reset();
  }

  /** Mean ms per response of {@code phase}; 0 when none reported it. */
  double meanMs(String phase) {
    long n = responses.sum();
    DoubleAdder sum = sums.get(phase);
    return n == 0 || sum == null ? 0 : sum.sum() / n;
  }

  static TextTable table() {
    return new TextTable(
        ">clients",
        ">read",
        ">wait",
        ">search",
        ">respond",
        ">server total",
        ">outside",
        ">client latency",
        ">CPU in-process",
        ">CPU HTTP",
        ">of which client");
  }

  /**
   * A row of {@link #table()}: the phases, the server's total, the rest of {@code clientMs}, and
   * the process's CPU ms per request in each mode, and of the HTTP mode's the client threads' own
   * (formatting, socket calls, reading the answer; the rest is the server's and the JVM's).
   */
  Object[] cells(
      int clients, double clientMs, double cpuInProcess, double cpuHttp, double cpuHttpClient) {
    double total = meanMs("total");
    return new Object[] {
      clients,
      fmt(meanMs("read")),
      fmt(meanMs("wait")),
      fmt(meanMs("search")),
      fmt(meanMs("respond")),
      fmt(total),
      fmt(clientMs - total),
      fmt(clientMs),
      fmt(cpuInProcess),
      fmt(cpuHttp),
      Double.isNaN(cpuHttpClient) ? "-" : fmt(cpuHttpClient)
    };
  }

  ObjectNode toJson(ObjectMapper json, double clientMs) {
    ObjectNode o = json.createObjectNode();
    o.put("responses", responses.sum());
    for (String phase : PHASES) {
      o.put(phase, round(meanMs(phase)));
    }
    o.put("server_total", round(meanMs("total")));
    o.put("outside_server", round(clientMs - meanMs("total")));
    o.put("client_latency", round(clientMs));
    return o;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
