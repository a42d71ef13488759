package dev.bindery.eval.vqa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.eval.metrics.VqaAccuracy;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.fusion.ingest.ItemSpec;
import dev.bindery.generator.rag.Answer;
import dev.bindery.generator.rag.Answerer;
import dev.bindery.generator.rag.AskRequest;
import dev.bindery.generator.rag.RagOptions;
import dev.bindery.generator.rag.RagPipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A VQA-style evaluation of retrieval-augmented answering on pictured items: for each item of a
 * captioned manifest ({@code {"id","text","image","metadata":{"category","keywords":[...]}}}, image
 * paths relative to the manifest, as the openclipart demo set ships), two questions are asked with
 * the item's image given: {@value #CATEGORY_QUESTION} (answer: its {@code category}) and, if it has
 * keywords, {@value #KEYWORD_QUESTION} (answer: any of its {@code keywords}).
 *
 * <p>The pictured item must not answer its own question, so items are split into {@code folds} by
 * the SHA-1 of their id: the questions of fold f are asked of a collection holding every other fold
 * (indexed through fusion's {@link Ingestor}, image vector plus caption and metadata). The answer
 * is {@link Answer#plainText()}; it is scored with {@link VqaAccuracy} against ten identical
 * "human" answers per acceptable answer, best acceptable answer taken, i.e. 1 when the
 * VQAv2-normalized answer equals a normalized acceptable answer, else 0. "I don't know" scores 0.
 * The majority baseline answers every question of a fold with the gallery's most frequent category
 * (or keyword).
 */
public final class PicturedItemVqa {
  public static final String CATEGORY_QUESTION = "What category is this picture in?";
  public static final String KEYWORD_QUESTION = "What is one keyword of this picture?";

  /** Human answers per question in VQAv2; each acceptable answer is repeated this often. */
  public static final int HUMANS = 10;

  private final String model;
  private final Answerer answerer;
  private final RagOptions options;
  private final int folds;
  private final int k;
  private final VqaAccuracy accuracy = new VqaAccuracy();

  /** One manifest line: what to index and what the questions about it expect. */
  public record Line(ItemSpec spec, Path image, String category, List<String> keywords) {}

  /** One question about a pictured item. */
  public record Question(
      String itemId, String kind, String question, Path image, List<String> answers) {}

  /** One answered question; {@code topSimilarity} is the best hit's kNN cosine (or null). */
  public record Row(
      String itemId,
      String kind,
      String answer,
      boolean abstained,
      List<String> citations,
      Double topSimilarity,
      List<String> expected,
      double score) {}

  /** The result for one kind of question. */
  public record KindResult(
      String kind, int questions, double accuracy, double abstained, double majorityAccuracy) {}

  /** The whole evaluation. */
  public record Report(
      String manifest,
      String model,
      String answerer,
      int items,
      int folds,
      double accuracy,
      List<KindResult> kinds,
      List<Row> rows) {}

  /**
   * @param model the model package location the collections are created with
   * @param answerer answers the questions
   * @param options the pipeline's options
   * @param folds folds, >= 2
   * @param k items retrieved per question
   */
  public PicturedItemVqa(String model, Answerer answerer, RagOptions options, int folds, int k) {
    this.model = Objects.requireNonNull(model, "model");
    this.answerer = Objects.requireNonNull(answerer, "answerer");
    this.options = Objects.requireNonNull(options, "options");
    if (folds < 2) {
      throw new IllegalArgumentException("folds must be >= 2, got " + folds);
    }
    if (k < 1 || k > AskRequest.MAX_K) {
      throw new IllegalArgumentException("k must be in 1.." + AskRequest.MAX_K + ", got " + k);
    }
    this.folds = folds;
    this.k = k;
  }

  /**
   * Reads a manifest.
   *
   * @throws IllegalArgumentException naming the file and line for malformed lines, missing image
   *     files or a missing category
   */
  public static List<Line> read(Path manifest) {
    List<String> text;
    try {
      text = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest + ": " + e.getMessage(), e);
    }
    ObjectMapper json = new ObjectMapper();
    Path dir = manifest.toAbsolutePath().getParent();
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      if (text.get(i).isBlank()) {
        continue;
      }
      String where = manifest + ":" + (i + 1);
      JsonNode node;
      try {
        node = json.readTree(text.get(i));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            where + ": malformed JSON: " + e.getOriginalMessage(), e);
      }
      ItemSpec spec = ItemSpec.fromJson(node, where);
      if (spec.id() == null || spec.image() == null) {
        throw new IllegalArgumentException(where + ": a pictured item needs an id and an image");
      }
      Path image = dir.resolve(spec.image());
      if (!Files.isRegularFile(image)) {
        throw new IllegalArgumentException(where + ": image file not found: " + image);
      }
      if (!(spec.metadata().get("category") instanceof String category) || category.isBlank()) {
        throw new IllegalArgumentException(where + ": metadata.category is missing");
      }
      List<String> keywords = new ArrayList<>();
      if (spec.metadata().get("keywords") instanceof List<?> list) {
        list.forEach(o -> keywords.add(String.valueOf(o)));
      }
      lines.add(new Line(spec, image, category, List.copyOf(keywords)));
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(manifest + " holds no items");
    }
    return lines;
  }

  /** The questions about the lines: category for every item, keyword for those with keywords. */
  public static List<Question> questions(List<Line> lines) {
    List<Question> out = new ArrayList<>();
    for (Line l : lines) {
      out.add(
          new Question(
              l.spec().id(), "category", CATEGORY_QUESTION, l.image(), List.of(l.category())));
      if (!l.keywords().isEmpty()) {
        out.add(new Question(l.spec().id(), "keyword", KEYWORD_QUESTION, l.image(), l.keywords()));
      }
    }
    return out;
  }

  /** The fold of an item id: its SHA-1's first four bytes modulo the folds. */
  public int foldOf(String id) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(id.getBytes(StandardCharsets.UTF_8));
      int v = ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
      return Math.floorMod(v, folds);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  /** Runs the evaluation in a data directory of its own ({@code workDir}, created if needed). */
  public Report run(Path manifest, Path workDir) {
    List<Line> lines = read(manifest);
    List<Question> questions = questions(lines);
    Map<String, Integer> foldOfItem = new LinkedHashMap<>();
    lines.forEach(l -> foldOfItem.put(l.spec().id(), foldOf(l.spec().id())));
    List<Row> rows = new ArrayList<>();
    Map<String, double[]> majority = new TreeMap<>(); // kind -> {sum, count}
    ImageDecoder decoder = new ImageDecoder();
    try (Bindery bindery = Bindery.open(workDir)) {
      for (int f = 0; f < folds; f++) {
        int fold = f;
        String collection = "vqa-fold-" + f;
        bindery.dropCollection(collection);
        bindery.createCollection(collection, model);
        Ingestor ingestor =
            new Ingestor(
                bindery, collection, IngestOptions.files(manifest.toAbsolutePath().getParent()));
        List<Line> gallery =
            lines.stream().filter(l -> foldOfItem.get(l.spec().id()) != fold).toList();
        for (int i = 0; i < gallery.size(); i += 64) {
          ingestor.add(
              gallery.subList(i, Math.min(gallery.size(), i + 64)).stream()
                  .map(Line::spec)
                  .toList());
        }
        String majorityCategory =
            mostFrequent(gallery.stream().map(l -> List.of(l.category())).toList());
        String majorityKeyword = mostFrequent(gallery.stream().map(Line::keywords).toList());
        RagPipeline pipeline = new RagPipeline(bindery, answerer, options, decoder);
        for (Question q : questions) {
          if (foldOfItem.get(q.itemId()) != fold) {
            continue;
          }
          byte[] image;
          try {
            image = Files.readAllBytes(q.image());
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + q.image(), e);
          }
          Answer a =
              pipeline.ask(
                  new AskRequest(
                      collection,
                      q.question(),
                      image,
                      q.image().getFileName().toString(),
                      k,
                      null,
                      false));
          double score = score(a.plainText(), q.answers());
          rows.add(
              new Row(
                  q.itemId(),
                  q.kind(),
                  a.plainText(),
                  a.abstained(),
                  a.citations(),
                  a.hits().isEmpty() ? null : a.hits().get(0).similarity(),
                  q.answers(),
                  score));
          String base = q.kind().equals("category") ? majorityCategory : majorityKeyword;
          double[] m = majority.computeIfAbsent(q.kind(), x -> new double[2]);
          m[0] += base == null ? 0 : score(base, q.answers());
          m[1]++;
        }
      }
    }
    List<KindResult> kinds = new ArrayList<>();
    for (String kind : majority.keySet()) {
      List<Row> of = rows.stream().filter(r -> r.kind().equals(kind)).toList();
      kinds.add(
          new KindResult(
              kind,
              of.size(),
              of.stream().mapToDouble(Row::score).average().orElse(0),
              of.stream().filter(Row::abstained).count() / (double) of.size(),
              majority.get(kind)[0] / majority.get(kind)[1]));
    }
    double overall = rows.stream().mapToDouble(Row::score).average().orElse(0);
    return new Report(
        manifest.toString(), model, answerer.describe(), lines.size(), folds, overall, kinds, rows);
  }

  /** VQA accuracy against ten humans giving each acceptable answer; the best one counts. */
  public double score(String answer, List<String> acceptable) {
    double best = 0;
    for (String a : acceptable) {
      best = Math.max(best, accuracy.score(answer, Collections.nCopies(HUMANS, a)));
    }
    return best;
  }

  /** The most frequent value over the lists (ties: alphabetical), or null if there is none. */
  static String mostFrequent(List<List<String>> values) {
    Map<String, Integer> counts = new TreeMap<>();
    values.forEach(l -> l.forEach(v -> counts.merge(v, 1, Integer::sum)));
    String best = null;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (best == null || e.getValue() > counts.get(best)) {
        best = e.getKey();
      }
    }
    return best;
  }
}
