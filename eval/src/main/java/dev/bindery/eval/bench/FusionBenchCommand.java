package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bindery.encoders.pkg.ModelPackage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bindery bench fusion}: composed-query and hybrid recall on a captioned-image manifest. */
@Command(
    name = "fusion",
    sortOptions = false,
    description = {
      "Composed queries (image with keyword A + text \"B\" vs each alone) and hybrid search"
          + " (kNN vs BM25 vs both fused by RRF) on a captioned-image manifest, through the"
          + " embedded library. Default data: the demo collection (the openclipart test split)."
    })
public final class FusionBenchCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--manifest",
      paramLabel = "FILE",
      defaultValue = "models/bindery-mini/demo/tests/openclipart.jsonl",
      description =
          "Manifest with id, text (caption), image, metadata.keywords (${DEFAULT-VALUE}).")
  private Path manifest;

  @Option(
      names = "--model",
      defaultValue = ModelPackage.DEFAULT,
      description = "Model package (${DEFAULT-VALUE}).")
  private String model;

  @Option(
      names = "--weights",
      split = ",",
      defaultValue = "1,2,3,5,8,12",
      description =
          "Text weights w of the composed query item:q + w*text:\"B\" (${DEFAULT-VALUE}).")
  private List<Double> weights;

  @Option(
      names = "--max-share",
      defaultValue = "0.1",
      description =
          "Leave out keywords B on more than this share of the images (${DEFAULT-VALUE}).")
  private double maxShare;

  @Option(
      names = "--max-queries",
      defaultValue = "1000",
      description = "Composed queries at most, spread evenly (${DEFAULT-VALUE}).")
  private int maxQueries;

  @Option(
      names = "--validation-manifest",
      paramLabel = "FILE",
      description =
          "A manifest of the validation split (make_demo.py --split val): the text weight and the"
              + " fusion settings are chosen on it, then reported on --manifest. Without it, all"
              + " settings are reported and none is chosen.")
  private Path validation;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the report as JSON here.")
  private Path json;

  @Option(
      names = "--markdown",
      paramLabel = "OUT",
      description = "Write the report as Markdown here.")
  private Path markdown;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isRegularFile(manifest)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--manifest " + manifest + " does not exist (run from the Bindery checkout)");
    }
    FusionBenchmark bench = new FusionBenchmark(manifest, model, 10, maxShare, maxQueries, weights);
    FusionBenchmark.Report val = null;
    if (validation != null) {
      err.println("validation: " + validation);
      val =
          withWork(
              w ->
                  new FusionBenchmark(validation, model, 10, maxShare, maxQueries, weights)
                      .run(w, err));
    }
    err.println("test: " + manifest);
    FusionBenchmark.Report test = withWork(w -> bench.run(w, err));
    String command =
        "bin/bindery bench fusion"
            + (validation != null ? " --validation-manifest " + validation : "")
            + " --json docs/benchmarks/fusion.json --markdown docs/benchmarks/fusion.md";
    String md = FusionBenchmark.markdown(test, val, command);
    out.print(md);
    if (json != null) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("test", test);
      all.put("validation", val);
      all.put("chosen", val == null ? null : FusionBenchmark.chosen(val));
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), all);
    }
    if (markdown != null) {
      Files.writeString(markdown, md);
    }
    out.flush();
    return 0;
  }

  private static FusionBenchmark.Report withWork(
      java.util.function.Function<Path, FusionBenchmark.Report> run) throws java.io.IOException {
    Path work = Files.createTempDirectory("bindery-fusion-bench-");
    try {
      return run.apply(work);
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
