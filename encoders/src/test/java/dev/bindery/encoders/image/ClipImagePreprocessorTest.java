package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.FloatTensor;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Geometry, rounding, parameters and colour handling of the CLIP transform and the decoder. */
class ClipImagePreprocessorTest {
  @Test
  void shortestSideRoundingIsTorchvisions() {
    ResizeCrop g = ResizeCrop.shortest(224, 224, ResampleFilter.BICUBIC, true);
    assertArrayEquals(new int[] {336, 224}, g.resizedSize(300, 200));
    assertArrayEquals(new int[] {224, 336}, g.resizedSize(200, 300));
    // int(224 * 333 / 200) = int(372.96) = 372: truncated, not rounded.
    assertArrayEquals(new int[] {372, 224}, g.resizedSize(333, 200));
    assertArrayEquals(new int[] {224, 224}, g.resizedSize(50, 50));
  }

  @Test
  void cropOffsetRoundsHalfToEvenLikePython() {
    assertEquals(0, ResizeCrop.cropOffset(225, 224)); // round(0.5) = 0
    assertEquals(2, ResizeCrop.cropOffset(227, 224)); // round(1.5) = 2
    assertEquals(2, ResizeCrop.cropOffset(229, 224)); // round(2.5) = 2
    assertEquals(-3, ResizeCrop.cropOffset(218, 224)); // padded: (224 - 218) // 2
  }

  @Test
  void cropLargerThanImagePadsWithZero() {
    ClipImagePreprocessor p =
        new ClipImagePreprocessor(
            4, 6, new double[] {0, 0, 0}, new double[] {1, 1, 1}, ResampleFilter.BILINEAR, true);
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        img.setRGB(x, y, 0xFFFFFF);
      }
    }
    FloatTensor t = p.apply(img);
    assertArrayEquals(new long[] {3, 6, 6}, t.shape());
    assertEquals(0f, t.data()[0]);
    assertEquals(1f, t.data()[6 + 1]);
    assertEquals(0f, t.data()[35]);
  }

  @Test
  void huggingFacePreprocessorConfigKeysAreAccepted() throws Exception {
    var json =
        new ObjectMapper()
            .readTree(
                "{\"size\": {\"shortest_edge\": 256}, \"crop_size\": {\"height\": 240, \"width\": 240},"
                    + " \"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5], \"resample\": 2,"
                    + " \"do_center_crop\": true}");
    ClipImagePreprocessor p = ClipImagePreprocessor.fromJson(json, 224, "t");
    assertArrayEquals(new int[] {240, 240}, p.fixedOutputSize().orElseThrow());
    assertEquals(
        "ClipImagePreprocessor[resize=shortest 256, crop=240x240, resample=bilinear, mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]]",
        p.toString());
    // What the loader synthesizes for open_clip "squash" and "longest" exports.
    var squash =
        new ObjectMapper()
            .readTree(
                "{\"size\": [224, 224], \"crop\": 224, \"centerCrop\": false, \"resizeMode\": \"squash\", \"rescale\": 0.00392156862745098}");
    ClipImagePreprocessor sq = ClipImagePreprocessor.fromJson(squash, 224, "t");
    BufferedImage wide = new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D gfx = wide.createGraphics();
    gfx.setColor(java.awt.Color.WHITE);
    gfx.fillRect(0, 0, 300, 100);
    gfx.dispose();
    assertArrayEquals(new long[] {3, 224, 224}, sq.apply(wide).shape());
    var longest =
        new ObjectMapper()
            .readTree(
                "{\"size\": 224, \"crop\": 224, \"centerCrop\": false, \"resizeMode\": \"longest\", \"resample\": \"lanczos\"}");
    FloatTensor padded = ClipImagePreprocessor.fromJson(longest, 224, "t").apply(wide);
    assertArrayEquals(new long[] {3, 224, 224}, padded.shape());
    // 300x100 -> 224x75 (white), padded top and bottom with black: (0 - mean) / std.
    assertEquals(-0.48145466f / 0.26862954f, padded.data()[0], 1e-6f, "padding");
    assertEquals((1f - 0.48145466f) / 0.26862954f, padded.data()[224 * 112], 1e-5f, "image");
    var bad = new ObjectMapper().readTree("{\"mean\": [0.5, 0.5]}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClipImagePreprocessor.fromJson(bad, 224, "tower x"));
    assertEquals(
        "tower x: preprocess.mean must be an array of 3 numbers, got [0.5,0.5]", e.getMessage());
  }

  @Test
  void greyKeepsItsValuesAndAlphaCompositesOnWhite() {
    BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(0, 0, 0, 128);
    gray.getRaster().setSample(1, 0, 0, 7);
    BufferedImage rgb = ImageDecoder.toRgb(gray);
    assertEquals(0x808080, rgb.getRGB(0, 0) & 0xFFFFFF, "Java's getRGB would brighten 128 to ~188");
    assertEquals(0x070707, rgb.getRGB(1, 0) & 0xFFFFFF);
    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x80FF0000); // red at alpha 128
    // r = (255 * 128 + 255 * 127 + 127) / 255 = 255; g = b = (255 * 127 + 127) / 255 = 127
    assertEquals(0xFF7F7F, ImageDecoder.toRgb(argb).getRGB(0, 0) & 0xFFFFFF);
  }

  @Test
  void resamplingAConstantImageKeepsItConstant() {
    Random rnd = new Random(42);
    for (ResampleFilter f : ResampleFilter.values()) {
      for (int trial = 0; trial < 20; trial++) {
        int w = 1 + rnd.nextInt(60);
        int h = 1 + rnd.nextInt(60);
        int nw = 1 + rnd.nextInt(60);
        int nh = 1 + rnd.nextInt(60);
        int c = rnd.nextInt(1 << 24);
        int[] in = new int[w * h];
        java.util.Arrays.fill(in, c);
        int[] out = ConvolutionResampler.resizeRgb(in, w, h, nw, nh, f);
        for (int v : out) {
          assertEquals(c, v, f + " " + w + "x" + h + "->" + nw + "x" + nh);
        }
      }
    }
  }

  @Test
  void floatPathMatchesANaiveTwoDimensionalConvolution() {
    long seed = 20261127L;
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 10; trial++) {
      int w = 2 + rnd.nextInt(40);
      int h = 2 + rnd.nextInt(40);
      int nw = 1 + rnd.nextInt(50);
      int nh = 1 + rnd.nextInt(50);
      float[] in = new float[w * h];
      for (int i = 0; i < in.length; i++) {
        in[i] = rnd.nextFloat() * 10 - 5;
      }
      ResampleFilter f = trial % 2 == 0 ? ResampleFilter.BICUBIC : ResampleFilter.BILINEAR;
      float[] fast = ConvolutionResampler.resizeFloat(in, w, h, nw, nh, f);
      ConvolutionResampler.Kernels kx = ConvolutionResampler.kernels(w, nw, f);
      ConvolutionResampler.Kernels ky = ConvolutionResampler.kernels(h, nh, f);
      for (int y = 0; y < nh; y++) {
        for (int x = 0; x < nw; x++) {
          double acc = 0;
          for (int j = 0; j < ky.count()[y]; j++) {
            for (int i = 0; i < kx.count()[x]; i++) {
              acc +=
                  in[(ky.first()[y] + j) * w + kx.first()[x] + i]
                      * kx.weights()[x * kx.stride() + i]
                      * ky.weights()[y * ky.stride() + j];
            }
          }
          assertEquals(acc, fast[y * nw + x], 1e-4, "seed " + seed + " trial " + trial);
        }
      }
    }
  }
}
