package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.imu.ImageBindImuEncoder;
import dev.bindery.encoders.imu.ImuDecoder;
import dev.bindery.encoders.imu.ImuTrace;
import dev.bindery.encoders.pkg.ModelPackage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audio and IMU towers of the tiny ImageBind test package open from its manifest and run. */
class ImageBindPackageAudioImuTest {
  @Test
  void audioAndImuTowersOfTheTinyImageBindPackage() {
    try (ModelPackage pkg = ModelPackage.open("classpath:/parity/towers/imagebind")) {
      ImageBindAudioEncoder audio =
          assertInstanceOf(ImageBindAudioEncoder.class, pkg.audioEncoder());
      AudioSignal speech = new AudioDecoder().decode(AudioFixtures.media("speech_mid.wav"));
      float[] v = audio.encode(speech);
      assertEquals(pkg.dimension(), v.length);
      List<TimedEmbedding> segs = audio.encodeSegments(speech);
      assertEquals(1, segs.size()); // 2.41 s: [0, 2); the 0.41 s tail is under 0.5 s
      ImageBindImuEncoder imu =
          assertInstanceOf(ImageBindImuEncoder.class, pkg.encoder(Modality.IMU));
      ImuTrace trace =
          new ImuDecoder().decode(AudioFixtures.resource("imu_trace.npy"), "imu_trace.npy");
      assertEquals(2, imu.encodeSegments(trace).size());
      assertEquals(pkg.dimension(), imu.encode(trace).length);
    }
  }
}
