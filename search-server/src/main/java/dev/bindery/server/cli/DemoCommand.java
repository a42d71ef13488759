package dev.bindery.server.cli;

import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bindery demo}: indexes the synthetic {@link DemoCollection} into the embedded Lucene
 * backend and prints example searches with what the engine did for each. Serving the API arrives
 * with the HTTP server; until then the command exits after the examples.
 */
@Command(
    name = "demo",
    description = {
      "Index the bundled demo collection ('demo') and print example searches.",
      "The collection is synthetic until the encoders land: 2000 'images' and 50 multi-segment"
          + " 'videos' in 20 topics, with 384-d vectors, captions and years."
    })
final class DemoCommand implements Callable<Integer> {

  /** Hits shown per example. */
  private static final int K = 5;

  private static final int BATCH = 100;
  private static final int NEAR_TOPIC = 7;
  private static final int VIDEO_TOPIC = 12;
  private static final int TEXT_TOPIC = 0;
  private static final long FROM_YEAR = 2015;
  private static final int AGREEMENT_QUERIES = 20;
  private static final int AGREEMENT_K = 10;
  private static final int WARM_UP_QUERIES = 50;

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
      description =
          "Port for the API and web page (default: ${DEFAULT-VALUE}); nothing is served until"
              + " the HTTP server lands.")
  private int port;

  @Option(names = "--no-serve", description = "Exit after the examples instead of serving.")
  private boolean noServe;

  @Override
  public Integer call() throws Exception {
    if (port < 1 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port must be in 1..65535, got " + port);
    }
    PrintWriter out = spec.commandLine().getOut();
    Path data = cli.dataDir();
    DemoCollection demo = DemoCollection.generate();
    try (IndexBackend backend = new LuceneBackend(data)) {
      index(backend, demo, data, out, spec.commandLine().getErr());
      new Examples(backend, demo, out).run();
    }
    if (!noServe) {
      out.println(
          "Serving the API and web page on port "
              + port
              + " arrives with the HTTP server (`bindery serve`); nothing is served yet.");
    }
    out.flush();
    return 0;
  }

  private static void index(
      IndexBackend backend, DemoCollection demo, Path data, PrintWriter out, PrintWriter err) {
    boolean dropped = backend.dropCollection(DemoCollection.NAME);
    backend.createCollection(demo.config());
    List<Item> items = demo.items();
    long start = System.nanoTime();
    try (ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName("Indexing demo")
            .setInitialMax(items.size())
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(" items", 1)
            .setUpdateIntervalMillis(100)
            .setConsumer(new BarOnStderr(err))
            .build()) {
      for (int from = 0; from < items.size(); from += BATCH) {
        List<Item> batch = items.subList(from, Math.min(items.size(), from + BATCH));
        backend.upsert(DemoCollection.NAME, batch);
        bar.stepBy(batch.size());
      }
    }
    backend.commit(DemoCollection.NAME);
    // Filter sets only take ids the collection holds, so the set comes after the commit.
    backend.putFilterSet(DemoCollection.NAME, DemoCollection.VIDEO_SET, demo.videoIds());
    backend.commit(DemoCollection.NAME);
    double seconds = (System.nanoTime() - start) / 1e9;

    CollectionInfo info = backend.describe(DemoCollection.NAME);
    out.printf(
        Locale.ROOT,
        "%s collection '%s' in %s: %d items (%d vectors, %d-d cosine float32) in %.1f s%n",
        dropped ? "Re-created" : "Created",
        DemoCollection.NAME,
        data.toAbsolutePath().normalize(),
        info.count(),
        info.vectorCount(),
        DemoCollection.DIM,
        seconds);
    out.println();
  }

  /** The example searches, each printed with its hits and what the engine did. */
  private static final class Examples {
    private static final String INDENT = "    ";

    private final IndexBackend backend;
    private final DemoCollection demo;
    private final PrintWriter out;

    Examples(IndexBackend backend, DemoCollection demo, PrintWriter out) {
      this.backend = backend;
      this.demo = demo;
      this.out = out;
    }

    void run() {
      warmUp();
      out.println(
          "Example searches (times are per query, after "
              + WARM_UP_QUERIES
              + " untimed warm-up rounds):");
      out.println();
      nearCentroid();
      filtered();
      exactAgreement();
      groupedVideos();
      bm25();
    }

    /**
     * Runs every kind of example query a few times, untimed: the first searches of a fresh JVM pay
     * for class loading and JIT compilation, and their times would say nothing about search.
     */
    private void warmUp() {
      float[][] queries = demo.queries(WARM_UP_QUERIES, DemoCollection.SEED + 1);
      for (float[] q : queries) {
        KnnQuery query = KnnQuery.of(DemoCollection.SPACE, q, AGREEMENT_K);
        backend.knn(DemoCollection.NAME, query);
        backend.knn(DemoCollection.NAME, query.withMode(SearchMode.EXACT));
        backend.knn(DemoCollection.NAME, query.withFilter(Filter.range("year", FROM_YEAR, null)));
        backend.knn(
            DemoCollection.NAME,
            query.withFilter(Filter.set(DemoCollection.VIDEO_SET)).withGroupByParent(false));
      }
      for (int t = 0; t < DemoCollection.TOPICS; t++) {
        backend.text(DemoCollection.NAME, TextQuery.of(DemoCollection.theme(t) + " dusk", K));
      }
    }

    private void nearCentroid() {
      String topic = DemoCollection.topic(NEAR_TOPIC);
      Timed t = knn(KnnQuery.of(DemoCollection.SPACE, demo.centroid(NEAR_TOPIC), K));
      heading(
          "(a) kNN near the centre of "
              + topic
              + " (\""
              + DemoCollection.theme(NEAR_TOPIC)
              + "\"), k="
              + K,
          t);
      hitTable(t.result.hits());
      long onTopic = t.result.hits().stream().filter(h -> topics(h).contains(topic)).count();
      note(onTopic + " of " + t.result.hits().size() + " hits are about " + topic);
      out.println();
    }

    private void filtered() {
      Filter filter = Filter.range("year", FROM_YEAR, null);
      KnnQuery query =
          KnnQuery.of(DemoCollection.SPACE, demo.centroid(NEAR_TOPIC), K).withFilter(filter);
      Timed t = knn(query);
      heading(
          "(b) the same query, filtered to year >= "
              + FROM_YEAR
              + " ("
              + demo.countYearAtLeast(FROM_YEAR)
              + " of "
              + demo.items().size()
              + " items pass "
              + filter
              + ")",
          t);
      hitTable(t.result.hits());
      long passing =
          t.result.hits().stream()
              .filter(h -> ((Number) h.metadata().get("year")).longValue() >= FROM_YEAR)
              .count();
      note(passing + " of " + t.result.hits().size() + " hits have year >= " + FROM_YEAR);
      out.println();
    }

    private void exactAgreement() {
      float[][] queries = demo.queries(AGREEMENT_QUERIES, DemoCollection.SEED + 3);
      double overlapSum = 0;
      double minOverlap = 1;
      long hnswVisited = 0;
      long exactVisited = 0;
      Timed firstHnsw = null;
      SearchResult firstExact = null;
      for (float[] q : queries) {
        KnnQuery query = KnnQuery.of(DemoCollection.SPACE, q, AGREEMENT_K);
        Timed hnsw = knn(query);
        SearchResult exact = backend.knn(DemoCollection.NAME, query.withMode(SearchMode.EXACT));
        Set<String> exactIds = ids(exact.hits());
        long common = hnsw.result.hits().stream().filter(h -> exactIds.contains(h.id())).count();
        double overlap = (double) common / AGREEMENT_K;
        overlapSum += overlap;
        minOverlap = Math.min(minOverlap, overlap);
        hnswVisited += hnsw.result.visited();
        exactVisited += exact.visited();
        if (firstHnsw == null) {
          firstHnsw = hnsw;
          firstExact = exact;
        }
      }
      heading(
          "(c) HNSW vs exact search on "
              + AGREEMENT_QUERIES
              + " random queries, k="
              + AGREEMENT_K
              + "; first query, HNSW:",
          firstHnsw);
      note("reference: " + whatHappened(firstExact));
      List<String> exactOrder = firstExact.hits().stream().map(Hit::id).toList();
      TextTable table = new TextTable(">#", "id", ">score", "modality", "topic", ">exact rank");
      int rank = 0;
      for (Hit h :
          firstHnsw.result.hits().subList(0, Math.min(K, firstHnsw.result.hits().size()))) {
        int exactRank = exactOrder.indexOf(h.id());
        table.row(
            ++rank,
            h.id(),
            score(h),
            h.modality(),
            String.join(",", topics(h)),
            exactRank < 0 ? "-" : exactRank + 1);
      }
      table.print(out, INDENT);
      note(
          String.format(
              Locale.ROOT,
              "overlap@%d: mean %.3f, min %.2f; vectors visited per query: HNSW %d, exact %d",
              AGREEMENT_K,
              overlapSum / queries.length,
              minOverlap,
              hnswVisited / queries.length,
              exactVisited / queries.length));
      out.println();
    }

    private void groupedVideos() {
      String topic = DemoCollection.topic(VIDEO_TOPIC);
      KnnQuery query =
          KnnQuery.of(DemoCollection.SPACE, demo.centroid(VIDEO_TOPIC), K)
              .withFilter(Filter.set(DemoCollection.VIDEO_SET));
      Timed grouped = knn(query);
      // Twice as many ungrouped hits as grouped ones: enough to see several segments per video.
      SearchResult ungrouped =
          backend.knn(
              DemoCollection.NAME,
              new KnnQuery(
                  query.space(), query.vector(), 2 * K, query.filter(), 0, SearchMode.AUTO, false));
      heading(
          "(d) videos near "
              + topic
              + " (\""
              + DemoCollection.theme(VIDEO_TOPIC)
              + "\"), filter set '"
              + DemoCollection.VIDEO_SET
              + "', one hit per video with its best segment",
          grouped);
      TextTable table =
          new TextTable(">#", "id", ">score", "topic", "best segment", ">year", "caption");
      int rank = 0;
      for (Hit h : grouped.result.hits()) {
        table.row(
            ++rank,
            h.id(),
            score(h),
            String.join(",", topics(h)),
            h.segment() == null
                ? "-"
                : String.format(Locale.ROOT, "%.1f-%.1f s", h.segment().start(), h.segment().end()),
            h.metadata().get("year"),
            abbreviate(demo.caption(h.id())));
      }
      table.print(out, INDENT);
      note(
          "without grouping, the "
              + ungrouped.hits().size()
              + " best vectors are segments of "
              + ids(ungrouped.hits()).size()
              + " videos ("
              + whatHappened(ungrouped)
              + ")");
      out.println();
    }

    private void bm25() {
      String words = DemoCollection.theme(TEXT_TOPIC) + " night";
      TextQuery query = new TextQuery(words, List.of(DemoCollection.CAPTION), K, null);
      Timed t = timed(() -> backend.text(DemoCollection.NAME, query));
      SearchResult result = t.result;
      heading("(e) BM25 text search for \"" + words + "\" in captions", t);
      hitTable(result.hits());
      long both =
          result.hits().stream()
              .map(h -> demo.caption(h.id()))
              .filter(c -> c.contains(DemoCollection.theme(TEXT_TOPIC)) && c.contains("night"))
              .count();
      note(both + " of " + result.hits().size() + " captions contain both words");
      out.println();
    }

    private Timed knn(KnnQuery query) {
      return timed(() -> backend.knn(DemoCollection.NAME, query));
    }

    private static Timed timed(Supplier<SearchResult> search) {
      long start = System.nanoTime();
      SearchResult result = search.get();
      return new Timed(result, (System.nanoTime() - start) / 1e6);
    }

    private void heading(String title, Timed t) {
      out.println(title);
      note(whatHappened(t.result) + String.format(Locale.ROOT, ", %.1f ms", t.millis));
    }

    private void note(String line) {
      out.println(INDENT + line);
    }

    private void hitTable(List<Hit> hits) {
      TextTable table =
          new TextTable(">#", "id", ">score", "modality", "topic", ">year", "caption");
      int rank = 0;
      for (Hit h : hits) {
        table.row(
            ++rank,
            h.id(),
            score(h),
            h.modality(),
            String.join(",", topics(h)),
            h.metadata().get("year"),
            abbreviate(demo.caption(h.id())));
      }
      table.print(out, INDENT);
    }

    private static String whatHappened(SearchResult r) {
      StringBuilder s =
          new StringBuilder()
              .append(r.strategy())
              .append(": visited ")
              .append(r.visited())
              .append(r.strategy() == SearchResult.Strategy.BM25 ? " documents" : " vectors")
              .append(" in ")
              .append(r.segments())
              .append(r.segments() == 1 ? " index segment" : " index segments");
      if (r.exactSegments() > 0) {
        s.append(" (").append(r.exactSegments()).append(" searched exactly)");
      }
      if (r.rescored() > 0) {
        s.append(", ").append(r.rescored()).append(" rescored");
      }
      return s.toString();
    }

    private static String score(Hit h) {
      return String.format(Locale.ROOT, "%.4f", h.score());
    }

    /** The hit's topics: one for an image, two for a video. */
    private static List<String> topics(Hit h) {
      Object t = h.metadata().get("topic");
      if (t instanceof Collection<?> c) {
        return c.stream().map(String::valueOf).toList();
      }
      return t == null ? List.of() : List.of(String.valueOf(t));
    }

    private static Set<String> ids(List<Hit> hits) {
      Set<String> ids = new HashSet<>();
      hits.forEach(h -> ids.add(h.id()));
      return ids;
    }

    private static String abbreviate(String s) {
      return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
  }

  private record Timed(SearchResult result, double millis) {}

  /**
   * Draws the progress bar on the command's stderr, redrawing one line with carriage returns.
   * progressbar's own console consumer writes to the process's stderr file descriptor, past the
   * command's streams, so a caller that captures them (tests, an embedding app) could not.
   */
  private static final class BarOnStderr implements ProgressBarConsumer {
    // Fits an 80-column terminal; a longer line would wrap and break the redraw.
    private static final int WIDTH = 79;

    private final PrintWriter err;

    BarOnStderr(PrintWriter err) {
      this.err = err;
    }

    @Override
    public int getMaxRenderedLength() {
      return WIDTH;
    }

    @Override
    public void accept(String rendered) {
      err.print('\r' + (rendered.length() > WIDTH ? rendered.substring(0, WIDTH) : rendered));
      err.flush();
    }

    @Override
    public void close() {
      err.println();
      err.flush();
    }
  }
}
