package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recognizes CLIP exports that come without a {@code bindery-model.json} and synthesizes the
 * manifest they imply:
 *
 * <ul>
 *   <li>Hugging Face / Optimum: {@code text_model.onnx} ({@code input_ids}, {@code attention_mask}
 *       -> {@code text_embeds}), {@code vision_model.onnx} ({@code pixel_values} -> {@code
 *       image_embeds}), {@code tokenizer.json}, {@code preprocessor_config.json} and optionally
 *       {@code config.json} ({@code projection_dim}, {@code text_config.max_position_embeddings}).
 *   <li>open_clip: {@code open_clip_config.json} ({@code model_cfg}, {@code preprocess_cfg}),
 *       {@code text.onnx} ({@code input_ids} [B, context_length] -> {@code text_embeds}), {@code
 *       visual.onnx} ({@code pixel_values} -> {@code image_embeds}) and {@code tokenizer.json}.
 * </ul>
 *
 * The text tower gets format {@code clip-text}, the image tower {@code clip-vision}; both share one
 * space named after the package directory.
 */
public final class ClipExportLayouts {
  static final String HF_TEXT = "text_model.onnx";
  static final String HF_VISION = "vision_model.onnx";
  static final String HF_PREPROCESSOR = "preprocessor_config.json";
  static final String HF_CONFIG = "config.json";
  static final String OPEN_CLIP_CONFIG = "open_clip_config.json";
  static final String OPEN_CLIP_TEXT = "text.onnx";
  static final String OPEN_CLIP_VISION = "visual.onnx";
  static final String TOKENIZER = "tokenizer.json";

  // OpenAI CLIP's normalization; HF and open_clip configs fall back to it when silent.
  private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
  private static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
  // PIL.Image resampling enum, as Hugging Face image processors store it.
  private static final List<String> PIL_RESAMPLE =
      List.of("nearest", "lanczos", "bilinear", "bicubic", "box", "hamming");

  private ClipExportLayouts() {}

  /**
   * The manifest a CLIP export implies, or empty when the files are not a known export layout.
   *
   * @throws IllegalArgumentException if the layout is recognized but its configuration is missing
   *     or wrong
   */
  public static Optional<ModelManifest> detect(PackageFiles files) {
    if (files.exists(HF_TEXT) || files.exists(HF_VISION)) {
      return Optional.of(huggingFace(files));
    }
    if (files.exists(OPEN_CLIP_CONFIG)) {
      return Optional.of(openClip(files));
    }
    return Optional.empty();
  }

  private static String packageName(PackageFiles files) {
    String root = files.root();
    String name = root.substring(root.lastIndexOf('/') + 1);
    return name.isEmpty() ? "clip" : name;
  }

  private static ModelManifest huggingFace(PackageFiles files) {
    String name = packageName(files);
    JsonNode config =
        files.exists(HF_CONFIG) ? json(files, HF_CONFIG) : JsonNodeFactory.instance.objectNode();
    boolean text = files.exists(HF_TEXT);
    boolean vision = files.exists(HF_VISION);
    int dim = config.path("projection_dim").asInt(0);
    if (dim < 1) {
      dim =
          text
              ? probeDimension(files, HF_TEXT, "text_embeds")
              : probeDimension(files, HF_VISION, "image_embeds");
    }
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    if (text) {
      int maxLength = config.path("text_config").path("max_position_embeddings").asInt(77);
      towers.put(
          Modality.TEXT,
          textTower(
              name,
              dim,
              HF_TEXT,
              Map.of("input_ids", "input_ids", "attention_mask", "attention_mask"),
              maxLength));
    }
    if (vision) {
      files.requireExists(HF_PREPROCESSOR, "a Hugging Face CLIP export with " + HF_VISION);
      JsonNode pre = json(files, HF_PREPROCESSOR);
      towers.put(Modality.IMAGE, visionTower(name, dim, HF_VISION, hfPreprocess(pre, files)));
    }
    return new ModelManifest(name, "export", "unknown", name, dim, towers);
  }

