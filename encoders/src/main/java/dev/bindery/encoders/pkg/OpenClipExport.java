package dev.bindery.encoders.pkg;

import static dev.bindery.encoders.pkg.ClipExportLayouts.OPEN_CLIP_CONFIG;
import static dev.bindery.encoders.pkg.ClipExportLayouts.OPEN_CLIP_TEXT;
import static dev.bindery.encoders.pkg.ClipExportLayouts.OPEN_CLIP_VISION;
import static dev.bindery.encoders.pkg.ClipExportLayouts.TOKENIZER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import java.util.EnumMap;
import java.util.Map;

/**
 * The open_clip export: {@code open_clip_config.json} ({@code model_cfg}, {@code preprocess_cfg}),
 * {@code text.onnx} ({@code input_ids} [B, context_length] -> {@code text_embeds}), {@code
 * visual.onnx} ({@code pixel_values} -> {@code image_embeds}) and {@code tokenizer.json}. Its
 * preprocessing configuration is also the one immich ships ({@link ImmichClipExport}).
 */
final class OpenClipExport {
  private OpenClipExport() {}

  static ModelManifest manifest(PackageFiles files) {
    String name = ClipTowers.packageName(files);
    JsonNode cfg = files.readJson(OPEN_CLIP_CONFIG);
    String src = files.describe(OPEN_CLIP_CONFIG);
    JsonNode model = cfg.path("model_cfg");
    if (!model.isObject()) {
      throw new IllegalArgumentException(src + ": missing the 'model_cfg' object");
    }
    boolean text = files.exists(OPEN_CLIP_TEXT);
    boolean vision = files.exists(OPEN_CLIP_VISION);
    if (!text && !vision) {
      throw new IllegalArgumentException(
          "open_clip export "
              + files.root()
              + " has "
              + OPEN_CLIP_CONFIG
              + " but neither "
              + files.describe(OPEN_CLIP_TEXT)
              + " nor "
              + files.describe(OPEN_CLIP_VISION));
    }
    int dim =
        ClipTowers.embedsDimension(
            model.path("embed_dim").asInt(0), files, text, OPEN_CLIP_TEXT, OPEN_CLIP_VISION);
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    if (text) {
      int context = model.path("text_cfg").path("context_length").asInt(77);
      towers.put(
          Modality.TEXT,
          ClipTowers.text(
              name,
              dim,
              OPEN_CLIP_TEXT,
              TOKENIZER,
              Map.of("input_ids", "input_ids"),
              "text_embeds",
              context,
              null));
    }
    if (vision) {
      ObjectNode p =
          preprocess(
              cfg.path("preprocess_cfg"),
              model.path("vision_cfg").path("image_size").asInt(224),
              src);
      towers.put(
          Modality.IMAGE,
          ClipTowers.vision(
              name,
              dim,
              OPEN_CLIP_VISION,
              Map.of("pixel_values", "pixel_values"),
              "image_embeds",
              p));
    }
    return new ModelManifest(name, "export", "unknown", name, dim, towers);
  }

  /**
   * open_clip's preprocessing configuration ({@code preprocess_cfg} of {@code
   * open_clip_config.json}, or immich's {@code visual/preprocess_cfg.json}) as {@code clip-vision}
   * parameters.
   */
  static ObjectNode preprocess(JsonNode pre, int defaultSize, String src) {
    JsonNode sizeNode = pre.has("image_size") ? pre.get("image_size") : pre.get("size");
    int size = defaultSize;
    if (sizeNode != null && sizeNode.isIntegralNumber()) {
      size = sizeNode.asInt();
    } else if (sizeNode != null && sizeNode.isArray() && !sizeNode.isEmpty()) {
      // open_clip writes [h, w]; its exports are square, and immich takes the first, too.
      size = sizeNode.get(0).asInt();
    } else if (sizeNode != null && !sizeNode.isNull()) {
      throw new IllegalArgumentException(
          src + ": 'size' must be an int or [height, width], got " + sizeNode);
    }
    if (size < 1) {
      throw new IllegalArgumentException(src + ": image size must be >= 1, got " + size);
    }
    String mode = pre.path("resize_mode").asText("shortest");
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    switch (mode) {
      case "shortest" -> {
        p.put("size", size);
        p.put("crop", size);
        p.put("centerCrop", true);
      }
      case "squash" -> {
        p.putArray("size").add(size).add(size);
        p.put("crop", size);
        p.put("centerCrop", false);
      }
      case "longest" -> {
        p.put("size", size);
        p.put("crop", size);
        p.put("centerCrop", false);
      }
      default ->
          throw new IllegalArgumentException(
              src + ": resize_mode '" + mode + "' is not one of [shortest, squash, longest]");
    }
    p.put("resizeMode", mode);
    p.put("resample", pre.path("interpolation").asText("bicubic"));
    p.set("mean", ClipTowers.channels(pre.get("mean"), ClipTowers.CLIP_MEAN, src));
    p.set("std", ClipTowers.channels(pre.get("std"), ClipTowers.CLIP_STD, src));
    p.put("rescale", 1.0 / 255.0);
    return p;
  }
}
