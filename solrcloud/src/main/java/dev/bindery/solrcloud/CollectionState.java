package dev.bindery.solrcloud;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What Bindery keeps about a collection in its SolrCloud collection properties (a ZooKeeper node
 * Solr versions and replaces atomically): the config it was created with, the metadata fields
 * inferred since, the text fields seen, and the current generation of each filter set.
 *
 * @param config spaces and metadata fields, inferred ones included
 * @param textFields text fields written so far
 * @param sets filter-set name to its current generation
 * @param hasSegments whether any item was ever written with segments
 * @param shards active shards now
 */
record CollectionState(
    CollectionConfig config,
    Set<String> textFields,
    Map<String, String> sets,
    boolean hasSegments,
    int shards) {

  CollectionState {
    textFields = Set.copyOf(new TreeSet<>(textFields));
    sets = Map.copyOf(sets);
  }

  /** Creation config as stored in {@link SolrFields#PROP_CONFIG}. */
  record StoredConfig(List<StoredSpace> spaces, Map<String, String> fields) {}

  /** One space as stored. */
  record StoredSpace(
      String name,
      int dim,
      String similarity,
      String storage,
      int m,
      int beamWidth,
      float oversample) {}

  static String toJson(CollectionConfig c) {
    List<StoredSpace> spaces =
        new TreeMap<>(c.spaces())
            .values().stream()
                .map(
                    s ->
                        new StoredSpace(
                            s.name(),
                            s.dim(),
                            s.similarity().wireName(),
                            s.storage().wireName(),
                            s.m(),
                            s.beamWidth(),
                            s.oversample()))
                .toList();
    Map<String, String> fields = new TreeMap<>();
    c.fields().forEach((k, v) -> fields.put(k, v.wireName()));
    try {
      return SolrDocuments.JSON.writeValueAsString(new StoredConfig(spaces, fields));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize the config of '" + c.name() + "'", e);
    }
  }

  /**
   * Reads the state from collection properties; null when they hold no Bindery config (the Solr
   * collection was not created by Bindery).
   */
  static CollectionState fromProperties(String name, Map<String, String> props, int shards) {
    String json = props.get(SolrFields.PROP_CONFIG);
    if (json == null) {
      return null;
    }
    StoredConfig stored;
    try {
      stored = SolrDocuments.JSON.readValue(json, new TypeReference<StoredConfig>() {});
    } catch (IOException e) {
      throw new IllegalStateException(
          "collection '"
              + name
              + "': its property "
              + SolrFields.PROP_CONFIG
              + " is not a Bindery config: "
              + e.getMessage(),
          e);
    }
    Map<String, SpaceConfig> spaces = new LinkedHashMap<>();
    for (StoredSpace s : stored.spaces()) {
      spaces.put(
          s.name(),
          new SpaceConfig(
              s.name(),
              s.dim(),
              Similarity.fromName(s.similarity()),
              VectorStorage.fromName(s.storage()),
              s.m(),
              s.beamWidth(),
              s.oversample()));
    }
    Map<String, FieldType> fields = new LinkedHashMap<>();
    stored.fields().forEach((k, v) -> fields.put(k, FieldType.fromName(v)));
    Set<String> text = new TreeSet<>();
    Map<String, String> sets = new TreeMap<>();
    props.forEach(
        (k, v) -> {
          if (k.startsWith(SolrFields.PROP_FIELD)) {
            fields.putIfAbsent(k.substring(SolrFields.PROP_FIELD.length()), FieldType.fromName(v));
          } else if (k.startsWith(SolrFields.PROP_TEXT)) {
            text.add(k.substring(SolrFields.PROP_TEXT.length()));
          } else if (k.startsWith(SolrFields.PROP_SET)) {
            sets.put(k.substring(SolrFields.PROP_SET.length()), v);
          }
        });
    return new CollectionState(
        new CollectionConfig(name, spaces, fields),
        text,
        sets,
        props.containsKey(SolrFields.PROP_SEGMENTS),
        shards);
  }
}
