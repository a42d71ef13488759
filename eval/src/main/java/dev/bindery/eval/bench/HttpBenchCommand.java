package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.TextEmbeddingCache;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Item;
import dev.bindery.server.cli.BinderyCli;
import dev.bindery.server.cli.TextTable;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bindery bench http}: text-search throughput and latency over loopback HTTP against the
 * same queries run in-process through the same {@link Bindery} facade, in the same run, at several
 * client counts. Load is closed-loop and bounded: each client sends its requests one after another,
 * so nothing queues without limit. The collection (items with precomputed 384-d vectors clustered
 * around MiniLM embeddings of topic phrases) is built once and reused from the data directory.
 */
@Command(
    name = "http",
    description = {
      "HTTP vs in-process text search: QPS, p50 and p99 at several client counts, and their"
          + " ratio.",
      "Builds (once, cached in --data) a collection of --items items with 384-d vectors near MiniLM"
          + " embeddings of topic phrases; queries are text:\"...\" expressions embedded by MiniLM."
    })
public final class HttpBenchCommand implements Callable<Integer> {
  /** Topic phrases: items cluster around their embeddings, queries are made of the same words. */
  private static final String[] SUBJECTS = {
    "a cat",
    "a dog",
    "an old bicycle",
    "a red car",
    "a sailing boat",
    "a lighthouse",
    "a mountain lake",
    "a city street",
    "a bowl of soup",
    "a violin",
    "a steam train",
    "a sunflower field",
    "a snowy forest",
    "a desert road",
    "a child's drawing",
    "a chess board"
  };

  private static final String[] SETTINGS = {
    "at night",
    "in the rain",
    "at sunrise",
    "in winter",
    "on a sunny afternoon",
    "under neon lights"
  };

  private static final String[] STYLES = {
    "photo of", "watercolor of", "sketch of", "close-up of", "poster of"
  };

