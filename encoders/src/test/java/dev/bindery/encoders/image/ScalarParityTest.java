package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.NpyArray;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.text.Pooling;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Depth and thermal preprocessing against the numpy + torch reference in image_goldens.py, on
 * synthetic 16-bit PNG, 8-bit PNG and float32 .npy maps.
 */
class ScalarParityTest {
  private static final Map<String, NpyArray> GOLDEN = ParityFixtures.npz("scalar_goldens.npz");
  private static final JsonNode META = ParityFixtures.meta();
  private final ScalarImageDecoder decoder = new ScalarImageDecoder();

  private ScalarImage map(String name) {
    return decoder.decode(ParityFixtures.dir().resolve(name));
  }

  private static ObjectNode depthParams(double depthScale) {
    ObjectNode p = ((ObjectNode) META.get("depth")).deepCopy();
    p.put("depthScale", depthScale);
    return p;
  }

  private static void compare(String name, FloatTensor t) {
    float[] g = GOLDEN.get(name).data();
    assertArrayEquals(new long[] {1, 224, 224}, t.shape(), name);
    double sum = 0;
    double max = 0;
    for (int i = 0; i < g.length; i++) {
      double d = Math.abs(g[i] - t.data()[i]);
      sum += d;
      max = Math.max(max, d);
    }
    System.out.printf("scalar parity %-15s mean|d|=%.2e max|d|=%.2e%n", name, sum / g.length, max);
    assertTrue(max <= 1e-3, name + ": max abs difference " + max);
  }

  @Test
  void sixteenBitPngKeepsRawValues() {
    ScalarImage depth = map("depth_mm.png");
    assertEquals(320, depth.width());
    assertEquals(240, depth.height());
    assertEquals(65535f, depth.fullScale());
    assertEquals(0f, depth.get(60, 110), "missing reading stays 0");
    assertEquals(3f, depth.get(0, 0), "raw 16-bit value, not scaled to 8 bits");
    assertTrue(depth.get(319, 239) > 255, "values above 255 survive");
    ScalarImage tiff = map("depth_mm.tiff");
    assertEquals(65535f, tiff.fullScale());
    assertArrayEquals(depth.values(), tiff.values(), "16-bit TIFF holds the PNG's values");
  }

  @Test
  void depthMatchesReference() {
    ImageBindDepthPreprocessor mm =
        ImageBindDepthPreprocessor.fromJson(depthParams(1000.0), "depth test");
    compare("depth_mm.png", mm.apply(map("depth_mm.png")));
    ImageBindDepthPreprocessor metres =
        ImageBindDepthPreprocessor.fromJson(depthParams(1.0), "depth test");
    ScalarImage npy = map("depth_m.npy");
    assertEquals(100, npy.width());
    assertEquals(150, npy.height());
    compare("depth_m.npy", metres.apply(npy));
  }

  @Test
  void thermalMatchesReference() {
    ImageBindThermalPreprocessor p =
        ImageBindThermalPreprocessor.fromJson(META.get("thermal"), "thermal test");
    ScalarImage t16 = map("thermal_16.png");
    assertEquals(65535f, t16.fullScale());
    compare("thermal_16.png", p.apply(t16));
    ScalarImage t8 = map("thermal_8.png");
    assertEquals(255f, t8.fullScale());
    compare("thermal_8.png", p.apply(t8));
  }

  @Test
  void depthAndThermalTowersRunTheOneChannelModel() {
    Map<String, String> inputs = Map.of("pixel_values", "depth");
    TowerSpec depthSpec =
        new TowerSpec(
            Modality.DEPTH,
            "imagebind-depth",
            "ib",
            64,
            "tiny_vit_1ch.onnx",
            null,
            inputs,
            "embeddings",
            Pooling.NONE,
            true,
            depthParams(1000.0));
    TowerSpec thermalSpec =
        new TowerSpec(
            Modality.THERMAL,
            "imagebind-thermal",
            "ib",
            64,
            "tiny_vit_1ch.onnx",
            null,
            inputs,
            "embeddings",
            Pooling.NONE,
            true,
            new ObjectMapper().createObjectNode());
    OnnxModel m1 = OnnxModel.load(ParityFixtures.dir().resolve("tiny_vit_1ch.onnx"), 1);
    OnnxModel m2 = OnnxModel.load(ParityFixtures.dir().resolve("tiny_vit_1ch.onnx"), 1);
    try (ImageBindDepthEncoder depth = new ImageBindDepthEncoder(depthSpec, m1);
        ImageBindThermalEncoder thermal = new ImageBindThermalEncoder(thermalSpec, m2)) {
      List<float[]> d = depth.encodeBatch(List.of(map("depth_mm.png"), map("depth_m.npy")));
      List<float[]> t = thermal.encodeBatch(List.of(map("thermal_16.png"), map("thermal_8.png")));
      for (float[] v : List.of(d.get(0), d.get(1), t.get(0), t.get(1))) {
        assertEquals(64, v.length);
        assertEquals(1.0, Math.sqrt(dot(v, v)), 1e-4, "L2-normalised");
      }
      assertEquals(Modality.DEPTH, depth.modality());
      assertEquals(Modality.THERMAL, thermal.modality());
      assertArrayEquals(d.get(1), depth.encode(map("depth_m.npy")), 1e-5f);
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
