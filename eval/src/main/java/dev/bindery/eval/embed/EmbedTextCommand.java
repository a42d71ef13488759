package dev.bindery.eval.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.eval.bench.NpyFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bindery embed-text}: embeds the {@code text} field of every line of a JSONL file with a
 * package's text tower and writes the vectors as a float32 {@code .npy} matrix, rows in file order
 * (texts are batched by length, which pads less and changes no vector). Training scripts
 * (bindery-mini) use it so their frozen text tower is Bindery's own, bit for bit, instead of a
 * Python re-implementation.
 */
@Command(
    name = "embed-text",
    sortOptions = false,
    description =
        "Embed the \"text\" field of each JSONL line with a model package's text tower; write an"
            + " [N, dim] float32 .npy (rows in file order) and a .json sidecar describing it.")
public final class EmbedTextCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--model",
      defaultValue = ModelPackage.DEFAULT_TEXT,
      description = "Model package with a text tower (${DEFAULT-VALUE}).")
  private String model;

  @Option(names = "--in", required = true, paramLabel = "FILE.jsonl", description = "Input JSONL.")
  private Path in;

  @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Output .npy.")
  private Path out;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Texts per encoder call (${DEFAULT-VALUE}).")
  private int batch;

  @Override
  public Integer call() throws IOException {
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    List<String> texts = readTexts(in);
    PrintWriter log = spec.commandLine().getErr();
    try (ModelPackage pkg = ModelPackage.open(model)) {
      Encoder<String> enc = pkg.textEncoder();
      int dim = enc.dimension();
      float[] data = new float[Math.multiplyExact(texts.size(), dim)];
      int[] order = lengthOrder(texts);
      long t0 = System.nanoTime();
      for (int i = 0; i < texts.size(); i += batch) {
        int end = Math.min(texts.size(), i + batch);
        List<String> chunk = new ArrayList<>(end - i);
        for (int j = i; j < end; j++) {
          chunk.add(texts.get(order[j]));
        }
        List<float[]> vectors = enc.encodeBatch(chunk);
        for (int j = i; j < end; j++) {
          System.arraycopy(vectors.get(j - i), 0, data, order[j] * dim, dim);
        }
        if ((i / batch) % 50 == 0) {
          log.printf(
              Locale.ROOT,
              "embedded %d / %d (%.0f texts/s)%n",
              end,
              texts.size(),
              end / ((System.nanoTime() - t0) / 1e9));
          log.flush();
        }
      }
      NpyFormat.writeFloat32(out, data, texts.size(), dim);
      String sidecar =
          "{\"kind\": \"bindery-"
              + pkg.name()
              + "\", \"model\": \""
              + model
              + "\", \"space\": \""
              + enc.space()
              + "\", \"rows\": "
              + texts.size()
              + ", \"dim\": "
              + dim
              + ", \"smoke\": false}\n";
      Files.writeString(out.resolveSibling(out.getFileName() + ".json"), sidecar);
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "wrote %s: %d x %d in %.1f s%n",
              out,
              texts.size(),
              dim,
              (System.nanoTime() - t0) / 1e9);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  /**
   * Row indexes ordered by text length (ties by row). A batch is padded to its longest text, so
   * batching texts of similar length wastes far less model time on padding than file order does;
   * the tower embeds a text the same alone and in any batch, so the output does not change.
   */
  static int[] lengthOrder(List<String> texts) {
    return java.util.stream.IntStream.range(0, texts.size())
        .boxed()
        .sorted(
            java.util.Comparator.<Integer>comparingInt(i -> texts.get(i).length())
                .thenComparingInt(i -> i))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  static List<String> readTexts(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("input " + file + " does not exist");
    }
    ObjectMapper json = new ObjectMapper();
    List<String> texts = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = json.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException(
              file + " line " + n + ": not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode text = node == null ? null : node.get("text");
        if (text == null || !text.isTextual()) {
          throw new IllegalArgumentException(file + " line " + n + ": no string field \"text\"");
        }
        texts.add(text.asText());
      }
    }
    if (texts.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no lines with a \"text\" field");
    }
    return texts;
  }
}
