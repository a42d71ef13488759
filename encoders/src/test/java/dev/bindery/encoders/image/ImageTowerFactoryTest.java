package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.text.Pooling;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Manifest towers of the image formats: found through ServiceLoader, checked at creation. */
class ImageTowerFactoryTest {
  private final PackageFiles files = PackageFiles.directory(ParityFixtures.dir(), 1);

  private static TowerSpec spec(
      Modality m,
      String format,
      String onnx,
      Map<String, String> inputs,
      String output,
      String pooling,
      ObjectNode pre) {
    return new TowerSpec(
        m, format, "s", 64, onnx, null, inputs, output, Pooling.fromName(pooling), true, pre);
  }

  private static TowerSpec vision(String output, String pooling, ObjectNode pre) {
    return spec(Modality.IMAGE, "clip-vision", "tiny_vit.onnx", Map.of(), output, pooling, pre);
  }

  private String failure(TowerSpec spec) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ImageTowerFactory().create(spec, files));
    return e.getMessage();
  }

  @Test
  void serviceLoaderFindsTheImageFormats() {
    TowerRegistry registry = TowerRegistry.defaults();
    assertTrue(
        registry
            .formats()
            .containsAll(
                java.util.Set.of(
                    "clip-vision", "imagebind-vision", "imagebind-depth", "imagebind-thermal")),
        registry.toString());
    try (Encoder<?> e = registry.create(vision("image_embeds", "none", null), files)) {
      assertInstanceOf(ClipVisionEncoder.class, e);
      assertEquals(64, e.dimension());
      assertEquals("s", e.space());
    }
    try (Encoder<?> e =
        registry.create(
            spec(
                Modality.IMAGE,
                "imagebind-vision",
                "tiny_vit.onnx",
                Map.of(),
                "image_embeds",
                "none",
                null),
            files)) {
      assertInstanceOf(ClipVisionEncoder.class, e);
    }
  }

  @Test
  void missingOutputNamesWhatTheModelHas() {
    String m = failure(vision("pooler_output", "none", null));
    assertTrue(m.contains("does not contain required output 'pooler_output'"), m);
    assertTrue(m.contains("image_embeds=FLOAT[-1, 64]"), m);
  }

  @Test
  void wrongInputShapeIsRejected() {
    ObjectNode pre = new ObjectMapper().createObjectNode().put("size", 256).put("crop", 256);
    String m = failure(vision("image_embeds", "none", pre));
    assertTrue(
        m.contains("'pixel_values' has shape [-1, 3, 224, 224], expected [-1, 3, 256, 256]"), m);
    String ch =
        failure(
            spec(
                Modality.IMAGE,
                "clip-vision",
                "tiny_vit_1ch.onnx",
                Map.of("pixel_values", "depth"),
                "embeddings",
                "none",
                null));
    assertTrue(ch.contains("expected [-1, 3, 224, 224]"), ch);
  }

  @Test
  void wrongInputNameListsTheModelsInputs() {
    String m =
        failure(
            spec(
                Modality.DEPTH,
                "imagebind-depth",
                "tiny_vit_1ch.onnx",
                Map.of(),
                "embeddings",
                "none",
                new ObjectMapper().createObjectNode().put("mean", 0.2).put("std", 0.1)));
    assertTrue(m.contains("does not contain required input 'pixel_values'"), m);
    assertTrue(m.contains("depth=FLOAT[-1, 1, 224, 224]"), m);
  }

  @Test
  void specMistakesAreRejected() {
    assertTrue(failure(vision("image_embeds", "mean", null)).contains("pooling must be 'none'"));
    ObjectNode typo = new ObjectMapper().createObjectNode().put("mena", 0.5);
    String m = failure(vision("image_embeds", "none", typo));
    assertTrue(m.contains("unknown preprocess key 'mena'"), m);
    String noStats =
        failure(
            spec(
                Modality.DEPTH,
                "imagebind-depth",
                "tiny_vit_1ch.onnx",
                Map.of("pixel_values", "depth"),
                "embeddings",
                "none",
                null));
    assertTrue(noStats.contains("preprocess.mean is required"), noStats);
    String modality =
        failure(
            spec(
                Modality.AUDIO,
                "clip-vision",
                "tiny_vit.onnx",
                Map.of(),
                "image_embeds",
                "none",
                null));
    assertTrue(modality.contains("reads"), modality);
    String notOnnx =
        failure(
            spec(
                Modality.IMAGE,
                "clip-vision",
                "goldens.json",
                Map.of(),
                "image_embeds",
                "none",
                null));
    assertTrue(notOnnx.contains("goldens.json is not a loadable ONNX model"), notOnnx);
  }
}
