package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.text.Pooling;
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
  static final String JS_TEXT = "onnx/text_model.onnx";
  static final String JS_VISION = "onnx/vision_model.onnx";
  static final String JS_TEXT_QUANTIZED = "onnx/text_model_quantized.onnx";
  static final String JS_VISION_QUANTIZED = "onnx/vision_model_quantized.onnx";
  static final String IMMICH_CONFIG = "config.json";
  static final String IMMICH_TEXT = "textual/model.onnx";
  static final String IMMICH_VISION = "visual/model.onnx";
  static final String IMMICH_TOKENIZER = "textual/tokenizer.json";
  static final String IMMICH_TOKENIZER_CONFIG = "textual/tokenizer_config.json";
  static final String IMMICH_PREPROCESS = "visual/preprocess_cfg.json";
  // immich's exporters name the towers' single output "embedding" (already normalized).
  static final String IMMICH_OUTPUT = "embedding";

  /** Written by {@code bindery models pull}: where the files came from and their license. */
  static final String PULL_RECORD = "bindery-pull.json";

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
    ModelManifest m;
    if (files.exists(HF_TEXT) || files.exists(HF_VISION)) {
      m = huggingFace(files, HF_TEXT, HF_VISION);
    } else if (files.exists(JS_TEXT) || files.exists(JS_VISION)) {
      // transformers.js: the same exports one folder down; fp32 wins over quantized when both.
      m = huggingFace(files, JS_TEXT, JS_VISION);
    } else if (files.exists(JS_TEXT_QUANTIZED) || files.exists(JS_VISION_QUANTIZED)) {
      m = huggingFace(files, JS_TEXT_QUANTIZED, JS_VISION_QUANTIZED);
    } else if (files.exists(IMMICH_TEXT) || files.exists(IMMICH_VISION)) {
      m = immich(files);
    } else if (files.exists(OPEN_CLIP_CONFIG)) {
      m = openClip(files);
    } else {
      return Optional.empty();
    }
    return Optional.of(withPullRecord(files, m));
  }

  // A pulled model keeps the license its catalog entry or repository states; an export on disk
  // says nothing about it.
  private static ModelManifest withPullRecord(PackageFiles files, ModelManifest m) {
    if (!files.exists(PULL_RECORD)) {
      return m;
    }
    JsonNode record = json(files, PULL_RECORD);
    String license = record.path("license").asText("");
    String version = record.path("commit").asText("");
    return new ModelManifest(
        m.name(),
        version.isEmpty() ? m.version() : version,
        license.isEmpty() ? m.license() : license,
        m.space(),
        m.dimension(),
        m.towers());
  }

  private static String packageName(PackageFiles files) {
    String root = files.root();
    String name = root.substring(root.lastIndexOf('/') + 1);
    return name.isEmpty() ? "clip" : name;
  }

  private static ModelManifest huggingFace(PackageFiles files, String textOnnx, String visionOnnx) {
    String name = packageName(files);
    JsonNode config =
        files.exists(HF_CONFIG) ? json(files, HF_CONFIG) : JsonNodeFactory.instance.objectNode();
    boolean text = files.exists(textOnnx);
    boolean vision = files.exists(visionOnnx);
    int dim = config.path("projection_dim").asInt(0);
    if (dim < 1) {
      dim =
          text
              ? probeDimension(files, textOnnx, "text_embeds")
              : probeDimension(files, visionOnnx, "image_embeds");
    }
    Map<Modality, TowerSpec> towers = new EnumMap<>(Modality.class);
    if (text) {
      int maxLength = config.path("text_config").path("max_position_embeddings").asInt(77);
      towers.put(
          Modality.TEXT,
          textTower(
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
      JsonNode pre = json(files, HF_PREPROCESSOR);
      towers.put(
          Modality.IMAGE,
          visionTower(
              name,
              dim,
              visionOnnx,
              Map.of("pixel_values", "pixel_values"),
              "image_embeds",
              hfPreprocess(pre, files)));
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
          textTower(
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
          openClipPreprocess(
              cfg.path("preprocess_cfg"),
              model.path("vision_cfg").path("image_size").asInt(224),
              src);
      towers.put(
          Modality.IMAGE,
          visionTower(
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
  static ObjectNode openClipPreprocess(JsonNode pre, int defaultSize, String src) {
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
    p.set("mean", triple(pre.get("mean"), CLIP_MEAN, src));
    p.set("std", triple(pre.get("std"), CLIP_STD, src));
    p.put("rescale", 1.0 / 255.0);
    return p;
  }

  /**
   * immich's layout: {@code config.json} (open_clip's model configuration: {@code embed_dim},
   * {@code text_cfg.context_length}, {@code vision_cfg.image_size}), {@code visual/model.onnx}
   * ({@code image} [1 or B, 3, S, S] -> {@code embedding}) with {@code visual/preprocess_cfg.json},
   * and {@code textual/model.onnx} ({@code text} int32 [1, context_length] -> {@code embedding}, or
   * {@code input_ids} + {@code attention_mask} for multilingual CLIP) with its tokenizer files.
   */
  private static ModelManifest immich(PackageFiles files) {
    String name = packageName(files);
    files.requireExists(IMMICH_CONFIG, "an immich CLIP export (" + IMMICH_VISION + ")");
    String src = files.describe(IMMICH_CONFIG);
    JsonNode cfg = json(files, IMMICH_CONFIG);
    boolean text = files.exists(IMMICH_TEXT);
    boolean vision = files.exists(IMMICH_VISION);
    int dim = cfg.path("embed_dim").asInt(0);
    if (dim < 1) {
      dim =
          vision
              ? probeDimension(files, IMMICH_VISION, IMMICH_OUTPUT)
              : probeDimension(files, IMMICH_TEXT, IMMICH_OUTPUT);
    }
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
          textTower(
              name,
              dim,
              IMMICH_TEXT,
              IMMICH_TOKENIZER,
              inputs,
              IMMICH_OUTPUT,
              context,
              immichPadId(files)));
    }
    if (vision) {
      files.requireExists(IMMICH_PREPROCESS, "an immich export with " + IMMICH_VISION);
      ObjectNode p =
          openClipPreprocess(
              json(files, IMMICH_PREPROCESS),
              cfg.path("vision_cfg").path("image_size").asInt(224),
              files.describe(IMMICH_PREPROCESS));
      towers.put(
          Modality.IMAGE,
          visionTower(name, dim, IMMICH_VISION, Map.of("pixel_values", "image"), IMMICH_OUTPUT, p));
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
  private static Long immichPadId(PackageFiles files) {
    if (!files.exists(IMMICH_TOKENIZER_CONFIG)) {
      return null;
    }
    JsonNode pad = json(files, IMMICH_TOKENIZER_CONFIG).get("pad_token");
    String token =
        pad == null ? null : pad.isTextual() ? pad.asText() : pad.path("content").asText(null);
    if (token == null) {
      return null;
    }
    JsonNode tok = json(files, IMMICH_TOKENIZER);
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

  private static TowerSpec textTower(
      String space,
      int dim,
      String onnx,
      String tokenizer,
      Map<String, String> inputs,
      String output,
      int maxLength,
      Long padId) {
    ObjectNode pre = JsonNodeFactory.instance.objectNode();
    pre.put("maxLength", maxLength);
    if (padId != null) {
      pre.put("padId", padId);
    }
    return new TowerSpec(
        Modality.TEXT,
        TowerFormat.CLIP_TEXT.wireName(),
        space,
        dim,
        onnx,
        tokenizer,
        inputs,
        output,
        Pooling.NONE,
        true,
        pre);
  }

  private static TowerSpec visionTower(
      String space,
      int dim,
      String onnx,
      Map<String, String> inputs,
      String output,
      ObjectNode pre) {
    return new TowerSpec(
        Modality.IMAGE,
        TowerFormat.CLIP_VISION.wireName(),
        space,
        dim,
        onnx,
        null,
        inputs,
        output,
        Pooling.NONE,
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
