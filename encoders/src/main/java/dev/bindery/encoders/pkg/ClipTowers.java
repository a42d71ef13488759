package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.text.Pooling;
import java.util.Arrays;
import java.util.Map;

/**
 * The tower specs every CLIP export layout ({@link ClipExportLayouts}) turns into: a {@code
 * clip-text} and a {@code clip-vision} tower in one space named after the package, no pooling,
 * normalized; with the facts the layouts share to fill them in: OpenAI CLIP's channel normalization
 * as the fallback, and the embedding dimension read off the model when no configuration states it.
 */
final class ClipTowers {
  // OpenAI CLIP's normalization; HF and open_clip configs fall back to it when silent.
  static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
  static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

  private ClipTowers() {}

  /** The package directory's last name, which names the space too ("clip" for a bare root). */
  static String packageName(PackageFiles files) {
    String root = files.root();
    String name = root.substring(root.lastIndexOf('/') + 1);
    return name.isEmpty() ? "clip" : name;
  }

  /**
   * {@code stated} when a configuration gave it (>= 1), else the last axis of {@code output} of the
   * ONNX model {@code onnx}.
   *
   * @throws IllegalArgumentException naming the model and the shape when that axis is dynamic
   */
  static int dimension(int stated, PackageFiles files, String onnx, String output) {
    if (stated >= 1) {
      return stated;
    }
    // Without a config that states the dimension, the model's own output shape is the only source.
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
                + Arrays.toString(shape));
      }
      return (int) last;
    }
  }

  /**
   * The dimension of an export whose towers answer {@code text_embeds} and {@code image_embeds}
   * (Hugging Face, open_clip): {@code stated} when a configuration gave it, else read off the text
   * tower when there is one, else off the vision tower.
   */
  static int embedsDimension(
      int stated, PackageFiles files, boolean text, String textOnnx, String visionOnnx) {
    return text
        ? dimension(stated, files, textOnnx, "text_embeds")
        : dimension(stated, files, visionOnnx, "image_embeds");
  }

  /**
   * Three channel values from a configuration's {@code node}, or {@code fallback} when it is
   * absent.
   *
   * @throws IllegalArgumentException naming {@code src} when the node is not 3 values
   */
  static ArrayNode channels(JsonNode node, double[] fallback, String src) {
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

  static TowerSpec text(
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

  static TowerSpec vision(
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
}
