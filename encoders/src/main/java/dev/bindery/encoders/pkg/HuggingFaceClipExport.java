package dev.bindery.encoders.pkg;

import static dev.bindery.encoders.pkg.ClipExportLayouts.HF_CONFIG;
import static dev.bindery.encoders.pkg.ClipExportLayouts.HF_PREPROCESSOR;
import static dev.bindery.encoders.pkg.ClipExportLayouts.TOKENIZER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face / Optimum CLIP export (and transformers.js's, the same files one folder down):
 * {@code text_model.onnx} ({@code input_ids}, {@code attention_mask} -> {@code text_embeds}),
 * {@code vision_model.onnx} ({@code pixel_values} -> {@code image_embeds}), {@code tokenizer.json},
 * {@code preprocessor_config.json} and optionally {@code config.json} ({@code projection_dim},
 * {@code text_config.max_position_embeddings}).
 */
final class HuggingFaceClipExport {
  // PIL.Image resampling enum, as Hugging Face image processors store it.
  private static final List<String> PIL_RESAMPLE =
      List.of("nearest", "lanczos", "bilinear", "bicubic", "box", "hamming");

  private HuggingFaceClipExport() {}

  /** The manifest of the export whose towers are {@code textOnnx} and {@code visionOnnx}. */
  static ModelManifest manifest(PackageFiles files, String textOnnx, String visionOnnx) {
    String name = ClipTowers.packageName(files);
    JsonNode config =
        files.exists(HF_CONFIG) ? files.readJson(HF_CONFIG) : JsonNodeFactory.instance.objectNode();
    boolean text = files.exists(textOnnx);
    boolean vision = files.exists(visionOnnx);
    int dim =
        ClipTowers.embedsDimension(
            config.path("projection_dim").asInt(0), files, text, textOnnx, visionOnnx);
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    if (text) {
      int maxLength = config.path("text_config").path("max_position_embeddings").asInt(77);
      towers.put(
          Modality.TEXT,
          ClipTowers.text(
              name,
              dim,
              textOnnx,
              TOKENIZER,
              Map.of("input_ids", "input_ids", "attention_mask", "attention_mask"),
              "text_embeds",
              maxLength,
              null));
    }
    if (vision) {
      files.requireExists(HF_PREPROCESSOR, "a Hugging Face CLIP export with " + visionOnnx);
      JsonNode pre = files.readJson(HF_PREPROCESSOR);
      towers.put(
          Modality.IMAGE,
          ClipTowers.vision(
              name,
              dim,
              visionOnnx,
              Map.of("pixel_values", "pixel_values"),
              "image_embeds",
              preprocess(pre, files)));
    }
    return new ModelManifest(name, "export", "unknown", name, dim, towers);
  }

  /**
   * Maps a Hugging Face {@code preprocessor_config.json} to {@code clip-vision} preprocessing
   * parameters: {@code size} (shortest edge, or [height, width] for an exact resize), {@code crop}
   * (an int, or [height, width]), {@code centerCrop}, {@code resample}, {@code mean}, {@code std},
   * {@code rescale}.
   */
  static ObjectNode preprocess(JsonNode pre, PackageFiles files) {
    String src = files.describe(HF_PREPROCESSOR);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    JsonNode size = pre.get("size");
    int shortest = 224;
    if (size == null || size.isNull()) {
      out.put("size", shortest);
    } else if (size.isIntegralNumber()) {
      shortest = size.asInt();
      out.put("size", shortest);
    } else if (size.has("shortest_edge")) {
      shortest = size.get("shortest_edge").asInt();
      out.put("size", shortest);
    } else if (size.has("height") && size.has("width")) {
      shortest = Math.min(size.get("height").asInt(), size.get("width").asInt());
      out.putArray("size").add(size.get("height").asInt()).add(size.get("width").asInt());
    } else {
      throw new IllegalArgumentException(
          src
              + ": 'size' must be an int, {\"shortest_edge\"} or {\"height\",\"width\"}, got "
              + size);
    }
    JsonNode crop = pre.get("crop_size");
    if (crop == null || crop.isNull()) {
      out.put("crop", shortest);
    } else if (crop.isIntegralNumber()) {
      out.put("crop", crop.asInt());
    } else if (crop.has("height") && crop.has("width")) {
      int h = crop.get("height").asInt();
      int w = crop.get("width").asInt();
      if (h == w) {
        out.put("crop", h);
      } else {
        out.putArray("crop").add(h).add(w);
      }
    } else {
      throw new IllegalArgumentException(
          src + ": 'crop_size' must be an int or {\"height\",\"width\"}, got " + crop);
    }
    out.put("centerCrop", pre.path("do_center_crop").asBoolean(true));
    int resample = pre.path("resample").asInt(3);
    if (resample < 0 || resample >= PIL_RESAMPLE.size()) {
      throw new IllegalArgumentException(
          src
              + ": 'resample' "
              + resample
              + " is not a PIL resampling filter 0.."
              + (PIL_RESAMPLE.size() - 1));
    }
    out.put("resample", PIL_RESAMPLE.get(resample));
    boolean normalize = pre.path("do_normalize").asBoolean(true);
    out.set(
        "mean",
        normalize
            ? ClipTowers.channels(pre.get("image_mean"), ClipTowers.CLIP_MEAN, src)
            : ClipTowers.channels(null, new double[] {0, 0, 0}, src));
    out.set(
        "std",
        normalize
            ? ClipTowers.channels(pre.get("image_std"), ClipTowers.CLIP_STD, src)
            : ClipTowers.channels(null, new double[] {1, 1, 1}, src));
    out.put("rescale", pre.path("rescale_factor").asDouble(1.0 / 255.0));
    return out;
  }
}
