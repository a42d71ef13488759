package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.RowTower;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestListener;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.IngestReport;
import dev.bindery.fusion.ingest.Ingestor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.lucene.util.IOUtils;

/**
 * The benchmark behind {@code bindery bench ingest}: a folder of images through the whole {@code
 * bindery index} path ({@link Ingestor} into a fresh collection: read, hash, decode, preprocess,
 * image tower, index write, commit) against the image tower alone on the same images (rows
 * preprocessed before timing, then the model at the same batch size on the same model instance).
 * The two alternate in rounds after a warm-up (tower, ingest at each thread count, tower, ...), and
 * each ingest is reported as the ratio of its throughput to the tower's in the same round: the
 * median over rounds with the spread, so that a busy machine moves both sides alike.
 */
public final class IngestBenchmark {

  /**
   * What to measure.
   *
   * @param images the folder ingested (walked as {@code bindery index} walks it)
   * @param model the model package of the collections
   * @param threads the ingest thread counts, each timed every round
   * @param batch images per tower run, for the ingest and the tower alone
   * @param rounds timed rounds after one warm-up round
   * @param progress draw a progress bar on stderr
   */
  public record Options(
      Path images, String model, List<Integer> threads, int batch, int rounds, boolean progress) {
    public Options {
      threads = List.copyOf(threads);
      if (threads.isEmpty()) {
        throw new IllegalArgumentException("--threads needs at least one thread count");
      }
      for (int t : threads) {
        if (t < 1) {
          throw new IllegalArgumentException("--threads must be >= 1, got " + t);
        }
      }
      if (batch < 1) {
        throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
      }
      if (rounds < 1) {
        throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
      }
      if (!Files.isDirectory(images)) {
        throw new IllegalArgumentException("--images " + images + " is not a folder");
      }
    }
  }

  private final Options options;
  private final PrintWriter log;
  private final PrintStream err;

  public IngestBenchmark(Options options, PrintWriter log, PrintStream err) {
    this.options = options;
    this.log = log;
    this.err = err;
  }

  /** One timed run: wall and process CPU time. */
  private record Timed(long wallNanos, long cpuNanos) {
    /** Runs {@code work}, timing its elapsed and process CPU time. */
    static Timed of(Runnable work) {
      long cpu0 = ProcessCpuClock.nanos();
      long t0 = System.nanoTime();
      work.run();
      return new Timed(System.nanoTime() - t0, ProcessCpuClock.nanos() - cpu0);
    }
  }

