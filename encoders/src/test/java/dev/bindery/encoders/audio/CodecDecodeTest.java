package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.AudioSignal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compressed formats through FFmpeg against a reference: the lossless 22.05 kHz mono source of each
 * clip resampled to 16 kHz by torchaudio ({@code soundN.16k.npy}). FLAC holds exactly that source,
 * so it must match to resampler rounding; MP3 and Vorbis are lossy, and their encoders add delay
 * and padding (LAME's encoder delay, Vorbis pre-roll), so they are compared by correlation at the
 * best lag within +-50 ms, after cutting both to the shorter length. MP3 and Ogg were encoded from
 * the 44.1 kHz stereo original, so they also exercise the downmix and the 44.1 kHz resampling path.
 */
class CodecDecodeTest {
  private final AudioDecoder decoder = new AudioDecoder();

  @ParameterizedTest
  @CsvSource({
    "sound1.flac, sound1.16k.npy",
    "sound2.flac, sound2.16k.npy",
    "sound1.mp3, sound1.16k.npy",
    "sound2.mp3, sound2.16k.npy",
    "sound1.ogg, sound1.16k.npy",
    "sound2.ogg, sound2.16k.npy",
  })
  void decodesCloseToTheReference(String file, String reference) {
    AudioSignal got = decoder.decode(AudioFixtures.media(file));
    float[] ref = AudioFixtures.npy(reference).data();
    assertEquals(16000, got.sampleRate());
    int maxLag = 800;
    double best = -2;
    int bestLag = 0;
    for (int lag = -maxLag; lag <= maxLag; lag++) {
      double c = correlation(ref, got.samples(), lag);
      if (c > best) {
        best = c;
        bestLag = lag;
      }
    }
    System.out.printf(
        "codec parity %s: %d samples (reference %d), best lag %d, correlation %.5f%n",
        file, got.samples().length, ref.length, bestLag, best);
    assertTrue(best >= 0.99, file + ": correlation " + best + " at lag " + bestLag);
    if (file.endsWith(".flac")) {
      assertEquals(0, bestLag);
      assertEquals(ref.length, got.samples().length);
      assertTrue(AudioFixtures.maxAbsDiff(ref, got.samples()) <= 1e-5);
    }
  }

  /** Pearson correlation of ref[i] with x[i + lag] over the overlap. */
  static double correlation(float[] ref, float[] x, int lag) {
    int from = Math.max(0, -lag);
    int to = Math.min(ref.length, x.length - lag);
    if (to - from < 100) {
      return -2;
    }
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    int n = to - from;
    for (int i = from; i < to; i++) {
      double a = ref[i];
      double b = x[i + lag];
      sa += a;
      sb += b;
      saa += a * a;
      sbb += b * b;
      sab += a * b;
    }
    double cov = sab - sa * sb / n;
    double va = saa - sa * sa / n;
    double vb = sbb - sb * sb / n;
    return cov / Math.sqrt(Math.max(va * vb, 1e-300));
  }
}