  private static final int BATCH = 2_000;
  private static final double NOISE = 0.6;
  private static final long SEED = 42;
  private static final int AGREEMENT_QUERIES = 20;

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
      defaultValue = "200",
      description = "Requests per client per round and mode (default: ${DEFAULT-VALUE}).")
  private int requests;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "2",
      description = "Rounds per client count; modes alternate A-B-B-A (default: ${DEFAULT-VALUE}).")
  private int rounds;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "200",
      description = "Untimed requests per mode before measuring (default: ${DEFAULT-VALUE}).")
  private int warmup;

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
      names = "--rebuild",
      description = "Rebuild the collection even if a matching one exists in --data.")
  private boolean rebuild;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON.")
  private Path jsonOut;

  @Override
  public Integer call() throws Exception {
    if (items < 100 || requests < 1 || rounds < 1 || k < 1 || queryCount < 1 || warmup < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--items must be >= 100 and --requests, --rounds, --k, --queries >= 1, --warmup >= 0");
    }
    if (!queryKind.equals("text") && !queryKind.equals("vector")) {
      throw new ParameterException(
          spec.commandLine(), "--query-kind must be text or vector, got '" + queryKind + "'");
    }
    for (int c : clients) {
      if (c < 1 || c > 256) {
        throw new ParameterException(spec.commandLine(), "--clients must be in 1..256, got " + c);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path data = BinderyCli.from(spec).dataDir();
    String collection = "bench-http-" + items;
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode report = json.createObjectNode();
    report.put("benchmark", "http");
    report.put(
        "command",
        "bindery " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
    report.set("machine", machine(json));

    try (Bindery bindery = Bindery.open(data)) {
      ObjectNode coll = report.putObject("collection");
      coll.put("name", collection);
      coll.put("items", items);
      coll.put("data", data.toAbsolutePath().normalize().toString());
      coll.put("model", ModelPackage.DEFAULT_TEXT);
      ensureCollection(bindery, collection, coll, err);
      List<String> queries = queries(queryCount);
      if (queryKind.equals("vector")) {
        queries = vectorQueries(bindery, collection, queries);
      }
      report.put("query_kind", queryKind);
      report.put("k", k);
      report.put("distinct_queries", queries.size());
      report.put("requests_per_client", requests);
      report.put("rounds", rounds);
      report.put("warmup_per_mode", warmup);

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
      try (BinderyServer server = BinderyServer.start(bindery, config)) {
        HttpClient http =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpSearchLoad.Mode inProcess = new HttpSearchLoad.InProcess(bindery, collection, k);
        HttpSearchLoad.Mode overHttp =
            new HttpSearchLoad.OverHttp(http, server.uri(), collection, k, json);
        report.put("search_threads", config.searchThreads());
        report.set(
            "agreement",
            HttpSearchLoad.agreement(inProcess, overHttp, queries, AGREEMENT_QUERIES, json));
        err.println("warming up (" + warmup + " requests per mode)...");
        err.flush();
        HttpSearchLoad.run(inProcess, queries, Math.min(4, maxClients), Math.max(1, warmup / 4));
        HttpSearchLoad.run(overHttp, queries, Math.min(4, maxClients), Math.max(1, warmup / 4));

        TextEmbeddingCache.Stats cacheBefore = bindery.textEmbeddingCacheStats();
        ArrayNode results = report.putArray("results");
        TextTable table =
            new TextTable(
                ">clients",
                ">in-process QPS",
                ">p50 ms",
                ">p99 ms",
                ">HTTP QPS",
                ">p50 ms",
                ">p99 ms",
                ">HTTP/in-process");
        Double ratioAt4 = null;
        for (int c : clients) {
          err.println("measuring at " + c + " client" + (c == 1 ? "" : "s") + "...");
          err.flush();
          HttpSearchLoad.Stats a = new HttpSearchLoad.Stats();
          HttpSearchLoad.Stats b = new HttpSearchLoad.Stats();
          for (int r = 0; r < rounds; r++) {
            // A-B then B-A: a drift in machine load over the run hits both modes alike.
            if (r % 2 == 0) {
              a.add(HttpSearchLoad.run(inProcess, queries, c, requests));
              b.add(HttpSearchLoad.run(overHttp, queries, c, requests));
            } else {
              b.add(HttpSearchLoad.run(overHttp, queries, c, requests));
              a.add(HttpSearchLoad.run(inProcess, queries, c, requests));
            }
          }
          double ratio = b.qps() / a.qps();
          if (c == 4) {
            ratioAt4 = ratio;
          }
          ObjectNode row = results.addObject();
          row.put("clients", c);
          row.set("in_process", a.toJson(json));
          row.set("http", b.toJson(json));
          row.put("qps_ratio_http_over_in_process", round(ratio, 3));
          table.row(
              c,
              fmt(a.qps(), 1),
              fmt(a.percentileMs(50), 2),
              fmt(a.percentileMs(99), 2),
              fmt(b.qps(), 1),
              fmt(b.percentileMs(50), 2),
              fmt(b.percentileMs(99), 2),
              fmt(ratio, 3));
        }
        report.put("target_ratio_at_4_clients", 0.85);
        if (ratioAt4 != null) {
          report.put("ratio_at_4_clients", round(ratioAt4, 3));
          report.put("meets_target", ratioAt4 >= 0.85);
        }
        TextEmbeddingCache.Stats cacheAfter = bindery.textEmbeddingCacheStats();
        long hits = cacheAfter.hits() - cacheBefore.hits();
        long misses = cacheAfter.misses() - cacheBefore.misses();
        ObjectNode cache = report.putObject("text_embedding_cache");
        cache.put("hits", hits);
        cache.put("misses", misses);
        cache.put("hit_rate", hits + misses == 0 ? 0 : round((double) hits / (hits + misses), 4));
        cache.put("capacity", cacheAfter.capacity());
        report.put(
            "load_average_after",
            round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        out.println(
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
        table.print(out, "  ");
        if (ratioAt4 != null) {
          out.printf(
              Locale.ROOT, "HTTP/in-process QPS at 4 clients: %.3f (target >= 0.85)%n", ratioAt4);
        }
        out.printf(
            Locale.ROOT,
            "Text-embedding cache while measuring: %d hits, %d misses (hit rate %.3f)%n",
            hits,
            misses,
            hits + misses == 0 ? 0.0 : (double) hits / (hits + misses));
        JsonNode agree = report.get("agreement");
        out.println(
            "HTTP and in-process returned the same ids for "
                + agree.get("same_ids").asInt()
                + " of "
                + agree.get("queries").asInt()
                + " queries");
      }
    }
    if (jsonOut != null) {
      Path parent = jsonOut.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      json.writeValue(jsonOut.toFile(), report);
      out.println("report: " + jsonOut);
    }
    out.flush();
    return 0;
  }

  // ------------------------------------------------------------------ collection

  private void ensureCollection(Bindery bindery, String name, ObjectNode coll, PrintWriter err) {
    if (bindery.listCollections().contains(name) && !rebuild) {
      CollectionInfo info = bindery.describe(name);
      if (info.count() == items
          && bindery.modelLocation(name).map(ModelPackage.DEFAULT_TEXT::equals).orElse(false)) {
        coll.put("cached", true);
        return;
      }
    }
    bindery.dropCollection(name);
    long t0 = System.nanoTime();
    bindery.createCollection(name, ModelPackage.DEFAULT_TEXT);
    String space = bindery.describe(name).config().spaces().keySet().iterator().next();
    List<String> topics = topics();
    float[][] centroids = new float[topics.size()][];
    for (int t = 0; t < centroids.length; t++) {
      centroids[t] = bindery.embedder(name).embed(Modality.TEXT, topics.get(t));
    }
    int dim = centroids[0].length;
    Random random = new Random(SEED);
    List<Item> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < items; i++) {
      int topic = i % centroids.length;
      float[] v = new float[dim];
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        // Noise of about NOISE times the unit centroid's length, spread over all dimensions.
        v[d] = (float) (centroids[topic][d] + NOISE * random.nextGaussian() / Math.sqrt(dim));
        norm += v[d] * v[d];
      }
      float inv = (float) (1 / Math.sqrt(norm));
      for (int d = 0; d < dim; d++) {
        v[d] *= inv;
      }
      batch.add(
          new Item(
              String.format(Locale.ROOT, "item-%06d", i),
              "vector",
              null,
              Map.of(),
              Map.of("topic", (long) topic),
              Map.of(space, v),
              List.of()));
      if (batch.size() == BATCH || i == items - 1) {
        bindery.add(name, batch);
        batch = new ArrayList<>(BATCH);
        if ((i + 1) % 20_000 == 0 || i == items - 1) {
          err.println("built " + (i + 1) + " of " + items + " items");
          err.flush();
        }
      }
    }
    bindery.commit(name);
    coll.put("cached", false);
    coll.put("build_seconds", round((System.nanoTime() - t0) / 1e9, 1));
    coll.put("dim", dim);
  }

  private static List<String> topics() {
    List<String> t = new ArrayList<>();
    for (String subject : SUBJECTS) {
      for (String setting : SETTINGS) {
        t.add(subject + " " + setting);
      }
    }
    return t;
  }

  /** Distinct query texts from the same vocabulary as the topics, in a fixed shuffled order. */
  static List<String> queries(int n) {
    List<String> all = new ArrayList<>();
    for (String style : STYLES) {
      for (String subject : SUBJECTS) {
        for (String setting : SETTINGS) {
          all.add("text:\"" + style + " " + subject + " " + setting + "\"");
        }
      }
    }
    java.util.Collections.shuffle(all, new Random(SEED));
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all.get(i % all.size()));
    }
    return out;
  }

  /**
   * The same queries as {@code vector:[...]} literals of their text embeddings (computed here,
   * once, by the collection's own text tower), so measuring them runs no model.
   */
  private static List<String> vectorQueries(
      Bindery bindery, String collection, List<String> textQueries) {
    Map<String, String> byText = new HashMap<>();
    List<String> out = new ArrayList<>(textQueries.size());
    for (String q : textQueries) {
      out.add(
          byText.computeIfAbsent(
              q,
              t -> {
                String text = t.substring("text:\"".length(), t.length() - 1);
                float[] v = bindery.embedder(collection).embed(Modality.TEXT, text);
                StringBuilder sb = new StringBuilder("vector:[");
                for (int i = 0; i < v.length; i++) {
                  sb.append(i == 0 ? "" : ",").append(v[i]);
                }
                return sb.append(']').toString();
              }));
    }
    return out;
  }

  private static ObjectNode machine(ObjectMapper json) {
    ObjectNode m = json.createObjectNode();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", Runtime.version().toString());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    m.put(
        "load_average_before",
        round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
    return m;
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static String fmt(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }
}
