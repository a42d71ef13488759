package dev.bindery.eval.bench;

import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.TextEmbeddingCache;
import dev.bindery.server.cli.BinderyCli;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bindery bench http}: search throughput and latency over loopback HTTP against the same
 * queries run in-process through the same {@link Bindery} facade, in the same run, at several
 * client counts. Load is closed-loop and bounded: each client sends its requests one after another,
 * so nothing queues without limit. The collection (items with precomputed 384-d vectors clustered
 * around MiniLM embeddings of topic phrases) is built once and reused from the data directory.
 *
 * <p>This class holds the options and the order of the run (collection, server, agreement, warm-up,
 * A-B/B-A rounds per client count); the pieces are {@link HttpBenchCollection} (data and queries),
 * {@link SearchLoad} (the closed-loop clients) over {@link InProcessSearch} and {@link HttpSearch},
 * and {@link HttpBenchReport} (JSON and tables).
 */
@Command(
    name = "http",
    description = {
      "HTTP vs in-process search: QPS, p50 and p99 at several client counts, their ratio (median"
          + " over rounds), where the HTTP time went (Server-Timing) and CPU per request.",
      "Builds (once, cached in --data) a collection of --items items with 384-d vectors near MiniLM"
          + " embeddings of topic phrases; queries are text:\"...\" expressions embedded by MiniLM."
    })
