package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bindery bench encoders}: text and image encoder throughput, as a table and JSON. */
@Command(
    name = "encoders",
    sortOptions = false,
    description = {
      "Encoder throughput: text towers in sentences/s per batch size and ONNX Runtime threads;"
          + " an image tower's model run alone and image decode + preprocess in images/s, with"
          + " their ratio."
    })
public final class EncoderBenchCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--text-models",
      split = ",",
      defaultValue = "classpath:/models/minilm-l6-v2,classpath:/models/minilm-l6-v2-q",
      description = "Text model packages (${DEFAULT-VALUE}).")
  private List<String> textModels;

  @Option(
      names = "--image-model",
      paramLabel = "PACKAGE|FILE.onnx",
      description =
          "Model package with an image tower, or an .onnx file with one image input, whose model"
              + " run is timed on the preprocessed images (none: skip).")
  private String imageModel;

  @Option(
      names = "--images",
      paramLabel = "DIR",
      description =
          "Folder of images to decode and preprocess (default: /usr/share/openclipart/png when"
              + " installed).")
  private Path images;

  @Option(
      names = "--max-images",
      defaultValue = "200",
      description = "Images taken from --images (${DEFAULT-VALUE}).")
  private int maxImages;

  @Option(
      names = "--sentences",
      defaultValue = "256",
      description = "Sentences per text run (${DEFAULT-VALUE}).")
  private int sentences;

  @Option(
      names = "--threads",
      split = ",",
      defaultValue = "1,2",
      description = "Thread counts (${DEFAULT-VALUE}).")
  private List<Integer> threads;

  @Option(
      names = "--batch",
      split = ",",
      defaultValue = "1,32",
      description = "Batch sizes (${DEFAULT-VALUE}).")
  private List<Integer> batches;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Timed rounds per cell; the best is reported (${DEFAULT-VALUE}).")
  private int rounds;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the report as JSON.")
  private Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Path> imageFiles = imageFiles();
    EncoderBenchmark.Options options;
    try {
      options =
          new EncoderBenchmark.Options(
              textModels, imageModel, imageFiles, sentences, threads, batches, rounds);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ObjectNode report = new EncoderBenchmark(options, out).run();
    if (json != null) {
      EncoderBenchmark.write(report, json);
      out.printf("wrote %s%n", json);
    }
    out.flush();
    return 0;
  }

  private List<Path> imageFiles() throws IOException {
    Path dir = images;
    if (dir == null) {
      Path debian = Path.of("/usr/share/openclipart/png");
      if (!Files.isDirectory(debian)) {
        return List.of();
      }
      dir = debian;
    }
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), "--images " + dir + " is not a folder");
    }
    try (Stream<Path> all = Files.walk(dir)) {
      // Debian's openclipart ships many duplicates as symlinks: count each real file once.
      return all.filter(Files::isRegularFile)
          .filter(
              p ->
                  p.getFileName()
                      .toString()
                      .toLowerCase(java.util.Locale.ROOT)
                      .matches(".*\\.(png|jpe?g|gif|bmp|webp|tiff?)"))
          .map(EncoderBenchCommand::realPath)
          .distinct()
          .sorted()
          .limit(maxImages)
          .toList();
    }
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }
}
