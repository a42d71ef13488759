package dev.bindery.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.LegInfo;
import dev.bindery.fusion.query.QueryParser;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.QuerySyntaxException;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.FusionMethod;
import dev.bindery.fusion.rank.LegScore;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.server.http.Api;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bindery search}: runs one query expression against a collection through the {@link
 * Bindery} facade and prints the hits as a table or as JSON.
 *
 * <p>Exit codes: 0 the search ran (also with no hits); 1 no such data directory or collection, or
 * the search failed; 2 a wrong command line, a bad expression (printed with a caret under the
 * column), or a query the collection cannot run (a term its model has no tower for, a filter on an
 * unknown field).
 */
@Command(
    name = "search",
    description = {
      "Search a collection with the query syntax, for example:",
      "  bindery search --collection demo 'text:\"a red bicycle\"'",
      "  bindery search --collection demo 'image:cat.png + 0.5*text:\"at night\" - 0.5*text:day'",
      "  bindery search --collection demo --filter year>=2015 'text:castle + bm25:castle'",
      "  bindery search --collection demo 'recommend(+item:cat-1, +item:cat-2, -item:dog-7)'",
      "Terms: text:\"...\", image:PATH, audio:PATH, video:PATH, item:ID, vector:[...], bm25:\"...\";"
          + " weights as 0.5*TERM; + and - combine them (see docs/fusion.md).",
      "recommend(+EXAMPLE, -EXAMPLE, strategy=average_vector|best_score, space=NAME) finds items"
          + " like the + examples and unlike the - ones, leaving the examples out; an example is"
          + " item:ID or any vector expression.",
      "Exit codes: 0 ok, 1 no such collection or the search failed, 2 bad usage or expression"
          + " (also a recommend example that is not in the collection)."
    },
    usageHelpAutoWidth = true)
final class SearchCommand implements Callable<Integer> {

  /** Characters of metadata shown per row before it is cut with "...". */
  private static final int METADATA_WIDTH = 60;

  @ParentCommand private BinderyCli cli;

