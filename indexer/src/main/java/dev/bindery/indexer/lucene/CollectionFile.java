package dev.bindery.indexer.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.AtomicFiles;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes {@code collection.json}, the durable description of a collection. */
final class CollectionFile {
  static final String NAME = "collection.json";
  static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CollectionFile() {}

  static void write(Path dir, CollectionConfig config) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("name", config.name());
    ObjectNode spaces = root.putObject("spaces");
    for (SpaceConfig s : new TreeMap<>(config.spaces()).values()) {
      ObjectNode n = spaces.putObject(s.name());
      n.put("dim", s.dim());
      n.put("similarity", s.similarity().wireName());
      n.put("storage", s.storage().wireName());
      n.put("m", s.m());
      n.put("beamWidth", s.beamWidth());
      n.put("oversample", s.oversample());
    }
    ObjectNode fields = root.putObject("fields");
    new TreeMap<>(config.fields()).forEach((k, v) -> fields.put(k, v.wireName()));
    AtomicFiles.replaceInExistingDirectory(dir.resolve(NAME), JSON.writeValueAsBytes(root));
  }

  static CollectionConfig read(Path dir) {
    Path file = dir.resolve(NAME);
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(file));
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      int format = root.path("format").asInt(-1);
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "format " + root.path("format") + " is not supported (expected " + FORMAT + ")");
      }
      Map<String, SpaceConfig> spaces = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = root.path("spaces").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode n = e.getValue();
        spaces.put(
            e.getKey(),
            new SpaceConfig(
                e.getKey(),
                required(n, "dim").asInt(),
                Similarity.fromName(required(n, "similarity").asText()),
                VectorStorage.fromName(required(n, "storage").asText()),
                required(n, "m").asInt(),
                required(n, "beamWidth").asInt(),
                (float) required(n, "oversample").asDouble()));
      }
      Map<String, FieldType> fields = new LinkedHashMap<>();
      root.path("fields")
          .fields()
          .forEachRemaining(e -> fields.put(e.getKey(), FieldType.fromName(e.getValue().asText())));
      return new CollectionConfig(required(root, "name").asText(), spaces, fields);
    } catch (IOException | RuntimeException e) {
      throw new dev.bindery.indexer.IndexUnavailableException(
          "cannot read collection file " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v;
  }
}
