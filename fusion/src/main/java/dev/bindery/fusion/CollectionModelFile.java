package dev.bindery.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The small file next to a collection that remembers which model package embeds its items and
 * queries: {@code <collections>/<name>/bindery-collection.json}, {@code {"model": "<location>"}}.
 * Written atomically ({@link AtomicFiles}); a collection without it holds raw vectors.
 */
final class CollectionModelFile {
  static final String NAME = "bindery-collection.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private CollectionModelFile() {}

  static void write(Path collectionDir, String modelLocation) {
    Path target = collectionDir.resolve(NAME);
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("model", modelLocation);
    try {
      AtomicFiles.write(target, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e, e);
    }
  }

  /** The model location, or empty when the collection has no file (raw vectors). */
  static Optional<String> read(Path collectionDir) {
    Path file = collectionDir.resolve(NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      JsonNode model = root == null ? null : root.get("model");
      if (model == null || !model.isTextual() || model.textValue().isBlank()) {
        throw new IllegalStateException(file + " has no \"model\" string: " + root);
      }
      return Optional.of(model.textValue());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
  }
}