  @Mixin private BackendOptions backendOptions = new BackendOptions();

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = {"-c", "--collection"},
      required = true,
      paramLabel = "NAME",
      description = "The collection to search.")
  private String collection;

  @Option(
      names = {"-k", "--k"},
      paramLabel = "K",
      defaultValue = "10",
      description = "Hits wanted, 1.." + KnnQuery.MAX_K + " (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(
      names = "--json",
      description =
          "Print {\"hits\": [{\"id\", \"score\", \"modality\", ...}], \"took_ms\", \"legs\"}.")
  private boolean json;

  @Option(
      names = "--explain",
      description = "Show each hit's legs: rank, raw and normalized score, strategy, visited.")
  private boolean explain;

  @Option(
      names = "--filter",
      paramLabel = "COND",
      description = {
        "A metadata condition, repeatable (all must hold): FIELD=VALUE, FIELD=FROM..TO,"
            + " FIELD>=VALUE, FIELD<=VALUE or set:NAME."
      })
  private List<String> filters = new ArrayList<>();

  @Option(
      names = "--fusion",
      paramLabel = "METHOD",
      description = "How a kNN and a BM25 leg fuse: rrf (default), weighted or dbsf.")
  private String fusion;

  @Option(
      names = "--mmr",
      paramLabel = "LAMBDA",
      description = "Diversify with maximal marginal relevance; 1 = relevance only, 0 = diversity.")
  private Double mmr;

  @Option(
      names = "--min-score",
      paramLabel = "SCORE",
      description = {
        "Leave out hits whose final score is below SCORE (the leg's own score for one leg, the"
            + " fused score when legs fuse); fewer than k hits, or none, may be printed."
      })
  private Double minScore;

  @Option(
      names = "--offset",
      paramLabel = "N",
      description = "Skip the N best hits (paging); offset + k is at most " + KnnQuery.MAX_K + ".")
  private int offset;

  @Parameters(
      arity = "1..*",
      paramLabel = "QUERY",
      description = "The query expression; several arguments are joined with spaces.")
  private List<String> query;

  @Override
  public Integer call() {
    if (k < 1 || k > KnnQuery.MAX_K) {
      throw usage("--k must be in 1.." + KnnQuery.MAX_K + ", got " + k);
    }
    if (mmr != null && !(mmr >= 0 && mmr <= 1)) {
      throw usage("--mmr must be in [0,1], got " + mmr);
    }
    String expression = String.join(" ", query);
    QuerySpec parsed;
    try {
      parsed = new QueryParser().parse(expression);
    } catch (QuerySyntaxException e) {
      throw usage("bad query: " + e.getMessage());
    }
    SearchOptions options = SearchOptions.of(k).withExplain(explain);
    if (fusion != null) {
      try {
        options = options.withFusion(FusionConfig.of(FusionMethod.fromName(fusion)));
      } catch (IllegalArgumentException e) {
        throw usage("--fusion: " + e.getMessage());
      }
    }
    if (mmr != null) {
      options = options.withMmr(mmr);
    }
    if (minScore != null && !Double.isFinite(minScore)) {
      throw usage("--min-score must be a finite number, got " + minScore);
    }
    try {
      options = options.withMinScore(minScore).withOffset(offset);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }

    Path data = cli.dataDir();
    backendOptions.check();
    if (backendOptions.backend == BackendOptions.Kind.LUCENE && !Files.isDirectory(data)) {
      throw new IllegalStateException(
          "no data directory "
              + data.toAbsolutePath().normalize()
              + "; index something first (bindery index) or point --data at one");
    }
    SearchResponse response;
    try (Bindery bindery = backendOptions.open(data, cli, true)) {
      List<String> names = bindery.listCollections();
      if (!names.contains(collection)) {
        throw new IllegalStateException(
            "no collection '"
                + collection
                + "' in "
                + data.toAbsolutePath().normalize()
                + "; "
                + (names.isEmpty() ? "there are none" : "there are " + names));
      }
      Filter filter;
      try {
        filter = FilterArgument.parse(filters, bindery.config(collection).fields());
      } catch (IllegalArgumentException e) {
        throw usage("--filter: " + e.getMessage());
      }
      try {
        response = bindery.search(collection, parsed, options.withFilter(filter));
      } catch (IllegalArgumentException e) {
        // The facade's convention: the query asked for something this collection cannot do.
        throw usage("cannot run the query on '" + collection + "': " + e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      printJson(out, parsed, response);
    } else {
      printTable(out, response);
    }
    out.flush();
    return 0;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private void printJson(PrintWriter out, QuerySpec parsed, SearchResponse response) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("collection", collection);
    body.put("query", parsed.format());
    body.put("hits", response.hits().stream().map(SearchCommand::hitJson).toList());
    body.put("took_ms", response.tookMs());
    Map<String, Object> legs = new LinkedHashMap<>();
    response.legs().forEach((name, leg) -> legs.put(name, legJson(leg)));
    body.put("legs", legs);
    try {
      out.println(new ObjectMapper().writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the hits as JSON: " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> hitJson(ResultHit h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", h.id());
    m.put("score", h.score());
    m.put("modality", h.modality());
    if (h.source() != null) {
      m.put("source", h.source());
    }
    m.put("metadata", h.metadata());
    if (h.segment() != null) {
      m.put("segment", Map.of("start", h.segment().start(), "end", h.segment().end()));
    }
    if (h.explain() != null) {
      m.put("explain", Api.ExplainBody.of(h.explain()));
    }
    return m;
  }

  private static Map<String, Object> legJson(LegInfo leg) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", leg.kind());
    if (leg.space() != null) {
      m.put("space", leg.space());
    }
    m.put("strategy", leg.strategy().name());
    m.put("visited", leg.visited());
    m.put("hits", leg.hits());
    return m;
  }

  private void printTable(PrintWriter out, SearchResponse response) {
    List<ResultHit> hits = response.hits();
    if (hits.isEmpty()) {
      out.println("No hits.");
    } else {
      TextTable table = new TextTable(">#", ">score", "id", "modality", "segment", "metadata");
      int rank = 1;
      for (ResultHit h : hits) {
        table.row(
            rank++,
            String.format(Locale.ROOT, "%.4f", h.score()),
            h.id(),
            h.modality(),
            h.segment() == null
                ? ""
                : String.format(Locale.ROOT, "%.1f-%.1f s", h.segment().start(), h.segment().end()),
            metadata(h.metadata()));
      }
      table.print(out, "");
    }
    List<String> legs = new ArrayList<>();
    response
        .legs()
        .forEach(
            (name, leg) ->
                legs.add(
                    name
                        + " "
                        + leg.strategy().name().toLowerCase(Locale.ROOT)
                        + (leg.kind().equals("knn") ? " visited " + leg.visited() : "")
                        + ", "
                        + leg.hits()
                        + " hits"));
    out.printf(
        Locale.ROOT,
        "%d hit%s in %d ms (%s)%n",
        hits.size(),
        hits.size() == 1 ? "" : "s",
        response.tookMs(),
        String.join("; ", legs));
    if (explain) {
      for (ResultHit h : hits) {
        printExplain(out, h);
      }
    }
  }

  private static void printExplain(PrintWriter out, ResultHit h) {
    out.println();
    out.printf(Locale.ROOT, "%s  score %.6f%n", h.id(), h.score());
    TextTable table = new TextTable("leg", ">rank", ">raw", ">normalized", "strategy", ">visited");
    h.explain()
        .legs()
        .forEach(
            (name, leg) -> {
              LegScore s = leg.score();
              table.row(
                  name,
                  s.rank(),
                  s.present() ? number(s.raw()) : "-",
                  s.present() ? number(s.normalized()) : "-",
                  leg.strategy() == null ? "" : leg.strategy().name(),
                  leg.visited() == null ? "" : leg.visited());
            });
    table.print(out, "  ");
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }

  private static String metadata(Map<String, Object> metadata) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, Object> e : new java.util.TreeMap<>(metadata).entrySet()) {
      if (!s.isEmpty()) {
        s.append(' ');
      }
      s.append(e.getKey()).append('=').append(e.getValue());
    }
    String flat = s.toString().replaceAll("\\p{Cntrl}", " ");
    return flat.length() <= METADATA_WIDTH ? flat : flat.substring(0, METADATA_WIDTH - 3) + "...";
  }
}
