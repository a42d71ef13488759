package dev.bindery.generator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.generator.ContentPart;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextImagesTest {
  @TempDir Path dir;

  @Test
  void downscalesTheLongerSideKeepingAspectAndNeverUpscales() {
    ImageDecoder decoder = new ImageDecoder();
    ContextImages images = new ContextImages(decoder, dir, 448, ImageEncoding.PNG);
    ContentPart.Image big =
        images.encode(new BufferedImage(1000, 600, BufferedImage.TYPE_INT_ARGB));
    assertEquals("image/png", big.mediaType());
    BufferedImage back = decoder.decode(big.bytes(), "big.png");
    assertEquals(448, back.getWidth());
    assertEquals(269, back.getHeight()); // 600 * 0.448 = 268.8

    BufferedImage tall = ContextImages.downscale(new BufferedImage(10, 4000, 1), 448);
    assertEquals(448, tall.getHeight());
    assertEquals(1, tall.getWidth());

    ContextImages jpeg = new ContextImages(decoder, dir, 448, ImageEncoding.JPEG);
    ContentPart.Image small = jpeg.encode(new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB));
    assertEquals("image/jpeg", small.mediaType());
    BufferedImage s = decoder.decode(small.bytes(), "small.jpg");
    assertEquals(30, s.getWidth());
    assertEquals(20, s.getHeight());
  }

  @Test
  void aMissingItemImageNamesTheFile() {
    ContextImages images = new ContextImages(new ImageDecoder(), dir, 448, ImageEncoding.PNG);
    RetrievedItem item =
        new RetrievedItem("a", 1, 1, 1.0, "image", "gone.png", Map.of(), Map.of(), null);
    assertTrue(ContextImages.hasImage(item));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> images.load(item));
    assertTrue(e.getMessage().contains("gone.png"), e.getMessage());
    assertTrue(
        !ContextImages.hasImage(
            new RetrievedItem(
                "b", 1, 1, 1.0, "image", "https://x/y.png", Map.of(), Map.of(), null)));
  }
}
