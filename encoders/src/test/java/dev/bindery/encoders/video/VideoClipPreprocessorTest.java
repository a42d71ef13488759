package dev.bindery.encoders.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.FloatTensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ImageBind's clip transform against the torch reference in tiny_towers.py (F.interpolate bilinear,
 * NormalizeVideo, uniform_crop) on synthetic frames that both sides generate from the same integer
 * formula, so decoding plays no part. The golden holds every 31st value of the flattened output.
 */
class VideoClipPreprocessorTest {
  static List<BufferedImage> syntheticFrames(int w, int h, int count) {
    List<BufferedImage> out = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int[] c = new int[3];
          for (int ch = 0; ch < 3; ch++) {
            c[ch] = (x * 7 + y * 13 + ch * 50 + t * 90 + (x * y) % 17) % 256;
          }
          img.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
        }
      }
      out.add(img);
    }
    return out;
  }

  @Test
  void matchesTorchReference() {
    JsonNode golden = VideoFixtures.videoGolden();
    int stride = golden.get("stride").asInt();
    for (JsonNode s : golden.get("synthetic")) {
      int w = s.get("width").asInt();
      int h = s.get("height").asInt();
      int crops = s.get("crops").asInt();
      FloatTensor out =
          VideoClipPreprocessor.IMAGEBIND.withCrops(crops).apply(syntheticFrames(w, h, 2));
      long[] shape = new long[s.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = s.get("shape").get(i).asLong();
      }
      assertArrayEquals(shape, out.shape(), w + "x" + h);
      float[] want =
          VideoFixtures.npy(
              VideoFixtures.towers().resolve("video").resolve(s.get("file").asText()), null);
      double maxDiff = 0;
      for (int i = 0; i < want.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(want[i] - out.data()[i * stride]));
      }
      double sum = 0;
      for (float v : out.data()) {
        sum += v;
      }
      String what = w + "x" + h + " crops=" + crops + ": max abs diff " + maxDiff;
      System.out.println("video preprocessing parity " + what);
      assertTrue(maxDiff <= 1e-4, what);
      assertEquals(s.get("sum").asDouble(), sum, 1e-5 * out.data().length, what);
    }
  }

  @Test
  void cropOffsetsFollowImageBind() {
    // landscape 298x224 after scaling 320x240: left, centre ceil(74/2)=37, right 74
    int[][] o = VideoClipPreprocessor.IMAGEBIND.cropOffsets(224, 298);
    assertArrayEquals(new int[] {0, 0}, o[0]);
    assertArrayEquals(new int[] {0, 37}, o[1]);
    assertArrayEquals(new int[] {0, 74}, o[2]);
    // portrait: top, centre, bottom
    int[][] p = VideoClipPreprocessor.IMAGEBIND.cropOffsets(398, 224);
    assertArrayEquals(new int[] {0, 0}, p[0]);
    assertArrayEquals(new int[] {87, 0}, p[1]);
    assertArrayEquals(new int[] {174, 0}, p[2]);
  }

  @Test
  void badInputsNameTheProblem() {
    VideoClipPreprocessor pre = VideoClipPreprocessor.IMAGEBIND;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> pre.apply(List.of()));
    assertTrue(e.getMessage().contains("at least one frame"), e.getMessage());
    List<BufferedImage> mixed =
        List.of(
            new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB),
            new BufferedImage(30, 24, BufferedImage.TYPE_INT_RGB));
    e = assertThrows(IllegalArgumentException.class, () -> pre.apply(mixed));
    assertTrue(
        e.getMessage().contains("32x24") && e.getMessage().contains("30x24"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> pre.withCrops(2));
    assertTrue(e.getMessage().contains("got 2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new VideoClipPreprocessor(224, 3, new float[] {0, 0, 0}, new float[] {1, 0, 1}));
    assertTrue(e.getMessage().contains("[1.0, 0.0, 1.0]"), e.getMessage());
  }
}