  /**
   * Maps a Hugging Face {@code preprocessor_config.json} to {@code clip-vision} preprocessing
   * parameters: {@code size} (shortest edge, or [height, width] for an exact resize), {@code crop}
   * (an int, or [height, width]), {@code centerCrop}, {@code resample}, {@code mean}, {@code std},
   * {@code rescale}.
   */
  static ObjectNode hfPreprocess(JsonNode pre, PackageFiles files) {
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
            ? triple(pre.get("image_mean"), CLIP_MEAN, src)
            : triple(null, new double[] {0, 0, 0}, src));
    out.set(
        "std",
        normalize
            ? triple(pre.get("image_std"), CLIP_STD, src)
            : triple(null, new double[] {1, 1, 1}, src));
    out.put("rescale", pre.path("rescale_factor").asDouble(1.0 / 255.0));
    return out;
  }

  private static ArrayNode triple(JsonNode node, double[] fallback, String src) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    if (node == null || node.isNull()) {
      for (double v : fallback) {
        a.add(v);
      }
      return a;
    }
    if (!node.isArray() || node.size() != 3) {
      throw new IllegalArgumentException(src + ": expected 3 channel values, got " + node);
    }
    node.forEach(v -> a.add(v.asDouble()));
    return a;
  }

  private static ModelManifest openClip(PackageFiles files) {
    String name = packageName(files);
    JsonNode cfg = json(files, OPEN_CLIP_CONFIG);
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
    int dim = model.path("embed_dim").asInt(0);
    if (dim < 1) {
      dim =
          text
              ? probeDimension(files, OPEN_CLIP_TEXT, "text_embeds")
              : probeDimension(files, OPEN_CLIP_VISION, "image_embeds");
    }
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    if (text) {
      int context = model.path("text_cfg").path("context_length").asInt(77);
      towers.put(
          Modality.TEXT,
          textTower(name, dim, OPEN_CLIP_TEXT, Map.of("input_ids", "input_ids"), context));
    }
    if (vision) {
      JsonNode pre = cfg.path("preprocess_cfg");
      int size =
          pre.path("image_size")
              .asInt(
                  pre.path("size").asInt(model.path("vision_cfg").path("image_size").asInt(224)));
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
                src
                    + ": preprocess_cfg.resize_mode '"
                    + mode
                    + "' is not one of [shortest, squash, longest]");
      }
      p.put("resizeMode", mode);
      p.put("resample", pre.path("interpolation").asText("bicubic"));
      p.set("mean", triple(pre.get("mean"), CLIP_MEAN, src));
      p.set("std", triple(pre.get("std"), CLIP_STD, src));
      p.put("rescale", 1.0 / 255.0);
      towers.put(Modality.IMAGE, visionTower(name, dim, OPEN_CLIP_VISION, p));
    }
    return new ModelManifest(name, "export", "unknown", name, dim, towers);
  }

  private static TowerSpec textTower(
      String space, int dim, String onnx, Map<String, String> inputs, int maxLength) {
    ObjectNode pre = JsonNodeFactory.instance.objectNode();
    pre.put("maxLength", maxLength);
    return new TowerSpec(
        Modality.TEXT,
        "clip-text",
        space,
        dim,
        onnx,
        TOKENIZER,
        inputs,
        "text_embeds",
        "none",
        true,
        pre);
  }

  private static TowerSpec visionTower(String space, int dim, String onnx, ObjectNode pre) {
    return new TowerSpec(
        Modality.IMAGE,
        "clip-vision",
        space,
        dim,
        onnx,
        null,
        Map.of("pixel_values", "pixel_values"),
        "image_embeds",
        "none",
        true,
        pre);
  }

  private static JsonNode json(PackageFiles files, String ref) {
    try {
      return new ObjectMapper().readTree(files.read(ref));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          files.describe(ref) + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  // Without a config that states the dimension, the model's own output shape is the only source.
  private static int probeDimension(PackageFiles files, String onnx, String output) {
    try (OnnxModel model = files.loadModel(onnx)) {
      long[] shape = model.outputShape(output);
      long last = shape.length == 0 ? -1 : shape[shape.length - 1];
      if (last < 1) {
        throw new IllegalArgumentException(
            "cannot tell the embedding dimension of "
                + files.describe(onnx)
                + ": no configuration states it and output '"
                + output
                + "' has shape "
                + java.util.Arrays.toString(shape));
      }
      return (int) last;
    }
  }
}
