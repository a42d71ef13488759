package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.eval.bench.InterleavedAnnBenchmark.Spread;
import dev.bindery.fusion.query.TextEmbeddingCache;
import dev.bindery.indexer.AtomicFiles;
import dev.bindery.server.cli.TextTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report of one {@code bench http} run, filled in as the run goes: the JSON tree ({@code
 * --json}) and the terminal tables (QPS and latency per client count with the HTTP/in-process
 * ratio, where an HTTP request's time went), then the lines on the target, the machine's
 * load, the text-embedding cache and the two paths' agreement.
 */
final class HttpBenchReport {
  /** Issue #19: HTTP at >= 0.9x in-process at 4 and 16 clients (measured where asked for). */
  static final double TARGET_RATIO = 0.9;

  static final List<Integer> TARGET_CLIENTS = List.of(4, 16);

  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final ObjectNode root = json.createObjectNode();
  private final TextTable table =
      new TextTable(
          ">clients",
          ">in-process QPS",
          ">p50 ms",
          ">p99 ms",
          ">HTTP QPS",
          ">p50 ms",
          ">p99 ms",
          ">HTTP/in-process",
          ">round spread");
  private final TextTable breakdown = ServerPhases.table();
  private final Map<Integer, Double> ratios = new TreeMap<>();
  private ArrayNode results;
  private long cacheHits;
  private long cacheMisses;

  /**
   * @param command the command line that ran the bench
   */
  HttpBenchReport(String command) {
    root.put("benchmark", "http");
    root.put("command", command);
    ObjectNode m = root.putObject("machine");
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", Runtime.version().toString());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    m.put("load_average_before", loadAverage());
  }

  /** The mapper the HTTP mode writes its request bodies with. */
  ObjectMapper json() {
    return json;
  }

  void collection(String name, int items, Path data, HttpBenchCollection.Status status) {
    ObjectNode coll = root.putObject("collection");
    coll.put("name", name);
    coll.put("items", items);
    coll.put("data", data.toAbsolutePath().normalize().toString());
    coll.put("model", ModelPackage.DEFAULT_TEXT);
    coll.put("cached", status.cached());
    if (!status.cached()) {
      coll.put("build_seconds", round(status.buildSeconds(), 1));
      coll.put("dim", status.dim());
    }
  }

  void settings(
      String queryKind,
      String httpClient,
      int k,
      int distinctQueries,
      int requests,
      int rounds,
      int warmup) {
    root.put("query_kind", queryKind);
    root.put("http_client", httpClient);
    root.put("k", k);
    root.put("distinct_queries", distinctQueries);
    root.put("requests_per_client", requests);
    root.put("rounds", rounds);
    root.put("warmup_per_mode", warmup);
  }

  /**
   * How the warm-up ended: the requests each mode ran in all, how long it took, and whether the JIT
   * had settled (a last warm-up batch with almost no compilation) or the time cap came first.
   */
  void warmedUp(long requestsPerMode, double seconds, boolean jitSettled) {
    ObjectNode o = root.putObject("warmup");
    o.put("requests_per_mode", requestsPerMode);
    o.put("seconds", round(seconds, 1));
    o.put("jit_settled", jitSettled);
  }

  /** What held before measuring: the server's search threads and the two paths' agreement. */
  void measuring(int searchThreads, SearchLoad.Agreement agreement) {
    root.put("search_threads", searchThreads);
    ObjectNode o = root.putObject("agreement");
    o.put("queries", agreement.queries());
    o.put("same_ids", agreement.sameIds());
    results = root.putArray("results");
  }

  /**
   * One client count: both modes' pooled runs, the per-round HTTP/in-process QPS ratios (reported
   * as their median: each round's two modes ran minutes apart at most, so their ratio is less
   * exposed to the machine's load drifting than pooled QPS is) and the HTTP requests' phases.
   */
  void clients(
      int clients,
      SearchLoad.Stats inProcess,
      SearchLoad.Stats http,
      double[] roundRatios,
      ServerPhases phases) {
    Spread spread = Spread.of(roundRatios);
    ratios.put(clients, spread.median());
    ObjectNode row = results.addObject();
    row.put("clients", clients);
    row.set("in_process", toJson(inProcess));
    row.set("http", toJson(http));
    row.put("qps_ratio_http_over_in_process", round(spread.median(), 3));
    ArrayNode perRound = row.putArray("round_ratios");
    for (double x : roundRatios) {
      perRound.add(round(x, 3));
    }
    row.put("round_ratio_min", round(spread.min(), 3));
    row.put("round_ratio_max", round(spread.max(), 3));
    row.set("http_breakdown_ms", phases.toJson(json, http.meanMs()));
    breakdown.row(
        phases.cells(
            clients,
            http.meanMs(),
            inProcess.cpuMsPerRequest(),
            http.cpuMsPerRequest(),
            http.clientCpuMsPerRequest()));
    table.row(
        clients,
        fmt(inProcess.qps(), 1),
        fmt(inProcess.percentileMs(50), 2),
        fmt(inProcess.percentileMs(99), 2),
        fmt(http.qps(), 1),
        fmt(http.percentileMs(50), 2),
        fmt(http.percentileMs(99), 2),
        fmt(spread.median(), 3),
        fmt(spread.min(), 3) + "-" + fmt(spread.max(), 3));
  }

  /** After measuring: the target, the text-embedding cache's use while measuring, the load. */
  void finish(TextEmbeddingCache.Stats cacheBefore, TextEmbeddingCache.Stats cacheAfter) {
    root.put("target_ratio", TARGET_RATIO);
    root.put("target_clients", "4,16");
    List<Integer> targeted = targeted();
    if (!targeted.isEmpty()) {
      root.put("meets_target", targeted.stream().allMatch(c -> ratios.get(c) >= TARGET_RATIO));
    }
    cacheHits = cacheAfter.hits() - cacheBefore.hits();
    cacheMisses = cacheAfter.misses() - cacheBefore.misses();
    ObjectNode cache = root.putObject("text_embedding_cache");
    cache.put("hits", cacheHits);
    cache.put("misses", cacheMisses);
    cache.put("hit_rate", cacheHits + cacheMisses == 0 ? 0 : round(hitRate(), 4));
    cache.put("capacity", cacheAfter.capacity());
    root.put("load_average_after", loadAverage());
  }

  /** Prints {@code title}, the tables and the closing lines. */
  void print(PrintWriter out, String title) {
    out.println(title);
    table.print(out, "  ");
    out.println(
        "HTTP/in-process: the median of the per-round ratios; spread: their min-max. Where an"
            + " HTTP request's time went, mean ms per request (from the server's Server-Timing"
            + " header; outside: client, loopback and Jetty before the route's handlers) and the"
            + " process's CPU ms per request in each mode:");
    breakdown.print(out, "  ");
    for (int c : targeted()) {
      out.printf(
          Locale.ROOT,
          "HTTP/in-process QPS at %d clients: %.3f (target >= %.2f)%n",
          c,
          ratios.get(c),
          TARGET_RATIO);
    }
    out.printf(
        Locale.ROOT,
        "Load average (1 min): %.2f at the start, %.2f at the end%n",
        root.at("/machine/load_average_before").asDouble(),
        root.get("load_average_after").asDouble());
    out.printf(
        Locale.ROOT,
        "Text-embedding cache while measuring: %d hits, %d misses (hit rate %.3f)%n",
        cacheHits,
        cacheMisses,
        cacheHits + cacheMisses == 0 ? 0.0 : hitRate());
    out.println(
        "HTTP and in-process returned the same ids for "
            + root.at("/agreement/same_ids").asInt()
            + " of "
            + root.at("/agreement/queries").asInt()
            + " queries");
  }

  /** Writes the JSON tree to {@code file}, replacing it atomically. */
  void write(Path file) throws IOException {
    AtomicFiles.write(file, json.writeValueAsBytes(root));
  }

  private List<Integer> targeted() {
    return TARGET_CLIENTS.stream().filter(ratios::containsKey).toList();
  }

  private double hitRate() {
    return (double) cacheHits / (cacheHits + cacheMisses);
  }

  private ObjectNode toJson(SearchLoad.Stats s) {
    ObjectNode o = json.createObjectNode();
    o.put("requests", s.requests());
    o.put("seconds", round(s.seconds(), 3));
    o.put("qps", round(s.qps(), 1));
    o.put("p50_ms", round(s.percentileMs(50), 3));
    o.put("p99_ms", round(s.percentileMs(99), 3));
    o.put("cpu_ms_per_request", round(s.cpuMsPerRequest(), 3));
    if (!Double.isNaN(s.clientCpuMsPerRequest())) {
      o.put("client_threads_cpu_ms_per_request", round(s.clientCpuMsPerRequest(), 3));
    }
    return o;
  }

  private static double loadAverage() {
    return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2);
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static String fmt(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }
}