  public ObjectNode run() throws IOException {
    List<Path> files = imageFiles(options.images());
    if (files.isEmpty()) {
      throw new IllegalArgumentException("--images " + options.images() + " holds no images");
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode report = json.createObjectNode();
    report.put("images_dir", options.images().toString());
    report.put("images", files.size());
    report.put("model", options.model());
    report.put("batch", options.batch());
    report.put("rounds", options.rounds());
    ObjectNode machine = report.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("java_version", System.getProperty("java.version"));
    report.put("load_start", MachineFacts.loadAverage());

    Path data = Files.createTempDirectory("bindery-bench-ingest");
    // Opened as bindery index opens a collection: a bulk load whose segments get their HNSW graph
    // at the end (Bindery.buildGraphs, timed as the ingest's last stage), built from as many
    // threads as the largest ingest uses.
    int graphThreads = options.threads().stream().mapToInt(Integer::intValue).max().orElse(1);
    try (Bindery bindery =
        Bindery.openForBulkLoad(data, ModelCache.fromEnvironment(System.getenv()), graphThreads)) {
      String location = bindery.resolveModel(options.model());
      Encoder<BufferedImage> encoder = bindery.modelPackage(location).imageEncoder();
      if (!(encoder instanceof RowTower<BufferedImage> tower)) {
        throw new IllegalArgumentException(
            "model "
                + options.model()
                + ": its image tower "
                + encoder
                + " does not preprocess apart from its model call, so it cannot be timed alone");
      }
      List<FloatTensor> rows = preprocess(tower, files);
      int steps = (options.rounds() + 1) * (1 + options.threads().size()) * files.size();
      try (ProgressBar bar = progressBar(steps)) {
        // warm-up: JIT, ONNX Runtime's arena, the page cache
        towerAlone(tower, rows, bar);
        int collections = 0;
        for (int t : options.threads()) {
          ingest(bindery, location, "warm-" + collections++, t, bar);
        }
        ArrayNode towerRounds = report.putObject("tower").putArray("rounds");
        List<List<ObjectNode>> ingestRounds = new ArrayList<>();
        options.threads().forEach(t -> ingestRounds.add(new ArrayList<>()));
        for (int r = 0; r < options.rounds(); r++) {
          Timed alone = towerAlone(tower, rows, bar);
          double towerRate = files.size() / (alone.wallNanos() / 1e9);
          ObjectNode tr = towerRounds.addObject();
          tr.put("images_per_s", round(towerRate));
          tr.put("wall_ms", alone.wallNanos() / 1e6);
          tr.put("cpu_ms", alone.cpuNanos() / 1e6);
          for (int i = 0; i < options.threads().size(); i++) {
            int t = options.threads().get(i);
            long cpu0 = ProcessCpuClock.nanos();
            Ingested ingested = ingest(bindery, location, "round-" + collections++, t, bar);
            IngestReport ir = ingested.report();
            long cpu = ProcessCpuClock.nanos() - cpu0;
            long wall = ir.elapsedNanos() + ingested.graph().wallNanos();
            double rate = files.size() / (wall / 1e9);
            ObjectNode row = json.createObjectNode();
            row.put("images_per_s", round(rate));
            row.put("ratio_to_tower", round(rate / towerRate));
            row.put("wall_ms", wall / 1e6);
            row.put("cpu_ms", cpu / 1e6);
            row.put("added", ir.added());
            row.put("skipped", ir.skipped().size());
            ObjectNode stages = row.putObject("stages");
            ir.stages()
                .forEach(
                    (stage, time) -> {
                      ObjectNode s = stages.putObject(stage.name().toLowerCase(Locale.ROOT));
                      s.put("wall_ms", time.wallNanos() / 1e6);
                      s.put("cpu_ms", time.cpuNanos() / 1e6);
                    });
            // The graph is built by the merge's worker threads (the calling thread waits), so
            // its CPU is the process's over the build.
            ObjectNode graph = stages.putObject("graph");
            graph.put("wall_ms", ingested.graph().wallNanos() / 1e6);
            graph.put("cpu_ms", ingested.graph().cpuNanos() / 1e6);
            ingestRounds.get(i).add(row);
          }
        }
        ArrayNode ingest = report.putArray("ingest");
        for (int i = 0; i < options.threads().size(); i++) {
          ObjectNode cell = ingest.addObject();
          cell.put("threads", options.threads().get(i));
          double[] ratios =
              ingestRounds.get(i).stream()
                  .mapToDouble(n -> n.get("ratio_to_tower").asDouble())
                  .toArray();
          double[] rates =
              ingestRounds.get(i).stream()
                  .mapToDouble(n -> n.get("images_per_s").asDouble())
                  .toArray();
          cell.put("ratio_median", round(median(ratios)));
          cell.put("ratio_min", Arrays.stream(ratios).min().orElse(0));
          cell.put("ratio_max", Arrays.stream(ratios).max().orElse(0));
          cell.put("images_per_s_median", round(median(rates)));
          cell.putArray("rounds").addAll(ingestRounds.get(i));
        }
      }
    } finally {
      IOUtils.rm(data);
    }
    report.put("load_end", MachineFacts.loadAverage());
    print(report);
    return report;
  }

  /** Decodes and preprocesses every image once, before any timing. */
  private static List<FloatTensor> preprocess(RowTower<BufferedImage> tower, List<Path> files) {
    ImageDecoder decoder = new ImageDecoder();
    List<FloatTensor> rows = new ArrayList<>(files.size());
    for (Path f : files) {
      rows.add(tower.preprocess(decoder.decode(f)));
    }
    return rows;
  }

  private Timed towerAlone(RowTower<BufferedImage> tower, List<FloatTensor> rows, ProgressBar bar) {
    return Timed.of(
        () -> {
          for (int from = 0; from < rows.size(); from += options.batch()) {
            List<FloatTensor> chunk =
                rows.subList(from, Math.min(rows.size(), from + options.batch()));
            tower.encodeRows(chunk);
            if (bar != null) {
              bar.stepBy(chunk.size());
            }
          }
        });
  }

  /** An ingest's report and the time its closing graph build took. */
  private record Ingested(IngestReport report, Timed graph) {}

  private Ingested ingest(
      Bindery bindery, String location, String collection, int threads, ProgressBar bar) {
    bindery.createCollection(collection, location);
    IngestOptions io =
        IngestOptions.files(options.images()).withThreads(threads).withBatchSize(options.batch());
    IngestListener listener =
        bar == null
            ? IngestListener.NONE
            : new IngestListener() {
              @Override
              public void item(String id, Outcome outcome) {
                bar.step();
              }

              @Override
              public void skipped(String source, String reason) {
                bar.step();
              }
            };
    IngestReport report =
        new Ingestor(bindery, collection, io).ingest(List.of(options.images()), listener);
    return new Ingested(report, Timed.of(() -> bindery.buildGraphs(collection)));
  }

  private ProgressBar progressBar(int steps) {
    if (!options.progress()) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName("bench ingest")
        .setInitialMax(steps)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err))
        .showSpeed()
        .build();
  }

  private void print(ObjectNode report) {
    log.printf(
        Locale.ROOT,
        "bench ingest: %d images from %s, model %s, batch %d, %d rounds after a warm-up%n",
        report.get("images").asInt(),
        report.get("images_dir").asText(),
        report.get("model").asText(),
        report.get("batch").asInt(),
        report.get("rounds").asInt());
    log.printf(
        "load average at start: %s; at end: %s%n",
        report.get("load_start").asText(), report.get("load_end").asText());
    double[] tower =
        streamOf(report.get("tower").get("rounds"))
            .mapToDouble(n -> n.get("images_per_s").asDouble())
            .toArray();
    log.printf(
        Locale.ROOT,
        "tower alone: median %.1f images/s [%.1f-%.1f]%n",
        median(tower),
        min(tower),
        max(tower));
    log.println(
        "threads  images/s  ingest/tower median [min-max]  cpu s  | stage wall s (cpu s): read  decode  tower  write  commit  graph");
    for (var cell : report.get("ingest")) {
      List<ObjectNode> rounds = new ArrayList<>();
      cell.get("rounds").forEach(n -> rounds.add((ObjectNode) n));
      // the stage breakdown of the round with the median ratio
      rounds.sort(Comparator.comparingDouble(n -> n.get("ratio_to_tower").asDouble()));
      ObjectNode mid = rounds.get(rounds.size() / 2);
      StringBuilder stages = new StringBuilder();
      mid.get("stages")
          .fields()
          .forEachRemaining(
              e ->
                  stages.append(
                      String.format(
                          Locale.ROOT,
                          "  %.2f (%.2f)",
                          e.getValue().get("wall_ms").asDouble() / 1e3,
                          e.getValue().get("cpu_ms").asDouble() / 1e3)));
      log.printf(
          Locale.ROOT,
          "%7d  %8.1f  %.3f [%.3f-%.3f]  %12.2f  |%s%n",
          cell.get("threads").asInt(),
          cell.get("images_per_s_median").asDouble(),
          cell.get("ratio_median").asDouble(),
          cell.get("ratio_min").asDouble(),
          cell.get("ratio_max").asDouble(),
          mid.get("cpu_ms").asDouble() / 1e3,
          stages);
    }
    log.flush();
  }

  private static Stream<com.fasterxml.jackson.databind.JsonNode> streamOf(
      com.fasterxml.jackson.databind.JsonNode array) {
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out.stream();
  }

  /** The images under {@code dir} that {@code bindery index} would index, sorted. */
  static List<Path> imageFiles(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> !dir.relativize(p).toString().startsWith("."))
          .filter(
              p ->
                  p.getFileName()
                      .toString()
                      .toLowerCase(Locale.ROOT)
                      .matches(".*\\.(png|jpe?g|gif|bmp|webp|tiff?)"))
          .sorted()
          .toList();
    }
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? 0 : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(0);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Writes the report as indented JSON. */
  public static void write(ObjectNode report, Path out) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
  }
}
