package dev.bindery.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.IngestReport;
import dev.bindery.fusion.ingest.Ingestor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bindery index}: files, folders and JSONL manifests into a collection. */
@Command(
    name = "index",
    description = {
      "Embed and index files, folders (walked recursively; hidden files skipped) and .jsonl"
          + " manifests into a collection, creating it with --model if it does not exist.",
      "A manifest line: {\"id\": ..., \"text\": ..., \"image\": \"path\", \"audio\": \"path\","
          + " \"video\": \"path\", \"vectors\": {\"space\": [...]}, \"metadata\": {...}};"
          + " paths are relative to the manifest. With an image/audio/video, \"text\" is its"
          + " caption (BM25); without, the text itself is embedded.",
      "Re-running is idempotent: items whose content (bytes, text, metadata) did not change are"
          + " neither embedded nor written again. Inputs that cannot be read are skipped and"
          + " listed with the reason; the rest is indexed and committed.",
      "Exit codes: 0 everything indexed, 3 some inputs skipped (the others are indexed),"
          + " 1 failure (including every input skipped), 2 bad command line."
    })
final class IndexCommand implements Callable<Integer> {

  /** Exit code when some inputs were skipped and the rest indexed. */
  static final int EXIT_PARTIAL = 3;

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
      description = "Collection to index into.")
  private String collection;

  @Option(
      names = "--model",
      paramLabel = "PACKAGE",
      description =
          "Model for a new collection: a package folder, classpath:/..., or the name of a model"
              + " pulled with 'bindery models pull' (e.g. clip-vit-b32; looked up in"
              + " $BINDERY_MODEL_CACHE, default ~/.cache/bindery/models). Default: "
              + ModelPackage.DEFAULT
              + ". An existing collection keeps its own; naming another is an error.")
  private String model;

  @Option(
      names = "--json",
      description =
          "Print the summary as one JSON document on stdout (added, replaced, unchanged, skipped"
              + " inputs with their reasons, count, took_ms; with the embedded backend also"
              + " graph_ms and merged); the progress bar stays on stderr.")
  private boolean json;

  @Option(
      names = "--follow-links",
      description =
          "Also index files that symbolic links in a folder point to outside that folder (by"
              + " default they are skipped and listed: a link to /etc/passwd would otherwise land"
              + " in the collection).")
  private boolean followLinks;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads that read, decode and preprocess inputs while the main thread runs the image"
              + " tower on batches and writes, and that build the search graph at the end"
              + " (default: the available processors, here ${DEFAULT-VALUE}); 1 does everything"
              + " on one thread, one item after the other.")
  private int threads = IngestOptions.defaultThreads();

  @Option(
      names = "--merge",
      description =
          "At the end, merge the whole collection into one segment with one search graph. A"
              + " load already ends with one new segment (more above 100,000 items), so this pays"
              + " when adding to a collection that has segments: searches then visit one graph"
              + " instead of several (2-3x the queries per second at the same recall on 100,000"
              + " vectors). It rewrites the whole collection: the larger it is, the longer it"
              + " takes. Embedded backend only.")
  private boolean merge;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, folders, .jsonl files.")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    backendOptions.check();
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
    }
    if (merge && backendOptions.backend != BackendOptions.Kind.LUCENE) {
      throw new ParameterException(
          spec.commandLine(), "--merge applies to --backend lucene only (Solr merges its own)");
    }
    if (backendOptions.backend == BackendOptions.Kind.LUCENE) {
      ServerLock.holder(cli.dataDir())
          .ifPresent(
              server -> {
                throw new IllegalStateException(
                    "the data directory "
                        + cli.dataDir().toAbsolutePath().normalize()
                        + " is in use by a running Bindery server ("
                        + server
                        + "); searching works beside it, but to write, send the items to its"
                        + " API (POST /v1/collections/"
                        + collection
                        + "/items, see docs/server.md) or stop it first");
              });
    }
    // A bulk load: segments are written without HNSW graphs and one graph is built for all of
    // them at the end, from every thread (Bindery.openForBulkLoad).
    try (Bindery bindery = backendOptions.openForBulkLoad(cli.dataDir(), cli, threads)) {
      String created = null;
      if (bindery.listCollections().contains(collection)) {
        Optional<String> current = bindery.modelLocation(collection);
        if (model != null && !current.equals(Optional.of(bindery.resolveModel(model)))) {
          throw new ParameterException(
              spec.commandLine(),
              "collection '"
                  + collection
                  + "' exists with model "
                  + current.orElse("(raw vectors)")
                  + "; --model "
                  + model
                  + " would mix vector spaces. Index into a new collection instead.");
        }
      } else {
        String m = model != null ? model : ModelPackage.DEFAULT;
        bindery.createCollection(collection, m);
        created = m;
        if (!json) {
          out.println("Created collection '" + collection + "' with model " + m);
        }
      }
      IngestReport report;
      try (IngestProgressBar bar = new IngestProgressBar("Indexing " + collection, err)) {
        report =
            new Ingestor(
                    bindery,
                    collection,
                    IngestOptions.files(Path.of(""))
                        .withLinksOutside(followLinks)
                        .withThreads(threads))
                .ingest(paths, bar);
      }
      GraphBuild graph = buildGraphs(bindery, err);
      long count = bindery.describe(collection).count();
      if (json) {
        printJson(out, report, created, count, graph);
      } else {
        IngestProgressBar.printSummary(report, out);
        if (graph != null) {
          out.println(graph.describe());
        }
        out.println("Collection '" + collection + "' holds " + count + " items");
      }
      out.flush();
      if (report.skipped().isEmpty()) {
        return 0;
      }
      if (report.added() + report.replaced() + report.unchanged() == 0) {
        // Nothing could be read: that is a failure, not a partial ingest.
        err.println(
            "bindery index: error: nothing was indexed; all "
                + report.skipped().size()
                + " input(s) were skipped (first: "
                + report.skipped().get(0).source()
                + ": "
                + report.skipped().get(0).reason()
                + ")");
        err.flush();
        return BinderyCli.EXIT_FAILURE;
      }
      return EXIT_PARTIAL;
    }
  }

  /**
   * What {@link #buildGraphs} did: segments merged for the graph (or the whole collection merged
   * into one, with {@code --merge}), and how long it took.
   */
  private record GraphBuild(int segments, boolean mergedToOne, long nanos) {
    String describe() {
      String what =
          mergedToOne
              ? "Merged into one segment with its search graph"
              : segments == 0
                  ? "Search graph up to date"
                  : "Search graph built from " + segments + " new segment(s)";
      return String.format(Locale.ROOT, "%s in %.1f s", what, nanos / 1e9);
    }
  }

  /**
   * Builds the search graph of what the load wrote ({@link Bindery#buildGraphs}), or with {@code
   * --merge} merges the whole collection into one segment whose graph is built from every thread;
   * announced on stderr beside the progress bar since it can take a while for a large load. Null
   * with SolrCloud, whose graphs are Solr's to build.
   */
  private GraphBuild buildGraphs(Bindery bindery, PrintWriter err) {
    if (backendOptions.backend != BackendOptions.Kind.LUCENE) {
      return null;
    }
    long t0 = System.nanoTime();
    err.println(
        "Building the search graph"
            + (merge ? " of the whole collection, merged into one segment," : "")
            + (threads == 1 ? "" : " on " + threads + " threads")
            + "...");
    err.flush();
    if (merge) {
      bindery.mergeToOneSegment(collection);
      return new GraphBuild(0, true, System.nanoTime() - t0);
    }
    int segments = bindery.buildGraphs(collection);
    return new GraphBuild(segments, false, System.nanoTime() - t0);
  }

  private void printJson(
      PrintWriter out, IngestReport report, String created, long count, GraphBuild graph) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("collection", collection);
    if (created != null) {
      body.put("created_with_model", created);
    }
    body.put("added", report.added());
    body.put("replaced", report.replaced());
    body.put("unchanged", report.unchanged());
    List<Map<String, String>> skipped = new ArrayList<>();
    for (IngestReport.Skip skip : report.skipped()) {
      skipped.add(Map.of("source", skip.source(), "reason", skip.reason()));
    }
    body.put("skipped", skipped);
    body.put("count", count);
    body.put("took_ms", report.elapsedNanos() / 1_000_000);
    if (graph != null) {
      body.put("graph_ms", graph.nanos() / 1_000_000);
      body.put("merged", graph.mergedToOne());
    }
    try {
      out.println(new ObjectMapper().writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the summary as JSON: " + e.getMessage(), e);
    }
  }
}
