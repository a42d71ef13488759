package dev.bindery.server.cli;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.IngestReport;
import dev.bindery.fusion.ingest.Ingestor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
          + " 1 failure, 2 bad command line."
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
          "Model package (a folder or classpath:/...) for a new collection (default: "
              + ModelPackage.DEFAULT
              + "). An existing collection keeps its own; naming another is an error.")
  private String model;

  @Option(
      names = "--follow-links",
      description =
          "Also index files that symbolic links in a folder point to outside that folder (by"
              + " default they are skipped and listed: a link to /etc/passwd would otherwise land"
              + " in the collection).")
  private boolean followLinks;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, folders, .jsonl files.")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Bindery bindery = backendOptions.open(cli.dataDir(), cli)) {
      if (bindery.listCollections().contains(collection)) {
        Optional<String> current = bindery.modelLocation(collection);
        if (model != null && !current.equals(Optional.of(model))) {
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
        out.println("Created collection '" + collection + "' with model " + m);
      }
      IngestReport report;
      try (IngestProgressBar bar = new IngestProgressBar("Indexing " + collection, err)) {
        report =
            new Ingestor(
                    bindery,
                    collection,
                    IngestOptions.files(Path.of("")).withLinksOutside(followLinks))
                .ingest(paths, bar);
      }
      IngestProgressBar.printSummary(report, out);
      out.println(
          "Collection '"
              + collection
              + "' holds "
              + bindery.describe(collection).count()
              + " items");
      out.flush();
      return report.skipped().isEmpty() ? 0 : EXIT_PARTIAL;
    }
  }
}