public final class HttpBenchCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--items",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Items in the collection (default: ${DEFAULT-VALUE}).")
  private int items;

  @Option(
      names = "--clients",
      paramLabel = "N,N,...",
      split = ",",
      defaultValue = "1,4,16",
      description = "Concurrent clients to measure at (default: ${DEFAULT-VALUE}).")
  private List<Integer> clients;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "2000",
      description = "Requests per client per round and mode (default: ${DEFAULT-VALUE}).")
  private int requests;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "3",
      description = "Rounds per client count; modes alternate A-B-B-A (default: ${DEFAULT-VALUE}).")
  private int rounds;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "Untimed requests per mode before measuring (default: ${DEFAULT-VALUE}): the JIT"
              + " needs thousands of searches to settle; with a few hundred, the first rounds"
              + " measured compilation.")
  private int warmup;

  @Option(
      names = "--jit-settle",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "After --warmup, keep warming both modes until a batch runs with the JIT compiling"
              + " under 2% of the time, for at most this long; 0 skips it (default:"
              + " ${DEFAULT-VALUE}).")
  private int jitSettleSeconds;

  @Option(
      names = "--k",
      paramLabel = "K",
      defaultValue = "10",
      description = "Hits per search (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(
      names = "--queries",
      paramLabel = "N",
      defaultValue = "240",
      description = "Distinct query texts, used round-robin (default: ${DEFAULT-VALUE}).")
  private int queryCount;

  @Option(
      names = "--query-kind",
      paramLabel = "KIND",
      defaultValue = "text",
      description =
          "text: text:\"...\" queries (embedded by MiniLM, or answered from the text-embedding"
              + " cache once seen); vector: the same queries as vector:[...] literals of their"
              + " MiniLM embeddings, computed once before measuring, so no embedding runs and the"
              + " server's own overhead shows (default: ${DEFAULT-VALUE}).")
  private String queryKind;

  @Option(
      names = "--http-client",
      paramLabel = "CLIENT",
      defaultValue = "blocking",
      description =
          "blocking: each client thread has its own keep-alive connection and reads its responses"
              + " itself, as curl or Python's requests do; jdk: all share one"
              + " java.net.http.HttpClient, which passes each exchange through its own selector"
              + " and executor threads (default: ${DEFAULT-VALUE}).")
  private String httpClient;

  @Option(
      names = "--rebuild",
      description = "Rebuild the collection even if a matching one exists in --data.")
  private boolean rebuild;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON.")
  private Path jsonOut;

  @Override
  public Integer call() throws Exception {
    if (items < 100
        || requests < 1
        || rounds < 1
        || k < 1
        || queryCount < 1
        || warmup < 0
        || jitSettleSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--items must be >= 100 and --requests, --rounds, --k, --queries >= 1, --warmup and"
              + " --jit-settle >= 0");
    }
    if (!queryKind.equals("text") && !queryKind.equals("vector")) {
      throw new ParameterException(
          spec.commandLine(), "--query-kind must be text or vector, got '" + queryKind + "'");
    }
    if (!httpClient.equals("blocking") && !httpClient.equals("jdk")) {
      throw new ParameterException(
          spec.commandLine(), "--http-client must be blocking or jdk, got '" + httpClient + "'");
    }
    for (int c : clients) {
      if (c < 1 || c > 256) {
        throw new ParameterException(spec.commandLine(), "--clients must be in 1..256, got " + c);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path data = BinderyCli.from(spec).dataDir();
    String collection = HttpBenchCollection.name(items);
    HttpBenchReport report =
        new HttpBenchReport(
            "bindery "
                + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));

    try (Bindery bindery = Bindery.open(data)) {
      report.collection(
          collection,
          items,
          data,
          HttpBenchCollection.ensure(bindery, collection, items, rebuild, err));
      List<String> queries = HttpBenchCollection.queries(queryCount);
      if (queryKind.equals("vector")) {
        queries = HttpBenchCollection.vectorQueries(bindery, collection, queries);
      }
      report.settings(queryKind, httpClient, k, queries.size(), requests, rounds, warmup);

      int maxClients = clients.stream().mapToInt(Integer::intValue).max().orElse(1);
      ServerConfig config =
          ServerConfig.builder()
              .port(0)
              .maxK(Math.max(k, 1000))
              // A vector:[...] literal of 384 floats is about 4,700 characters; the default limit
              // (4096) is for hand-written expressions.
              .maxExpressionLength(65_536)
              .requestTimeout(Duration.ofMinutes(5))
              .searchQueue(Math.max(256, 2 * maxClients))
              .build();
      try (BinderyServer server = BinderyServer.start(bindery, config);
          HttpClient jdkClient =
              httpClient.equals("jdk")
                  ? HttpClient.newBuilder()
                      .version(HttpClient.Version.HTTP_1_1)
                      .connectTimeout(Duration.ofSeconds(10))
                      .build()
                  : null) {
        SearchLoad.Mode inProcess = new InProcessSearch(bindery, collection, k);
        ServerPhases phases = new ServerPhases();
        SearchLoad.Mode overHttp =
            new HttpSearch(jdkClient, server.uri(), collection, k, report.json(), phases);
        report.measuring(
            config.searchThreads(), SearchLoad.agreement(inProcess, overHttp, queries));
        err.println("warming up (" + warmup + " requests per mode, then until the JIT settles)...");
        err.flush();
        warmUp(report, inProcess, overHttp, queries, Math.min(4, maxClients), err);

        TextEmbeddingCache.Stats cacheBefore = bindery.textEmbeddingCacheStats();
        for (int c : clients) {
          err.println("measuring at " + c + " client" + (c == 1 ? "" : "s") + "...");
          err.flush();
          SearchLoad.Stats a = new SearchLoad.Stats();
          SearchLoad.Stats b = new SearchLoad.Stats();
          phases.reset();
          double[] roundRatios = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            // A-B then B-A: a drift in machine load over the run hits both modes alike.
            SearchLoad.Run ra;
            SearchLoad.Run rb;
            if (r % 2 == 0) {
              ra = SearchLoad.run(inProcess, queries, c, requests);
              rb = SearchLoad.run(overHttp, queries, c, requests);
            } else {
              rb = SearchLoad.run(overHttp, queries, c, requests);
              ra = SearchLoad.run(inProcess, queries, c, requests);
            }
            a.add(ra);
            b.add(rb);
            roundRatios[r] = rb.qps() / ra.qps();
          }
          report.clients(c, a, b, roundRatios, phases);
        }
        report.finish(cacheBefore, bindery.textEmbeddingCacheStats());
        report.print(
            out,
            (queryKind.equals("vector") ? "Vector" : "Text")
                + " search on '"
                + collection
                + "' ("
                + items
                + " items), k="
                + k
                + ", "
                + requests
                + " requests per client x "
                + rounds
                + " rounds per mode:");
      }
    }
    if (jsonOut != null) {
      report.write(jsonOut);
      out.println("report: " + jsonOut);
    }
    out.flush();
    return 0;
  }

  /** Warm-up batches after the first --warmup requests: each mode this many per batch. */
  private static final int SETTLE_BATCH = 2_000;

  /**
   * Runs {@code --warmup} requests per mode, then batches of both modes until one pair of batches
   * ran with the JIT settled ({@link JitSettling}; the compiler threads otherwise take CPU from the
   * mode being measured: after 5,000 requests, C2 still compiled for ten seconds once the HTTP mode
   * started), or until {@code --jit-settle} seconds. Without a compilation clock, the fixed part
   * only.
   */
  private void warmUp(
      HttpBenchReport report,
      SearchLoad.Mode inProcess,
      SearchLoad.Mode overHttp,
      List<String> queries,
      int clients,
      PrintWriter err)
      throws InterruptedException {
    long t0 = System.nanoTime();
    int perClient = Math.max(1, warmup / clients);
    SearchLoad.run(inProcess, queries, clients, perClient);
    SearchLoad.run(overHttp, queries, clients, perClient);
    long requests = (long) perClient * clients;
    boolean settled = false;
    boolean checked = JitSettling.measurable() && jitSettleSeconds > 0;
    if (checked) {
      int batch = Math.max(1, SETTLE_BATCH / clients);
      while (!settled && System.nanoTime() - t0 < jitSettleSeconds * 1_000_000_000L) {
        settled =
            JitSettling.settledDuring(
                () -> {
                  SearchLoad.run(inProcess, queries, clients, batch);
                  SearchLoad.run(overHttp, queries, clients, batch);
                });
        requests += (long) batch * clients;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    report.warmedUp(requests, seconds, settled);
    err.printf(
        Locale.ROOT,
        "warm-up: %d requests per mode in %.1f s, %s%n",
        requests,
        seconds,
        settled
            ? "JIT settled"
            : checked
                ? "JIT still compiling at the cap (figures may include it)"
                : "JIT not checked (--jit-settle 0 or no compilation clock)");
    err.flush();
  }
}
