package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.ingest.IngestOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bindery bench ingest}: the whole index path against the image tower alone. */
@Command(
    name = "ingest",
    sortOptions = false,
    description = {
      "Times a folder of images through the 'bindery index' path (read, hash, decode, preprocess,"
          + " image tower, index write, commit, into a fresh collection in a temporary data"
          + " folder) against the image tower alone on the same images (preprocessed before"
          + " timing, same batch size, same model). The two alternate in rounds after a warm-up;"
          + " each ingest is reported as its throughput over the tower's in the same round"
          + " (median [min-max]), with images/s, CPU time, a per-stage breakdown and the load"
          + " average at start and end."
    })
public final class IngestBenchCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--images",
      paramLabel = "DIR",
      description =
          "Folder of images to ingest (default: the demo's pictures,"
              + " models/bindery-mini/demo/images in the Bindery checkout).")
  private Path images;

  @Option(
      names = "--model",
      paramLabel = "PACKAGE",
      description = "Model package of the collections (default: ${DEFAULT-VALUE}).")
  private String model = ModelPackage.DEFAULT;

  @Option(
      names = "--threads",
      split = ",",
      paramLabel = "N[,N...]",
      description =
          "Ingest thread counts, each timed every round (default: 1 and the available"
              + " processors, here ${DEFAULT-VALUE}).")
  private List<Integer> threads =
      IngestOptions.defaultThreads() == 1 ? List.of(1) : List.of(1, IngestOptions.defaultThreads());

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "Images per tower run, in the ingest and alone (default: ${DEFAULT-VALUE}).")
  private int batch = IngestOptions.DEFAULT_BATCH_SIZE;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description = "Timed rounds after one warm-up round (default: ${DEFAULT-VALUE}).")
  private int rounds = 3;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  private boolean noProgress;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the raw report as JSON.")
  private Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    IngestBenchmark.Options options;
    try {
      options =
          new IngestBenchmark.Options(
              images != null ? images : demoImages(), model, threads, batch, rounds, !noProgress);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ObjectNode report = new IngestBenchmark(options, out, System.err).run();
    if (json != null) {
      IngestBenchmark.write(report, json);
      out.printf("wrote %s%n", json);
    }
    out.flush();
    return 0;
  }

  private static Path demoImages() {
    Path demo = Path.of("models", "bindery-mini", "demo", "images");
    String home = System.getProperty("bindery.home");
    return home != null ? Path.of(home).resolve(demo) : demo;
  }
}
