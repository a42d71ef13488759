package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with torchaudio.compliance.kaldi.fbank (ImageBind settings) on the same 16 kHz samples.
 */
class KaldiFbankTest {
  private final KaldiFbank fbank = new KaldiFbank(KaldiFbank.Options.imageBind());

  @Test
  void imageBindGeometry() {
    assertEquals(400, fbank.windowSize());
    assertEquals(160, fbank.windowShift());
    assertEquals(512, fbank.paddedSize());
    assertEquals(198, fbank.numFrames(32000));
    assertEquals(0, fbank.numFrames(399));
    assertEquals(1, fbank.numFrames(400));
    assertEquals(1.1920928955078125e-7, KaldiFbank.EPSILON);
  }

  /** The check on real speech: max abs diff <= 1e-3 before normalization. */
  @ParameterizedTest
  @ValueSource(strings = {"speech_short", "speech_mid", "speech_long"})
  void matchesTorchaudioWithin1eMinus3(String name) {
    double max =
        maxDiff(name, fbank.compute(AudioFixtures.npy(name + ".16k.npy").data()), ".fbank.npy");
    assertTrue(max <= 1e-3, name + ": max abs diff " + max + " > 1e-3");
  }

  /**
   * The alarm-clock clip is made of pure tones: one frame spans ~23 natural-log units (1e10 in
   * energy) between its loudest and quietest mel bins, and in the quietest ones torchaudio's own
   * float32 FFT rounding moves the result by ~1e-2 (its float64 run of the same function differs
   * from its float32 run by that much). Java computes in double, so it must match torchaudio's
   * float64 result within 1e-4 and be no farther from the float32 golden than torchaudio's float64
   * result is, plus 1e-4.
   */
  @Test
  void matchesTorchaudioOnToneClipUpToItsFloat32Rounding() {
    float[][] got = fbank.compute(AudioFixtures.npy("stereo44k.16k.npy").data());
    double vs64 = maxDiff("stereo44k", got, ".fbank64.npy");
    assertTrue(vs64 <= 1e-4, "vs torchaudio float64: " + vs64);
    float[] f32 = AudioFixtures.npy("stereo44k.fbank.npy").data();
    float[] f64 = AudioFixtures.npy("stereo44k.fbank64.npy").data();
    double torchOwn = AudioFixtures.maxAbsDiff(f32, f64);
    double vs32 = maxDiff("stereo44k", got, ".fbank.npy");
    System.out.printf("torchaudio float64 vs float32 on stereo44k: max abs diff %.3g%n", torchOwn);
    assertTrue(
        vs32 <= torchOwn + 1e-4, "vs float32 golden " + vs32 + ", torchaudio's own " + torchOwn);
  }

  private static double maxDiff(String name, float[][] got, String suffix) {
    NpyArray golden = AudioFixtures.npy(name + suffix);
    assertEquals(golden.shape()[0], got.length, "frames");
    assertEquals(128, golden.shape()[1]);
    double max = 0;
    double sum = 0;
    for (int f = 0; f < got.length; f++) {
      for (int b = 0; b < 128; b++) {
        double d = Math.abs(got[f][b] - golden.data()[f * 128 + b]);
        max = Math.max(max, d);
        sum += d;
      }
    }
    System.out.printf(
        "fbank parity %s vs %s: %d frames, max abs diff %.3g, mean %.3g%n",
        name, suffix, got.length, max, sum / (got.length * 128.0));
    return max;
  }

  @Test
  void sineLandsInTheMelBinOfItsFrequency() {
    float[] x = new float[16000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
    }
    float[][] f = fbank.compute(x);
    int best = 0;
    for (int b = 1; b < 128; b++) {
      if (f[10][b] > f[10][best]) {
        best = b;
      }
    }
    // Bin centres are equally spaced in HTK mel between 20 Hz and 8 kHz.
    double lo = KaldiFbank.mel(20);
    double delta = (KaldiFbank.mel(8000) - lo) / 129;
    int expected = (int) Math.round((KaldiFbank.mel(1000) - lo) / delta) - 1;
    assertTrue(Math.abs(best - expected) <= 1, "peak bin " + best + ", expected ~" + expected);
  }

  @Test
  void silenceIsFlooredAtLogEpsilon() {
    float[][] f = fbank.compute(new float[800]);
    assertEquals(3, f.length);
    assertEquals((float) Math.log(KaldiFbank.EPSILON), f[1][64]);
  }
}
