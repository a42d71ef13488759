package dev.bindery.server.cli;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.IngestReport;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.fusion.query.LegInfo;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Filter;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bindery demo}: indexes the bundled demo collection (the test splits of openclipart, Tux
 * Paint stamps and Noto emoji: 917 captioned pictures, in {@code models/bindery-mini/demo/}) with
 * the default model, prints example cross-modal searches with their hits, then serves the API and
 * the web page until interrupted.
 */
@Command(
    name = "demo",
    description = {
      "Index the bundled demo collection ('demo': 917 captioned pictures: clip art, Tux Paint"
          + " stamps, emoji)"
          + " with the default model (bindery-mini), print example cross-modal searches, then serve"
          + " the API and the web page on 127.0.0.1 until Ctrl-C.",
      "Re-running is cheap: unchanged images are not embedded again."
    })
final class DemoCommand implements Callable<Integer> {

  /** The demo collection's name. */
  static final String COLLECTION = "demo";

  /** Where the demo set lives, relative to the Bindery checkout ({@code bindery.home}). */
  static final Path DEMO_MANIFEST = Path.of("models", "bindery-mini", "demo", "manifest.jsonl");

  private static final int K = 5;

  @ParentCommand private BinderyCli cli;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "7700",
      description = "Port for the API and web page on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = "--no-serve", description = "Exit after the examples instead of serving.")
  private boolean noServe;

  @Option(
      names = "--manifest",
      paramLabel = "FILE",
      description =
          "The demo manifest (default: models/bindery-mini/demo/manifest.jsonl in the Bindery"
              + " checkout).")
  private Path manifest;

