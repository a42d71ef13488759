package dev.bindery.encoders.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.LongTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.TextEncoder;
import dev.bindery.encoders.text.TokenBatch;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CLIP exports without a manifest: Hugging Face / Optimum and open_clip layouts. */
class ClipExportLayoutsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path tinyClip() {
    try {
      return Path.of(
          ClipExportLayoutsTest.class
              .getResource("/parity/text/tiny-clip-text/model.onnx")
              .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static void copyTokenizer(Path to) throws IOException {
    try (InputStream in =
        ClipExportLayoutsTest.class.getResourceAsStream("/parity/text/tiny-tokenizer.json")) {
      Files.copy(in, to);
    }
  }

  static ModelManifest detect(Path dir) {
    return ClipExportLayouts.detect(PackageFiles.directory(dir, 0)).orElseThrow();
  }

  @Test
  void huggingFaceLayoutMapsPreprocessorConfig(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("text_model.onnx"), "not opened by detection");
    Files.writeString(dir.resolve("vision_model.onnx"), "not opened by detection");
    Files.writeString(
        dir.resolve("config.json"),
        "{\"projection_dim\": 512, \"text_config\": {\"max_position_embeddings\": 77}}");
    Files.writeString(
        dir.resolve("preprocessor_config.json"),
        """
        {"crop_size": {"height": 224, "width": 224}, "do_center_crop": true,
         "do_normalize": true, "do_resize": true, "image_processor_type": "CLIPImageProcessor",
         "image_mean": [0.48145466, 0.4578275, 0.40821073],
         "image_std": [0.26862954, 0.26130258, 0.27577711],
         "resample": 3, "rescale_factor": 0.00392156862745098,
         "size": {"shortest_edge": 224}}
        """);
    ModelManifest m = detect(dir);
    assertEquals(512, m.dimension());
    assertEquals(dir.getFileName().toString(), m.space());
    TowerSpec text = m.towers().get(Modality.TEXT);
    assertEquals("clip-text", text.format());
    assertEquals("text_model.onnx", text.onnx());
    assertEquals("tokenizer.json", text.tokenizer());
    assertEquals("text_embeds", text.output());
    assertEquals(
        Map.of("input_ids", "input_ids", "attention_mask", "attention_mask"), text.inputs());
    assertEquals(77, text.preprocess().get("maxLength").asInt());
    TowerSpec image = m.towers().get(Modality.IMAGE);
    assertEquals("clip-vision", image.format());
    assertEquals("vision_model.onnx", image.onnx());
    assertNull(image.tokenizer());
    assertEquals("image_embeds", image.output());
    assertEquals("pixel_values", image.input("pixel_values"));
    assertEquals(text.space(), image.space(), "both towers share one space");
    assertEquals(
        JSON.readTree(
            """
            {"size": 224, "crop": 224, "centerCrop": true, "resample": "bicubic",
             "mean": [0.48145466, 0.4578275, 0.40821073],
             "std": [0.26862954, 0.26130258, 0.27577711], "rescale": 0.00392156862745098}
            """),
        image.preprocess());
  }

  @Test
  void huggingFaceIntSizesResampleAndNoCenterCrop(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("vision_model.onnx"), "x");
    Files.writeString(dir.resolve("config.json"), "{\"projection_dim\": 768}");
    Files.writeString(
        dir.resolve("preprocessor_config.json"),
        "{\"size\": 256, \"crop_size\": {\"height\": 224, \"width\": 240}, \"resample\": 2,"
            + " \"do_center_crop\": false, \"do_normalize\": false}");
    ModelManifest m = detect(dir);
    assertFalse(m.towers().containsKey(Modality.TEXT));
    JsonNode pre = m.towers().get(Modality.IMAGE).preprocess();
    assertEquals(256, pre.get("size").asInt());
    assertEquals("[224,240]", pre.get("crop").toString());
    assertEquals("bilinear", pre.get("resample").asText());
    assertFalse(pre.get("centerCrop").asBoolean());
    assertEquals("[0.0,0.0,0.0]", pre.get("mean").toString());
    assertEquals("[1.0,1.0,1.0]", pre.get("std").toString());
  }

