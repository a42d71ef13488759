package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.image.ClipImagePreprocessor;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.ModelManifest;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Encoder throughput in one process: text towers (sentences/s at several batch sizes and ONNX
 * Runtime thread counts), an image tower's model run alone (images/s on preprocessed tensors), and
 * image decode + preprocess (images/s with 1..n worker threads). The point is the ratios in one
 * run: preprocessing must not be the bottleneck of image encoding.
 */
public final class EncoderBenchmark {

  /** What to measure. */
  public record Options(
      List<String> textModels,
      String imageModel,
      List<Path> images,
      int sentences,
      List<Integer> threads,
      List<Integer> batches,
      int rounds) {
    public Options {
      textModels = List.copyOf(textModels);
      images = List.copyOf(images);
      threads = List.copyOf(threads);
      batches = List.copyOf(batches);
      if (sentences < 1 || rounds < 1) {
        throw new IllegalArgumentException("sentences and rounds must be >= 1");
      }
      for (int t : threads) {
        if (t < 1) {
          throw new IllegalArgumentException("threads must be >= 1, got " + t);
        }
      }
      for (int b : batches) {
        if (b < 1) {
          throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
        }
      }
    }
  }

  private final Options options;
  private final PrintWriter log;

  public EncoderBenchmark(Options options, PrintWriter log) {
    this.options = options;
    this.log = log;
  }

  /** Deterministic, caption-like sentences: what a text tower sees at query and index time. */
  static List<String> sentences(int n) {
    String[] subjects = {
      "a red bicycle", "an old lighthouse", "two cats", "a wooden boat", "a city skyline",
      "a bowl of ramen", "a snowy mountain", "a vintage car", "a field of sunflowers", "a robot"
    };
    String[] settings = {
      "at night",
      "in the rain",
      "on a sunny beach",
      "next to a river",
      "in a busy market",
      "under a starry sky",
      "in black and white",
      "drawn as clip art",
      "seen from above"
    };
    String[] tails = {
      "",
      " with people walking by",
      " and a dog in the foreground",
      ", photographed in 1970",
      ", a simple vector illustration"
    };
    List<String> out = new ArrayList<>(n);
    for (int i = 0; out.size() < n; i++) {
      out.add(
          subjects[i % subjects.length]
              + " "
              + settings[(i / subjects.length) % settings.length]
              + tails[(i / (subjects.length * settings.length)) % tails.length]);
    }
    return out;
  }

  public ObjectNode run() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode report = json.createObjectNode();
    ObjectNode machine = report.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("java_version", System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    ArrayNode text = report.putArray("text");
    List<String> corpus = sentences(options.sentences());
    for (String model : options.textModels()) {
      for (int threads : options.threads()) {
        try (ModelPackage pkg =
            ModelPackage.open(PackageFiles.of(model, threads), TowerRegistry.defaults())) {
          Encoder<String> enc = pkg.textEncoder();
          for (int batch : options.batches()) {
            encodeAll(enc, corpus, batch); // warm-up
            double best = 0;
            for (int r = 0; r < options.rounds(); r++) {
              long t0 = System.nanoTime();
              encodeAll(enc, corpus, batch);
              best = Math.max(best, corpus.size() / seconds(t0));
            }
            ObjectNode row = text.addObject();
            row.put("model", model);
            row.put("onnx_threads", threads);
            row.put("batch", batch);
            row.put("sentences_per_s", round(best));
            log.printf(
                Locale.ROOT,
                "text  %-40s threads=%d batch=%-3d %9.1f sentences/s%n",
                model,
                threads,
                batch,
                best);
            log.flush();
          }
        }
      }
    }
    if (!options.images().isEmpty()) {
      imageRuns(report);
    }
    return report;
  }

  private static void encodeAll(Encoder<String> enc, List<String> corpus, int batch) {
    for (int i = 0; i < corpus.size(); i += batch) {
      enc.encodeBatch(corpus.subList(i, Math.min(corpus.size(), i + batch)));
    }
  }

