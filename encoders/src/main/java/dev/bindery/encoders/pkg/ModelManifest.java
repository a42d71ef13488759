package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.Pooling;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed and validated {@code bindery-model.json}: what a model package holds, before any model
 * is loaded. {@link #parse} rejects unknown keys, missing or mistyped values and unknown modalities
 * with the offending key and the valid choices; formats are checked later by the {@link
 * TowerRegistry} that knows them.
 *
 * @param name package name
 * @param version package version
 * @param license license of the weights (SPDX id where one exists)
 * @param space default embedding space id of the towers
 * @param dimension default embedding dimension of the towers
 * @param towers one tower per modality, in {@link Modality} order
 */
public record ModelManifest(
    String name,
    String version,
    String license,
    String space,
    int dimension,
    Map<Modality, TowerSpec> towers) {

  /** The manifest's file name inside a package. */
  public static final String FILE_NAME = "bindery-model.json";

  private static final List<String> TOP_KEYS =
      List.of("name", "version", "license", "description", "space", "dimension", "towers");
  private static final List<String> TOWER_KEYS =
      List.of(
          "format",
          "space",
          "dimension",
          "onnx",
          "tokenizer",
          "inputs",
          "output",
          "pooling",
          "normalize",
          "preprocess");

  public ModelManifest {
    requireText(name, "name");
    requireText(version, "version");
    requireText(license, "license");
    requireText(space, "space");
    if (dimension < 1) {
      throw new IllegalArgumentException("manifest dimension must be >= 1, got " + dimension);
    }
    Objects.requireNonNull(towers, "towers");
    if (towers.isEmpty()) {
      throw new IllegalArgumentException("manifest of '" + name + "' has no towers");
    }
    towers.forEach(
        (m, t) -> {
          if (t.modality() != m) {
            throw new IllegalArgumentException(
                "tower keyed '" + m + "' declares modality '" + t.modality() + "'");
          }
        });
    towers = Collections.unmodifiableMap(new EnumMap<>(towers));
  }

  private static void requireText(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("manifest '" + key + "' must be a non-empty string");
    }
  }

  /**
   * Parses a manifest.
   *
   * @param json the file's bytes
   * @param source where it came from, used in messages
   * @throws IllegalArgumentException naming the source, the key and the reason when it is invalid
   */
  public static ModelManifest parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          source + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + source + ": " + e, e);
    }
    return parse(root, source);
  }

  /** Parses a manifest that is already a JSON tree; see {@link #parse(byte[], String)}. */
  public static ModelManifest parse(JsonNode root, String source) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          source + ": the manifest must be a JSON object, got " + kind(root));
    }
    checkKeys(root, TOP_KEYS, source, "");
    String name = text(root, "name", source, "", true);
    String version = text(root, "version", source, "", true);
    String license = text(root, "license", source, "", true);
    String space = text(root, "space", source, "", true);
    int dimension = integer(root, "dimension", source, "", true, 0);
    JsonNode towersNode = root.get("towers");
    if (towersNode == null || !towersNode.isObject() || towersNode.isEmpty()) {
      throw new IllegalArgumentException(
          source
              + ": 'towers' must be a non-empty object keyed by modality "
              + wireNames()
              + ", got "
              + kind(towersNode));
    }
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    for (Map.Entry<String, JsonNode> e : towersNode.properties()) {
      Modality modality;
      try {
        modality = Modality.fromName(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(source + ": towers: " + ex.getMessage(), ex);
      }
      if (towers.containsKey(modality)) {
        throw new IllegalArgumentException(
            source + ": towers: modality '" + modality + "' appears twice");
      }
      towers.put(modality, tower(modality, e.getValue(), space, dimension, source));
    }
    try {
      return new ModelManifest(name, version, license, space, dimension, towers);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static TowerSpec tower(
      Modality modality, JsonNode node, String space, int dimension, String source) {
    String at = "towers." + modality.wireName() + ".";
    if (!node.isObject()) {
      throw new IllegalArgumentException(
          source
              + ": "
              + at.substring(0, at.length() - 1)
              + " must be an object, got "
              + kind(node));
    }
    checkKeys(node, TOWER_KEYS, source, at);
    String format = text(node, "format", source, at, true);
    String towerSpace = text(node, "space", source, at, false);
    int towerDim = integer(node, "dimension", source, at, false, dimension);
    String onnx = text(node, "onnx", source, at, true);
    String tokenizer = text(node, "tokenizer", source, at, false);
    String output = text(node, "output", source, at, true);
    String poolingName = text(node, "pooling", source, at, false);
    Pooling pooling;
    try {
      pooling = poolingName == null ? null : Pooling.fromName(poolingName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + at + "pooling: " + e.getMessage(), e);
    }
    boolean normalize = bool(node, "normalize", source, at, true);
    Map<String, String> inputs = new LinkedHashMap<>();
    JsonNode in = node.get("inputs");
    if (in != null && !in.isNull()) {
      if (!in.isObject()) {
        throw new IllegalArgumentException(
            source + ": " + at + "inputs must be an object of role -> input name, got " + kind(in));
      }
      in.properties()
          .forEach(
              e -> {
                if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                  throw new IllegalArgumentException(
                      source
                          + ": "
                          + at
                          + "inputs."
                          + e.getKey()
                          + " must be a non-empty string, got "
                          + kind(e.getValue()));
                }
                inputs.put(e.getKey(), e.getValue().asText());
              });
    }
    JsonNode pre = node.get("preprocess");
    if (pre != null && !pre.isNull() && !pre.isObject()) {
      throw new IllegalArgumentException(
          source + ": " + at + "preprocess must be an object, got " + kind(pre));
    }
    try {
      return new TowerSpec(
          modality,
          format,
          towerSpace == null ? space : towerSpace,
          towerDim,
          onnx,
          tokenizer,
          inputs,
          output,
          pooling,
          normalize,
          pre == null || pre.isNull() ? null : ((ObjectNode) pre).deepCopy());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static void checkKeys(JsonNode node, List<String> valid, String source, String at) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!valid.contains(key)) {
        throw new IllegalArgumentException(
            source + ": unknown key '" + at + key + "'; valid keys here: " + valid);
      }
    }
  }

  private static String text(
      JsonNode node, String key, String source, String at, boolean required) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(source + ": missing required key '" + at + key + "'");
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(
          source + ": '" + at + key + "' must be a non-empty string, got " + kind(v));
    }
    return v.asText();
  }

  private static int integer(
      JsonNode node, String key, String source, String at, boolean required, int fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(source + ": missing required key '" + at + key + "'");
      }
      return fallback;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
      throw new IllegalArgumentException(
          source + ": '" + at + key + "' must be an integer >= 1, got " + kind(v));
    }
    return v.asInt();
  }

  private static boolean bool(
      JsonNode node, String key, String source, String at, boolean fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(
          source + ": '" + at + key + "' must be true or false, got " + kind(v));
    }
    return v.asBoolean();
  }

  private static String kind(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    String s = v.toString();
    return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + (s.length() > 60 ? s.substring(0, 57) + "..." : s);
  }

  private static List<String> wireNames() {
    return java.util.Arrays.stream(Modality.values()).map(Modality::wireName).toList();
  }

  /** The modalities this package has towers for. */
  public Set<Modality> modalities() {
    return towers.keySet();
  }

  @Override
  public String toString() {
    return "ModelManifest["
        + name
        + " "
        + version
        + ", space="
        + space
        + ", dim="
        + dimension
        + ", towers="
        + towers.keySet()
        + "]";
  }
}