  @Option(
      names = "--model",
      paramLabel = "PACKAGE",
      description = "Model package for the collection (default: ${DEFAULT-VALUE}).",
      defaultValue = ModelPackage.DEFAULT)
  private String model;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path file = manifest != null ? manifest : findManifest();
    if (!Files.isRegularFile(file)) {
      throw new ParameterException(
          spec.commandLine(),
          "the demo manifest "
              + file
              + " does not exist; run from a Bindery checkout or pass --manifest"
              + " (rebuild it with models/bindery-mini/training/make_demo.py)");
    }
    Path data = cli.dataDir();
    // A serving demo is a server like 'bindery serve': write commands beside it are refused.
    try (ServerLock lock = noServe ? null : ServerLock.acquire(data, "http://127.0.0.1:" + port);
        Bindery bindery = Bindery.open(data)) {
      prepare(bindery, out);
      IngestReport report;
      try (IngestProgressBar bar = new IngestProgressBar("Indexing demo", err)) {
        report =
            new Ingestor(bindery, COLLECTION, IngestOptions.files(file.getParent()))
                .ingest(List.of(file), bar);
      }
      IngestProgressBar.printSummary(report, out);
      CollectionInfo info = bindery.describe(COLLECTION);
      out.printf(
          Locale.ROOT,
          "Collection '%s' in %s: %d items, model %s%n%n",
          COLLECTION,
          data.toAbsolutePath().normalize(),
          info.count(),
          model);
      new Examples(bindery, file.getParent(), out).run();
      out.flush();
      if (!noServe) {
        serve(bindery, out);
      }
    }
    return 0;
  }

  /** Creates the collection, or re-creates it when it exists with another model. */
  private void prepare(Bindery bindery, PrintWriter out) {
    if (bindery.listCollections().contains(COLLECTION)) {
      Optional<String> current = bindery.modelLocation(COLLECTION);
      if (current.isPresent() && current.get().equals(model)) {
        return;
      }
      out.println(
          "Re-creating collection '"
              + COLLECTION
              + "' (it was made with "
              + current.orElse("raw vectors")
              + ")");
      bindery.dropCollection(COLLECTION);
    }
    bindery.createCollection(COLLECTION, model);
  }

  private void serve(Bindery bindery, PrintWriter out) throws InterruptedException {
    ServerConfig config = ServerConfig.builder().port(port).build();
    CountDownLatch stop = new CountDownLatch(1);
    try (BinderyServer server = BinderyServer.start(bindery, config)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "bindery-demo-stop"));
      out.println("Serving the API and web page at " + server.uri() + "/ (Ctrl-C to stop)");
      out.println(
          "  try: curl -s "
              + server.uri()
              + "/v1/collections/demo/search -H 'Content-Type: application/json'"
              + " -d '{\"query\":\"text:\\\"a flag\\\"\",\"k\":5}'");
      out.flush();
      stop.await();
    }
  }

  private static Path findManifest() {
    String home = System.getProperty("bindery.home");
    if (home != null) {
      return Path.of(home).resolve(DEMO_MANIFEST);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(DEMO_MANIFEST);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return Path.of("").toAbsolutePath().resolve(DEMO_MANIFEST);
  }

  /** The example searches, each printed with its top hits and what the engine did. */
  static final class Examples {
    private final Bindery bindery;
    private final Path demoDir;
    private final PrintWriter out;

    Examples(Bindery bindery, Path demoDir, PrintWriter out) {
      this.bindery = bindery;
      this.demoDir = demoDir;
      this.out = out;
    }

    /** The examples: title, expression, and an optional filter. */
    record Example(String title, String expression, Filter filter, String note) {}

    List<Example> examples() {
      String image = demoDir.resolve(EXAMPLE_IMAGE).toString();
      return List.of(
          new Example(
              "1. text -> image",
              "text:\"" + TEXT_QUERY + "\"",
              null,
              "the text is embedded by MiniLM, the images by bindery-mini's image tower; Tux Paint's"
                  + " photograph of a pear comes first"),
          new Example(
              "2. image -> image",
              "image:" + quote(image),
              null,
              "a photograph of a tomato: the query image itself comes first, then red, round"
                  + " things"),
          new Example(
              "3. image arithmetic",
              "image:"
                  + quote(demoDir.resolve(ARITHMETIC_IMAGE).toString())
                  + " + "
                  + ARITHMETIC_WEIGHT
                  + "*text:\""
                  + PLUS
                  + "\" - "
                  + ARITHMETIC_WEIGHT
                  + "*text:\""
                  + MINUS
                  + "\"",
              null,
              "a photograph of Mars, moved towards \""
                  + PLUS
                  + "\" and away from \""
                  + MINUS
                  + "\" (weights "
                  + ARITHMETIC_WEIGHT
                  + "): the photograph of the moon comes up to third (37th for the picture"
                  + " alone)"),
          new Example(
              "4. filtered (" + FILTER_FIELD + " = " + FILTER_VALUE + ")",
              "text:\"" + FILTERED_QUERY + "\"",
              Filter.term(FILTER_FIELD, FILTER_VALUE),
              "the filter applies inside the HNSW search, not after it"),
          new Example(
              "5. hybrid: kNN + BM25 over the captions, fused by RRF",
              "text:\"" + HYBRID_QUERY + "\" + bm25:\"" + HYBRID_QUERY + "\"",
              null,
              "RRF adds 1/(60 + rank) from each leg (bindery search --explain shows the ranks)"));
    }

    void run() {
      for (Example e : examples()) {
        SearchOptions options = SearchOptions.of(K).withExplain(true);
        if (e.filter() != null) {
          options = options.withFilter(e.filter());
        }
        SearchResponse r = bindery.search(COLLECTION, QuerySpec.parse(e.expression()), options);
        out.println(e.title());
        out.println("  query:  " + e.expression());
        if (e.filter() != null) {
          out.println("  filter: " + e.filter());
        }
        out.println("  " + e.note() + "; " + legs(r) + ", " + r.tookMs() + " ms");
        int rank = 1;
        for (ResultHit h : r.hits()) {
          out.printf(
              Locale.ROOT,
              "  %d. %.3f  %-46s %s%n",
              rank++,
              h.score(),
              clip(h.id(), 46),
              caption(h));
        }
        out.println();
      }
    }

    private static String legs(SearchResponse r) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, LegInfo> e : r.legs().entrySet()) {
        if (!sb.isEmpty()) {
          sb.append(", ");
        }
        sb.append(e.getKey()).append(": ").append(e.getValue().strategy());
      }
      return sb.toString();
    }

    private static String caption(ResultHit h) {
      Object title = h.metadata().get("title");
      Object kw = h.metadata().get("keywords");
      String s = title == null ? "" : title.toString();
      if (kw instanceof List<?> l && !l.isEmpty()) {
        s += " [" + String.join(", ", l.stream().limit(4).map(Object::toString).toList()) + "]";
      }
      return clip(s, 60);
    }

    private static String clip(String s, int n) {
      return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String quote(String path) {
      return path.matches("[A-Za-z0-9_./-]+") ? path : "\"" + path.replace("\"", "\\\"") + "\"";
    }
  }

  // The example queries, chosen by looking at the demo set (the test splits of openclipart, Tux
  // Paint and emoji: shapes, computer icons, flags, emoji, photographs of single things) and at
  // what bindery-mini's round-three tower does well; see the model card for what it does badly
  // (many short everyday words such as "a dog" still miss; arithmetic needs text weights above 1).
  static final String TEXT_QUERY = "a pear";
  static final String EXAMPLE_IMAGE = "images/tuxpaint/food/vegetables/tomato.png";
  static final String ARITHMETIC_IMAGE = "images/tuxpaint/space/planets/4_mars.png";
  static final int ARITHMETIC_WEIGHT = 2;
  static final String PLUS = "the moon";
  static final String MINUS = "a planet";
  static final String FILTERED_QUERY = "a flag";
  static final String FILTER_FIELD = "keywords";
  static final String FILTER_VALUE = "asia";
  static final String HYBRID_QUERY = "flag of europe";
}
