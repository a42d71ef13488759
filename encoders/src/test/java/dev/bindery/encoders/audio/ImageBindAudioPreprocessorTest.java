package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ImageBind's whole audio preprocessing against the Python reference written from its data.py. */
class ImageBindAudioPreprocessorTest {
  private final ImageBindAudioPreprocessor pre = new ImageBindAudioPreprocessor();

  /**
   * From the file: Java decode + resample + clips + fbank + normalize vs the reference. The two
   * resamplers differ by float32 rounding (~1e-5, see SincResamplerTest), which the log turns into
   * visible differences in near-silent mel bins. The script measured how far the reference itself
   * moves when only its resampler runs in float64 ({@code float64ResampleGap} in info.json: max,
   * 99th percentile, mean); Java, which resamples in double, must be within that gap plus 1e-4 (=
   * 1e-3 log-mel / std, the fbank tolerance) on each statistic. The fbank alone is held to 1e-3 in
   * KaldiFbankTest and, after normalization, below on the reference's own samples.
   */
  @ParameterizedTest
  @ValueSource(strings = {"speech_long", "stereo44k"})
  void fullPipelineMatchesReference(String name) throws Exception {
    AudioSignal s = new AudioDecoder().decode(AudioFixtures.media(name + ".wav"));
    FloatTensor got = pre.apply(s);
    NpyArray want = AudioFixtures.npy(name + ".imagebind.npy");
    assertArrayEquals(new long[] {3, 1, 128, 204}, got.shape());
    assertArrayEquals(new long[] {3, 1, 128, 204}, want.shape());
    double[] d = new double[got.data().length];
    double sum = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.abs(got.data()[i] - want.data()[i]);
      sum += d[i];
    }
    java.util.Arrays.sort(d);
    double max = d[d.length - 1];
    double p99 = d[(int) (d.length * 0.99)];
    double mean = sum / d.length;
    JsonNode gap =
        new ObjectMapper()
            .readTree(AudioFixtures.resource("info.json"))
            .path(name)
            .path("float64ResampleGap");
    System.out.printf(
        "imagebind audio preprocessing %s (normalized): max abs diff %.3g, 99%% %.3g, mean %.3g;"
            + " reference's own float64-resampling gap: max %.3g, 99%% %.3g, mean %.3g%n",
        name,
        max,
        p99,
        mean,
        gap.path("max").asDouble(),
        gap.path("p99").asDouble(),
        gap.path("mean").asDouble());
    assertTrue(gap.has("max"), "info.json lacks " + name + ".float64ResampleGap");
    assertTrue(max <= gap.path("max").asDouble() + 1e-4, name + ": max " + max);
    assertTrue(p99 <= gap.path("p99").asDouble() + 1e-4, name + ": 99th percentile " + p99);
    assertTrue(mean <= gap.path("mean").asDouble() + 1e-4, name + ": mean " + mean);
  }

  /** From the reference's own 16 kHz samples: isolates clips + fbank + normalize from decoding. */
  @Test
  void pipelineOnReferenceSamplesMatches() {
    float[] wave = AudioFixtures.npy("speech_long.16k.npy").data();
    FloatTensor got = pre.apply(new AudioSignal(wave, 16000));
    double max =
        AudioFixtures.maxAbsDiff(AudioFixtures.npy("speech_long.imagebind.npy").data(), got.data());
    assertTrue(max <= 1.1e-4, "max abs diff " + max);
  }

  @Test
  void clipStartsFollowPytorchvideo() {
    ConstantClipSampler s = new ConstantClipSampler(2, 3);
    // 3.3 s at 16 kHz: maxStart = 3.3 - 2 = 1.2999999999999998 (float64); starts i * maxStart / 3.
    int[][] c = s.clips(52800, 16000);
    assertArrayEquals(new int[] {0, 32000}, c[0]);
    assertArrayEquals(new int[] {6933, 38933}, c[1]);
    assertArrayEquals(new int[] {13866, 45866}, c[2]);
    // 8 s: starts 0, 2, 4 s (the last clip ends at 6 s, not at the end).
    int[][] d = s.clips(128000, 16000);
    assertArrayEquals(new int[] {64000, 96000}, d[2]);
    // Shorter than a clip: every clip is the whole signal.
    for (int[] e : s.clips(8000, 16000)) {
      assertArrayEquals(new int[] {0, 8000}, e);
    }
  }

  @Test
  void shortAudioIsPaddedAfterTheFbank() {
    float[] x = new float[8000]; // 0.5 s: 48 frames, 156 padded
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(i * 0.05));
    }
    FloatTensor t = pre.apply(new AudioSignal(x, 16000));
    float padded = 4.268f / 9.138f;
    assertEquals(padded, t.data()[204 - 1], 1e-7);
    assertEquals(padded, t.data()[48], 1e-7);
    assertNotEquals(padded, t.data()[47], 1e-3);
  }

  @Test
  void tinyAudioWithoutAWholeFrameIsAllPadding() {
    FloatTensor t = pre.apply(new AudioSignal(new float[100], 16000));
    for (float v : t.data()) {
      assertEquals(4.268f / 9.138f, v, 1e-7);
    }
  }

  @Test
  void otherRatesAreResampledFirst() {
    float[] x = new float[44100];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.2 * Math.sin(2 * Math.PI * 300 * i / 44100.0));
    }
    FloatTensor a = pre.apply(new AudioSignal(x, 44100));
    FloatTensor b = pre.apply(new AudioSignal(new SincResampler(44100, 16000).resample(x), 16000));
    assertArrayEquals(b.data(), a.data());
  }

  @Test
  void emptyAudioIsRejected() {
    AudioFixtures.assertMessage(
        () -> pre.apply(new AudioSignal(new float[0], 16000)), "no samples");
  }
}