  @Test
  void huggingFaceBadPreprocessorConfigIsNamed(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("vision_model.onnx"), "x");
    Files.writeString(dir.resolve("config.json"), "{\"projection_dim\": 768}");
    String msg = assertThrows(IllegalArgumentException.class, () -> detect(dir)).getMessage();
    assertTrue(msg.contains("missing file: " + dir.resolve("preprocessor_config.json")), msg);
    Files.writeString(dir.resolve("preprocessor_config.json"), "{\"resample\": 9}");
    msg = assertThrows(IllegalArgumentException.class, () -> detect(dir)).getMessage();
    assertTrue(msg.contains("'resample' 9 is not a PIL resampling filter"), msg);
    Files.writeString(dir.resolve("preprocessor_config.json"), "{\"image_mean\": [0.5]}");
    msg = assertThrows(IllegalArgumentException.class, () -> detect(dir)).getMessage();
    assertTrue(msg.contains("expected 3 channel values, got [0.5]"), msg);
  }

  @Test
  void huggingFaceTextExportOpensAndMatchesTorch(@TempDir Path dir) throws IOException {
    // No config.json: the dimension comes from the model's text_embeds shape [-1, 16].
    Files.copy(tinyClip(), dir.resolve("text_model.onnx"));
    copyTokenizer(dir.resolve("tokenizer.json"));
    JsonNode g;
    try (InputStream in = getClass().getResourceAsStream("/parity/text/text_golden.json")) {
      g = JSON.readTree(in).get("clip");
    }
    try (ModelPackage p = ModelPackage.open(dir)) {
      assertEquals(16, p.dimension());
      TextEncoder enc = (TextEncoder) p.textEncoder();
      assertEquals("clip-text", enc.format());
      TokenBatch batch =
          new TokenBatch(
              tensor(g.get("input_ids")),
              tensor(g.get("attention_mask")),
              tensor(g.get("attention_mask")));
      List<float[]> out = enc.encodeTokens(batch);
      JsonNode expected = g.get("text_embeds_normalized");
      double max = 0;
      for (int i = 0; i < out.size(); i++) {
        for (int d = 0; d < 16; d++) {
          max = Math.max(max, Math.abs(out.get(i)[d] - expected.get(i).get(d).asDouble()));
        }
      }
      assertTrue(max <= 1e-4, "max abs diff " + max);
      assertEquals(16, enc.encode("a photo of a cat").length);
    }
  }

  private static LongTensor tensor(JsonNode rows) {
    int b = rows.size();
    int t = rows.get(0).size();
    long[] data = new long[b * t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        data[i * t + j] = rows.get(i).get(j).asLong();
      }
    }
    return new LongTensor(new long[] {b, t}, data);
  }

  @Test
  void openClipLayoutIsRecognized(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("text.onnx"), "x");
    Files.writeString(dir.resolve("visual.onnx"), "x");
    Files.writeString(
        dir.resolve("open_clip_config.json"),
        """
        {"model_cfg": {"embed_dim": 512, "vision_cfg": {"image_size": 240},
                       "text_cfg": {"context_length": 77, "vocab_size": 49408}},
         "preprocess_cfg": {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                            "interpolation": "bilinear", "resize_mode": "squash"}}
        """);
    ModelManifest m = detect(dir);
    assertEquals(512, m.dimension());
    TowerSpec text = m.towers().get(Modality.TEXT);
    assertEquals("clip-text", text.format());
    assertEquals("text.onnx", text.onnx());
    assertEquals(Map.of("input_ids", "input_ids"), text.inputs());
    assertEquals(77, text.preprocess().get("maxLength").asInt());
    TowerSpec image = m.towers().get(Modality.IMAGE);
    assertEquals("visual.onnx", image.onnx());
    assertEquals(
        JSON.readTree(
            """
            {"size": [240, 240], "crop": 240, "centerCrop": false, "resizeMode": "squash",
             "resample": "bilinear", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
             "rescale": 0.00392156862745098}
            """),
        image.preprocess());

    Files.writeString(
        dir.resolve("open_clip_config.json"),
        "{\"model_cfg\": {\"embed_dim\": 512}, \"preprocess_cfg\": {\"resize_mode\": \"zoom\"}}");
    String msg = assertThrows(IllegalArgumentException.class, () -> detect(dir)).getMessage();
    assertTrue(msg.contains("resize_mode 'zoom' is not one of [shortest, squash, longest]"), msg);

    Files.writeString(dir.resolve("open_clip_config.json"), "{\"preprocess_cfg\": {}}");
    msg = assertThrows(IllegalArgumentException.class, () -> detect(dir)).getMessage();
    assertTrue(msg.contains("missing the 'model_cfg' object"), msg);
  }

  @Test
  void manifestWinsOverExportFiles(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("text_model.onnx"), "x");
    Files.writeString(
        dir.resolve("bindery-model.json"),
        """
        {"name": "mine", "version": "2", "license": "MIT", "space": "s", "dimension": 3,
         "towers": {"text": {"format": "clip-text", "onnx": "text_model.onnx",
                             "tokenizer": "t.json", "output": "text_embeds"}}}
        """);
    assertEquals("mine", ModelPackage.readManifest(PackageFiles.directory(dir, 0)).name());
  }
}
