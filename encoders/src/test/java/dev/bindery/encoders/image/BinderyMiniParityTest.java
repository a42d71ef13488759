package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.NpyArray;
import dev.bindery.encoders.pkg.ModelPackage;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default model's image tower through Bindery's own path (ImageDecoder, ClipImagePreprocessor,
 * ONNX Runtime, loaded from the jar) against PyTorch's embeddings of the same demo images from the
 * training checkpoint (golden file written by models/bindery-mini/training/make_parity.py).
 */
class BinderyMiniParityTest {
  private static final Path GOLDEN = Path.of("src/test/resources/parity/bindery-mini");
  private static final Path DEMO = Path.of("..", "models", "bindery-mini", "demo", "images");

  @Test
  void javaEmbeddingsMatchThePyTorchReference() throws Exception {
    List<String> images = Files.readAllLines(GOLDEN.resolve("images.txt"));
    NpyArray golden =
        NpyArray.parse(Files.readAllBytes(GOLDEN.resolve("embeddings.npy")), "embeddings.npy");
    assertEquals(images.size(), golden.shape()[0]);
    int dim = (int) golden.shape()[1];
    try (ModelPackage pkg = ModelPackage.open(ModelPackage.DEFAULT)) {
      assertEquals("bindery-mini", pkg.manifest().name());
      assertTrue(
          pkg.modalities().contains(Modality.TEXT) && pkg.modalities().contains(Modality.IMAGE));
      Encoder<BufferedImage> enc = pkg.imageEncoder();
      assertEquals(dim, enc.dimension());
      assertEquals(pkg.textEncoder().space(), enc.space());
      ImageDecoder decoder = new ImageDecoder();
      for (int i = 0; i < images.size(); i++) {
        float[] v = enc.encode(decoder.decode(DEMO.resolve(images.get(i))));
        double dot = 0;
        double maxDiff = 0;
        for (int j = 0; j < dim; j++) {
          float g = golden.data()[i * dim + j];
          dot += v[j] * g;
          maxDiff = Math.max(maxDiff, Math.abs(v[j] - g));
        }
        assertTrue(dot > 0.9999, images.get(i) + ": cosine " + dot);
        assertTrue(maxDiff < 2e-3, images.get(i) + ": max difference " + maxDiff);
      }
    }
  }
}
