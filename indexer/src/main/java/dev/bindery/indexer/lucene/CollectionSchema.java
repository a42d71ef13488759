package dev.bindery.indexer.lucene;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.SchemaChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A collection's schema as published to readers: the {@link CollectionConfig} with its recorded
 * metadata field types, kept in {@code collection.json}. New fields are recorded there before any
 * document uses them, so after a crash the file never lacks a field the index holds.
 */
final class CollectionSchema {
  private final Path dir;
  private volatile CollectionConfig config;

  CollectionSchema(Path dir, CollectionConfig config) {
    this.dir = dir;
    this.config = config;
  }

  CollectionConfig config() {
    return config;
  }

  /** Reads the file again (a read-only collection following another process's writer). */
  void reload() {
    config = CollectionFile.read(dir);
  }

  /**
   * Records the types a batch inferred for fields the collection does not have yet.
   *
   * @throws dev.bindery.indexer.UnprocessableException when a field is recorded with another type
   */
  synchronized void addFields(Map<String, FieldType> newFields) {
    CollectionConfig cfg = config;
    SchemaChecks.checkFieldTypes(cfg.fields(), newFields);
    CollectionConfig updated = cfg;
    for (String field : SchemaChecks.unrecorded(cfg.fields(), newFields)) {
      updated = updated.withField(field, newFields.get(field));
    }
    if (updated == cfg) {
      return;
    }
    try {
      CollectionFile.write(dir, updated);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "collection '" + cfg.name() + "': cannot record new metadata fields " + newFields, e);
    }
    config = updated;
  }
}
