package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoder benchmark runs end to end on a small workload and reports every cell it measured. */
class EncoderBenchmarkTest {
  @TempDir Path tmp;

  @Test
  void sentencesAreDeterministicAndVaried() {
    List<String> a = EncoderBenchmark.sentences(300);
    assertEquals(a, EncoderBenchmark.sentences(300));
    assertEquals(300, a.size());
    assertTrue(new HashSet<>(a).size() > 250, "sentences repeat too much");
  }

  @Test
  void reportsTextAndImageCells() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("images"));
    for (int i = 0; i < 4; i++) {
      BufferedImage img = new BufferedImage(64 + 16 * i, 48, BufferedImage.TYPE_INT_RGB);
      img.setRGB(3, 3, 0xFF0000 * (i + 1));
      ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
    }
    List<Path> files;
    try (var s = Files.list(images)) {
      files = s.sorted().toList();
    }
    // The tiny ImageBind test package from the encoders module's fixtures has an image tower.
    Path tiny =
        Path.of("..", "encoders", "src", "test", "resources", "parity", "towers", "imagebind");
    StringWriter log = new StringWriter();
    ObjectNode report =
        new EncoderBenchmark(
                new EncoderBenchmark.Options(
                    List.of("classpath:/models/minilm-l6-v2-q"),
                    tiny.toString(),
                    files,
                    8,
                    List.of(1),
                    List.of(1, 4),
                    1),
                new PrintWriter(log))
            .run();
    JsonNode text = report.get("text");
    assertEquals(2, text.size(), report.toPrettyString());
    for (JsonNode row : text) {
      assertTrue(row.get("sentences_per_s").asDouble() > 0, row.toString());
    }
    JsonNode pre = report.get("image_decode_preprocess").get(0);
    assertEquals(4, pre.get("images").asInt());
    assertTrue(pre.get("decode_images_per_s").asDouble() > 0);
    assertTrue(pre.get("preprocess_images_per_s").asDouble() > 0);
    assertEquals(2, report.get("image_model_run").size());
    assertTrue(report.get("preprocess_vs_run").get("threads_1").asDouble() > 0);
  }

  @Test
  void timesTheDefaultModelsTowerAtItsOwnInputSize() throws Exception {
    // bindery-mini's tower takes 64x64 pixels; feeding it CLIP's 224 failed in ONNX Runtime.
    Path images = Files.createDirectories(tmp.resolve("images64"));
    BufferedImage img = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
    img.setRGB(5, 5, 0x00FF00);
    ImageIO.write(img, "png", images.resolve("a.png").toFile());
    assertEquals(
        List.of(3L, 64L, 64L),
        java.util.Arrays.stream(
                EncoderBenchmark.preprocessorFor("classpath:/models/bindery-mini")
                    .apply(img)
                    .shape())
            .boxed()
            .toList());
    StringWriter log = new StringWriter();
    ObjectNode report =
        new EncoderBenchmark(
                new EncoderBenchmark.Options(
                    List.of(),
                    "classpath:/models/bindery-mini",
                    List.of(images.resolve("a.png")),
                    8,
                    List.of(1),
                    List.of(1),
                    1),
                new PrintWriter(log))
            .run();
    JsonNode run = report.get("image_model_run");
    assertEquals(1, run.size(), report.toPrettyString());
    assertTrue(run.get(0).get("images_per_s").asDouble() > 0, run.toString());
  }
}