  private void imageRuns(ObjectNode report) throws Exception {
    ImageDecoder decoder = new ImageDecoder();
    ClipImagePreprocessor preprocessor = preprocessorFor(options.imageModel());
    List<byte[]> files = new ArrayList<>();
    for (Path p : options.images()) {
      files.add(Files.readAllBytes(p));
    }
    List<BufferedImage> decoded = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      decoded.add(decoder.decode(files.get(i), "image #" + i));
    }
    List<FloatTensor> tensors = new ArrayList<>();
    decoded.forEach(img -> tensors.add(preprocessor.apply(img)));
    ArrayNode pre = report.putArray("image_decode_preprocess");
    for (int threads : options.threads()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        // Decode alone, preprocess alone (on decoded images), and both: where the time goes.
        double decode = bestRate(pool, files.size(), i -> decoder.decode(files.get(i), "image"));
        double prep = bestRate(pool, files.size(), i -> preprocessor.apply(decoded.get(i)));
        double both =
            bestRate(
                pool,
                files.size(),
                i -> preprocessor.apply(decoder.decode(files.get(i), "image #" + i)));
        ObjectNode row = pre.addObject();
        row.put("threads", threads);
        row.put("images", files.size());
        row.put("preprocess", preprocessor.toString());
        row.put("decode_images_per_s", round(decode));
        row.put("preprocess_images_per_s", round(prep));
        row.put("images_per_s", round(both));
        log.printf(
            Locale.ROOT,
            "image threads=%d decode %8.1f/s  preprocess %8.1f/s  decode+preprocess %8.1f/s%n",
            threads,
            decode,
            prep,
            both);
        log.flush();
      } finally {
        pool.shutdownNow();
      }
    }
    if (options.imageModel() == null) {
      return;
    }
    ArrayNode run = report.putArray("image_model_run");
    for (int threads : options.threads()) {
      try (OnnxModel model = loadImageModel(options.imageModel(), threads)) {
        // An image tower has one pixel input; its name differs between CLIP and ImageBind exports.
        String input = model.inputNames().iterator().next();
        String output = model.outputNames().iterator().next();
        for (int batch : options.batches()) {
          runAll(model, input, output, tensors, batch); // warm-up
          double best = 0;
          for (int r = 0; r < options.rounds(); r++) {
            long t0 = System.nanoTime();
            runAll(model, input, output, tensors, batch);
            best = Math.max(best, tensors.size() / seconds(t0));
          }
          ObjectNode row = run.addObject();
          row.put("model", options.imageModel());
          row.put("onnx_threads", threads);
          row.put("batch", batch);
          row.put("images_per_s", round(best));
          log.printf(
              Locale.ROOT,
              "image model run threads=%d batch=%-3d %9.1f images/s%n",
              threads,
              batch,
              best);
          log.flush();
        }
      }
    }
    // The check the encoders issue asks for: preprocessing at least 3x faster than the model.
    ObjectNode ratio = report.putObject("preprocess_vs_run");
    for (int threads : options.threads()) {
      double p = rate(pre, "threads", threads);
      double m = 0;
      for (var row : run) {
        if (row.get("onnx_threads").asInt() == threads) {
          m = Math.max(m, row.get("images_per_s").asDouble());
        }
      }
      ratio.put("threads_" + threads, m == 0 ? 0 : round(p / m));
    }
  }

  /**
   * The preprocessing the timed model is fed: a package's own (bindery-mini's is 64 px, CLIP's
   * 224), a bare {@code .onnx} file's fixed square input size, else CLIP's 224 (also when no image
   * model is timed).
   */
  static ClipImagePreprocessor preprocessorFor(String location) {
    if (location == null) {
      return ClipImagePreprocessor.clip(224);
    }
    if (location.endsWith(".onnx")) {
      try (OnnxModel model = loadImageModel(location, 1)) {
        long[] shape = model.inputShape(model.inputNames().iterator().next());
        boolean fixedSquare =
            shape.length == 4 && shape[1] == 3 && shape[2] > 0 && shape[2] == shape[3];
        return ClipImagePreprocessor.clip(fixedSquare ? (int) shape[2] : 224);
      }
    }
    TowerSpec spec = imageTower(PackageFiles.of(location, 1), location);
    return ClipImagePreprocessor.fromJson(spec.preprocess(), 224, location + " image tower");
  }

  private static TowerSpec imageTower(PackageFiles pf, String location) {
    ModelManifest manifest = ModelPackage.readManifest(pf);
    TowerSpec spec = manifest.towers().get(Modality.IMAGE);
    if (spec == null) {
      throw new IllegalArgumentException("model package " + location + " has no image tower");
    }
    return spec;
  }

  /** A model package with an image tower, or a bare {@code .onnx} file with one image input. */
  private static OnnxModel loadImageModel(String location, int threads) {
    if (location.endsWith(".onnx")) {
      OnnxModel model = OnnxModel.load(Path.of(location), threads);
      if (model.inputNames().size() != 1) {
        model.close();
        throw new IllegalArgumentException(
            location + " has inputs " + model.describeInputs() + "; an image model has one");
      }
      return model;
    }
    PackageFiles pf = PackageFiles.of(location, threads);
    TowerSpec spec = imageTower(pf, location);
    return OnnxModel.load(pf.read(spec.onnx()), spec.onnx(), threads);
  }

  /** Best of the configured rounds of running {@code task(0..n-1)} on the pool, items/s. */
  private double bestRate(ExecutorService pool, int n, IntTask task) throws Exception {
    runOnPool(pool, n, task); // warm-up
    double best = 0;
    for (int r = 0; r < options.rounds(); r++) {
      long t0 = System.nanoTime();
      runOnPool(pool, n, task);
      best = Math.max(best, n / seconds(t0));
    }
    return best;
  }

  /** One unit of benchmarked work on item i. */
  @FunctionalInterface
  private interface IntTask {
    Object apply(int i) throws Exception;
  }

  private static void runOnPool(ExecutorService pool, int n, IntTask task) throws Exception {
    List<Future<Object>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int item = i;
      futures.add(pool.submit(() -> task.apply(item)));
    }
    for (Future<Object> f : futures) {
      f.get();
    }
  }

  private static double rate(ArrayNode rows, String key, int value) {
    for (var row : rows) {
      if (row.get(key).asInt() == value) {
        return row.get("images_per_s").asDouble();
      }
    }
    return 0;
  }

  private static void runAll(
      OnnxModel model, String input, String output, List<FloatTensor> tensors, int batch) {
    for (int i = 0; i < tensors.size(); i += batch) {
      FloatTensor stacked =
          FloatTensor.stack(tensors.subList(i, Math.min(tensors.size(), i + batch)));
      model.run(Map.of(input, stacked), List.of(output));
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
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
