package dev.bindery.encoders.imu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.NpyArray;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.text.Pooling;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The imagebind-imu tower on the tiny random-weight model, windows checked against torch. */
class ImageBindImuEncoderTest {
  private static final TowerSpec SPEC =
      new TowerSpec(
          Modality.IMU,
          "imagebind-imu",
          "imagebind",
          1024,
          "imagebind_imu_tiny.onnx",
          null,
          Map.of(),
          "imu_embeds",
          Pooling.NONE,
          true,
          null);

  private static ImageBindImuEncoder encoder() {
    PackageFiles files =
        PackageFiles.classpath("parity/audio", ImageBindImuEncoderTest.class.getClassLoader(), 1);
    Encoder<?> e = TowerRegistry.defaults().create(SPEC, files);
    return assertInstanceOf(ImageBindImuEncoder.class, e);
  }

  @Test
  void windowsAndEmbeddingsMatchTheGolden() {
    ImuTrace trace =
        new ImuDecoder().decode(ImuDecoderTest.resource("imu_trace.npy"), "imu_trace.npy");
    float[] golden =
        NpyArray.parse(ImuDecoderTest.resource("imagebind_imu_tiny.emb.npy"), "emb").data();
    try (ImageBindImuEncoder enc = encoder()) {
      List<TimedEmbedding> segs = enc.encodeSegments(trace);
      assertEquals(2, segs.size());
      assertEquals(10.0, segs.get(0).end());
      assertEquals(13.0, segs.get(1).end());
      for (int w = 0; w < 2; w++) {
        double cos = 0;
        for (int d = 0; d < 1024; d++) {
          cos += segs.get(w).vector()[d] * golden[w * 1024 + d];
        }
        System.out.printf("imagebind-imu tiny window %d: cosine %.7f to the golden%n", w, cos);
        assertTrue(cos >= 0.99999, "window " + w + ": cosine " + cos);
      }
      float[] first = enc.encode(trace);
      for (int d = 0; d < 1024; d++) {
        assertEquals(golden[d], first[d], 1e-5);
      }
    }
  }

  @Test
  void preprocessorPadsAndCrops() {
    float[][] ch = new float[6][10];
    ch[2][9] = 7;
    ImuTrace t = new ImuTrace(ch, 200);
    FloatTensor x = new ImuPreprocessor(8, 2).apply(t);
    assertEquals(48, x.data().length);
    List<ImuPreprocessor.Window> w = new ImuPreprocessor(8, 2).windows(t);
    assertEquals(2, w.size());
    assertEquals(7f, w.get(1).tensor().data()[2 * 8 + 1]);
    assertEquals(0f, w.get(1).tensor().data()[2 * 8 + 2]);
    assertEquals(1, new ImuPreprocessor(8, 3).windows(t).size());
    assertEquals(1, ImuPreprocessor.imageBind().windows(t).size());
  }
}
