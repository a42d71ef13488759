package dev.bindery.encoders.pkg;

import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_CONFIG;
import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_OUTPUT;
import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_PREPROCESS;
import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_TEXT;
import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_TOKENIZER;
import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_TOKENIZER_CONFIG;
import static dev.bindery.encoders.pkg.ClipExportLayouts.IMMICH_VISION;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import java.util.EnumMap;
import java.util.Map;

/**
 * immich's CLIP export: {@code config.json} (open_clip's model configuration: {@code embed_dim},
 * {@code text_cfg.context_length}, {@code vision_cfg.image_size}), {@code visual/model.onnx}
 * ({@code image} [1 or B, 3, S, S] -> {@code embedding}) with {@code visual/preprocess_cfg.json},
 * and {@code textual/model.onnx} ({@code text} int32 [1, context_length] -> {@code embedding}, or
 * {@code input_ids} + {@code attention_mask} for multilingual CLIP) with its tokenizer files.
 */
final class ImmichClipExport {
  private ImmichClipExport() {}

  static ModelManifest manifest(PackageFiles files) {
    String name = ClipTowers.packageName(files);
    files.requireExists(IMMICH_CONFIG, "an immich CLIP export (" + IMMICH_VISION + ")");
    String src = files.describe(IMMICH_CONFIG);
    JsonNode cfg = files.readJson(IMMICH_CONFIG);
    boolean text = files.exists(IMMICH_TEXT);
    boolean vision = files.exists(IMMICH_VISION);
    int dim =
        ClipTowers.dimension(
            cfg.path("embed_dim").asInt(0),
            files,
            vision ? IMMICH_VISION : IMMICH_TEXT,
            IMMICH_OUTPUT);
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    if (text) {
      files.requireExists(IMMICH_TOKENIZER, "an immich export with " + IMMICH_TEXT);
      int context = cfg.path("text_cfg").path("context_length").asInt(77);
      Map<String, String> inputs;
      // open_clip towers take 'text'; multilingual CLIP (XLM-R) takes ids and a mask. Only the
      // graph says which.
      try (OnnxModel model = files.loadModel(IMMICH_TEXT)) {
        inputs =
            model.inputNames().contains("text")
                ? Map.of("input_ids", "text")
                : Map.of("input_ids", "input_ids", "attention_mask", "attention_mask");
      }
      towers.put(
          Modality.TEXT,
          ClipTowers.text(
              name,
              dim,
              IMMICH_TEXT,
              IMMICH_TOKENIZER,
              inputs,
              IMMICH_OUTPUT,
              context,
              padId(files)));
    }
    if (vision) {
      files.requireExists(IMMICH_PREPROCESS, "an immich export with " + IMMICH_VISION);
      ObjectNode p =
          OpenClipExport.preprocess(
              files.readJson(IMMICH_PREPROCESS),
              cfg.path("vision_cfg").path("image_size").asInt(224),
              files.describe(IMMICH_PREPROCESS));
      towers.put(
          Modality.IMAGE,
          ClipTowers.vision(
              name, dim, IMMICH_VISION, Map.of("pixel_values", "image"), IMMICH_OUTPUT, p));
    }
    if (towers.isEmpty()) {
      throw new IllegalStateException("unreachable: no immich tower in " + src);
    }
    return new ModelManifest(name, "export", "unknown", name, dim, towers);
  }

  /**
   * immich pads every text to the context length with the tokenizer configuration's {@code
   * pad_token}; its id is looked up in {@code tokenizer.json}. Null when either is silent.
   */
  private static Long padId(PackageFiles files) {
    if (!files.exists(IMMICH_TOKENIZER_CONFIG)) {
      return null;
    }
    JsonNode pad = files.readJson(IMMICH_TOKENIZER_CONFIG).get("pad_token");
    String token =
        pad == null ? null : pad.isTextual() ? pad.asText() : pad.path("content").asText(null);
    if (token == null) {
      return null;
    }
    JsonNode tok = files.readJson(IMMICH_TOKENIZER);
    for (JsonNode added : tok.path("added_tokens")) {
      if (token.equals(added.path("content").asText())) {
        return added.path("id").asLong();
      }
    }
    JsonNode vocab = tok.path("model").path("vocab");
    if (vocab.isObject() && vocab.has(token)) {
      return vocab.get(token).asLong();
    }
    if (vocab.isArray()) {
      // Unigram vocabularies are [token, score] pairs; the id is the position.
      for (int i = 0; i < vocab.size(); i++) {
        if (token.equals(vocab.get(i).path(0).asText())) {
          return (long) i;
        }
      }
    }
    throw new IllegalArgumentException(
        files.describe(IMMICH_TOKENIZER_CONFIG)
            + ": pad_token '"
            + token
            + "' is not in "
            + files.describe(IMMICH_TOKENIZER));
  }
}
