package dev.bindery.eval.regression;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.bindery.eval.metrics.RankingMetric;
import dev.bindery.eval.regression.RegressionSpec.DatasetSpec;
import dev.bindery.eval.regression.RegressionSpec.Expectation;
import dev.bindery.eval.regression.RegressionSpec.IndexSpec;
import dev.bindery.eval.regression.RegressionSpec.TaskSpec;
import dev.bindery.eval.regression.RegressionSpec.TaskType;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads regression YAML files into {@link RegressionSpec}s. Every mistake is an {@link
 * IllegalArgumentException} naming the file and the key (or the line, for YAML syntax errors);
 * unknown keys are mistakes too, so a typo never silently drops an expectation.
 */
public final class RegressionFile {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final int DEFAULT_DEPTH = 100;

  private RegressionFile() {}

  /** Parses and validates one file. */
  public static RegressionSpec read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("regression file not found: " + file);
    }
    JsonNode root;
    try {
      YAMLMapper yaml = new YAMLMapper();
      yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      root = yaml.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw malformed(file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Reader r = new Reader(file);
    if (root == null || !root.isObject()) {
      throw r.error("", "expected a mapping with name, dataset, model, index and tasks");
    }
    r.keys(root, "", Set.of("name", "description", "dataset", "model", "index", "tasks"));
    Path dir = file.toAbsolutePath().getParent();
    String defaultName = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");

    JsonNode ds = r.object(root, "dataset");
    r.keys(ds, "dataset", Set.of("kind", "path", "sha256", "options"));
    String sha = r.text(ds, "dataset", "sha256").toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(sha).matches()) {
      throw r.error("dataset.sha256", "expected 64 hex digits, got '" + sha + "'");
    }
    Map<String, String> options = new LinkedHashMap<>();
    if (ds.has("options")) {
      JsonNode o = r.object(ds, "options");
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw r.error("dataset.options." + e.getKey(), "expected a plain value");
        }
        options.put(e.getKey(), e.getValue().asText());
      }
    }
    DatasetSpec dataset =
        new DatasetSpec(
            r.text(ds, "dataset", "kind"),
            dir.resolve(r.text(ds, "dataset", "path")),
            sha,
            options);

    String model = r.text(root, "", "model");
    if (!model.startsWith("classpath:")) {
      model = dir.resolve(model).toString();
    }

    IndexSpec index = index(r, root.has("index") ? r.object(root, "index") : null);

    JsonNode tasksNode = root.get("tasks");
    if (tasksNode == null || !tasksNode.isArray() || tasksNode.isEmpty()) {
      throw r.error("tasks", "expected a list of one or more tasks");
    }
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < tasksNode.size(); i++) {
      tasks.add(task(r, tasksNode.get(i), "tasks[" + i + "]"));
    }
    return new RegressionSpec(
        file,
        root.has("name") ? r.text(root, "", "name") : defaultName,
        root.has("description") ? r.text(root, "", "description") : "",
        dataset,
        model,
        index,
        tasks);
  }

  /**
   * A YAML syntax error with the line of the problem itself: SnakeYAML's problem mark when it has
   * one (Jackson's location is where the scanner started, often the line before).
   */
  private static IllegalArgumentException malformed(Path file, JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        return new IllegalArgumentException(
            file
                + ": malformed YAML at line "
                + (m.getProblemMark().getLine() + 1)
                + ", column "
                + (m.getProblemMark().getColumn() + 1)
                + ": "
                + m.getProblem(),
            e);
      }
    }
    JsonLocation loc = e.getLocation();
    String where =
        loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    return new IllegalArgumentException(
        file + ": malformed YAML" + where + ": " + e.getOriginalMessage(), e);
  }

  private static IndexSpec index(Reader r, JsonNode n) {
    if (n == null) {
      return new IndexSpec(
          VectorStorage.FLOAT32,
          Similarity.COSINE,
          SpaceConfig.DEFAULT_M,
          SpaceConfig.DEFAULT_BEAM_WIDTH,
          0,
          false);
    }
    r.keys(n, "index", Set.of("storage", "similarity", "m", "beam", "ef", "exact"));
    try {
      VectorStorage storage =
          n.has("storage")
              ? VectorStorage.fromName(r.text(n, "index", "storage"))
              : VectorStorage.FLOAT32;
      Similarity similarity =
          n.has("similarity")
              ? Similarity.fromName(r.text(n, "index", "similarity"))
              : Similarity.COSINE;
      int m = n.has("m") ? r.integer(n, "index", "m") : SpaceConfig.DEFAULT_M;
      int beam = n.has("beam") ? r.integer(n, "index", "beam") : SpaceConfig.DEFAULT_BEAM_WIDTH;
      int ef = n.has("ef") ? r.integer(n, "index", "ef") : 0;
      boolean exact = n.has("exact") && r.bool(n, "index", "exact");
      // the same checks the index applies, reported against the file now rather than mid-run
      new SpaceConfig("check", 1, similarity, storage, m, beam, storage.defaultOversample());
      if (ef < 0) {
        throw new IllegalArgumentException("ef must be >= 0, got " + ef);
      }
      return new IndexSpec(storage, similarity, m, beam, ef, exact);
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith(r.file.toString())) {
        throw e;
      }
      throw r.error("index", e.getMessage().replace("space 'check': ", ""));
    }
  }

  private static TaskSpec task(Reader r, JsonNode n, String at) {
    if (n == null || !n.isObject()) {
      throw r.error(at, "expected a mapping");
    }
    String typeName = n.has("type") ? r.text(n, at, "type") : "retrieval";
    TaskType type;
    try {
      type = TaskType.valueOf(typeName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw r.error(
          at + ".type",
          "unknown task type '" + typeName + "'; expected retrieval or classification");
    }
    String querySet = null;
    List<String> prompts = List.of();
    Map<String, String> classNames = Map.of();
    int depth = 0;
    if (type == TaskType.RETRIEVAL) {
      r.keys(n, at, Set.of("type", "queries", "depth", "metrics"));
      querySet = r.text(n, at, "queries");
      depth = n.has("depth") ? r.integer(n, at, "depth") : DEFAULT_DEPTH;
      if (depth < 1 || depth > 10_000) {
        throw r.error(at + ".depth", "must be in 1..10000, got " + depth);
      }
    } else {
      r.keys(n, at, Set.of("type", "prompt", "prompts", "class_names", "metrics"));
      if (n.has("prompt") && n.has("prompts")) {
        throw r.error(at, "give either prompt or prompts, not both");
      }
      List<String> list = new ArrayList<>();
      if (n.has("prompts")) {
        JsonNode arr = n.get("prompts");
        if (!arr.isArray() || arr.isEmpty()) {
          throw r.error(at + ".prompts", "expected a non-empty list of prompt templates");
        }
        for (int i = 0; i < arr.size(); i++) {
          if (!arr.get(i).isTextual()) {
            throw r.error(at + ".prompts[" + i + "]", "expected a string, got " + arr.get(i));
          }
          list.add(arr.get(i).asText());
        }
      } else {
        list.add(n.has("prompt") ? r.text(n, at, "prompt") : "{}");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!list.get(i).contains("{}")) {
          throw r.error(
              at + (n.has("prompts") ? ".prompts[" + i + "]" : ".prompt"),
              "must contain {} where the class name goes, got '" + list.get(i) + "'");
        }
      }
      prompts = list;
      if (n.has("class_names")) {
        JsonNode cn = r.object(n, "class_names", at);
        Map<String, String> names = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cn.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
            throw r.error(at + ".class_names." + e.getKey(), "expected a non-empty string");
          }
          names.put(e.getKey(), e.getValue().asText());
        }
        classNames = names;
      }
    }
    JsonNode metrics = r.object(n, "metrics", at);
    if (metrics.isEmpty()) {
      throw r.error(at + ".metrics", "expected at least one metric");
    }
    List<Expectation> expectations = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String mAt = at + ".metrics." + e.getKey();
      String metric = e.getKey().trim().toLowerCase(Locale.ROOT);
      try {
        if (type == TaskType.RETRIEVAL) {
          RankingMetric rm = RankingMetric.parse(metric);
          if (rm.depth() > depth) {
            throw new IllegalArgumentException(
                "cut-off " + rm.depth() + " is deeper than the task's depth " + depth);
          }
          metric = rm.toString();
        } else if (!metric.equals("accuracy")) {
          throw new IllegalArgumentException(
              "unknown classification metric '" + e.getKey() + "'; expected accuracy");
        }
      } catch (IllegalArgumentException ex) {
        throw r.error(mAt, ex.getMessage());
      }
      JsonNode v = e.getValue();
      if (!v.isObject()) {
        throw r.error(mAt, "expected {expected: X, tolerance: Y}");
      }
      r.keys(v, mAt, Set.of("expected", "tolerance"));
      double expected = r.number(v, mAt, "expected");
      double tolerance = v.has("tolerance") ? r.number(v, mAt, "tolerance") : 0;
      if (tolerance < 0) {
        throw r.error(mAt + ".tolerance", "must be >= 0, got " + tolerance);
      }
      expectations.add(new Expectation(metric, expected, tolerance));
    }
    return new TaskSpec(type, querySet, prompts, classNames, depth, expectations);
  }

  /** Typed access with messages that name the file and the key. */
  private static final class Reader {
    final Path file;

    Reader(Path file) {
      this.file = file;
    }

    IllegalArgumentException error(String at, String message) {
      return new IllegalArgumentException(file + ": " + (at.isEmpty() ? "" : at + ": ") + message);
    }

    void keys(JsonNode n, String at, Set<String> allowed) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw error(
              at.isEmpty() ? k : at + "." + k,
              "unknown key; expected one of " + new TreeSet<>(allowed));
        }
      }
    }

    JsonNode object(JsonNode n, String key) {
      return object(n, key, "");
    }

    JsonNode object(JsonNode n, String key, String at) {
      JsonNode v = n.get(key);
      String path = at.isEmpty() ? key : at + "." + key;
      if (v == null || !v.isObject()) {
        throw error(path, v == null ? "missing" : "expected a mapping, got " + v);
      }
      return v;
    }

    String text(JsonNode n, String at, String key) {
      JsonNode v = n.get(key);
      String path = at.isEmpty() ? key : at + "." + key;
      if (v == null || v.isNull()) {
        throw error(path, "missing");
      }
      if (!v.isValueNode() || v.asText().isBlank()) {
        throw error(path, "expected a non-empty string, got " + v);
      }
      return v.asText();
    }

    int integer(JsonNode n, String at, String key) {
      JsonNode v = n.get(key);
      if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
        throw error(at + "." + key, "expected an integer, got " + v);
      }
      return v.intValue();
    }

    double number(JsonNode n, String at, String key) {
      JsonNode v = n.get(key);
      if (v == null || !v.isNumber()) {
        throw error(at + "." + key, v == null ? "missing" : "expected a number, got " + v);
      }
      return v.doubleValue();
    }

    boolean bool(JsonNode n, String at, String key) {
      JsonNode v = n.get(key);
      if (v == null || !v.isBoolean()) {
        throw error(at + "." + key, "expected true or false, got " + v);
      }
      return v.booleanValue();
    }
  }
}
