package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parity with torchaudio.functional.resample (sinc_interp_hann, width 6, rolloff 0.99) on decoded
 * real files. Tolerance: torchaudio computes in the waveform's float32 (its float32 and float64
 * results differ by up to 8.4e-6 on speech_long.wav), this class in double; so the outputs must
 * agree to that rounding noise, max abs diff <= 1e-5 and SNR >= 90 dB. An off-by-one phase, a wrong
 * window, cutoff or output length gives errors of 1e-3 and more.
 */
class SincResamplerTest {
  private final AudioDecoder decoder = new AudioDecoder();

  @ParameterizedTest
  @CsvSource({
    "speech_short.wav, speech_short.16k.npy, 22050",
    "speech_mid.wav, speech_mid.16k.npy, 22050",
    "speech_long.wav, speech_long.16k.npy, 22050",
    "stereo44k.wav, stereo44k.16k.npy, 44100",
    "sound1.flac, sound1.16k.npy, 22050",
  })
  void matchesTorchaudioOnRealAudio(String file, String golden, int rate) {
    AudioSignal native_ = decoder.decodeNative(AudioFixtures.media(file));
    assertEquals(rate, native_.sampleRate());
    float[] got = new SincResampler(rate, 16000).resample(native_.samples());
    NpyArray want = AudioFixtures.npy(golden);
    double max = AudioFixtures.maxAbsDiff(want.data(), got);
    double snr = AudioFixtures.snrDb(want.data(), got);
    System.out.printf(
        "resample parity %s %d->16000: max abs diff %.3g, SNR %.1f dB%n", file, rate, max, snr);
    assertTrue(max <= 1e-5, file + ": max abs diff " + max);
    assertTrue(snr >= 90, file + ": SNR " + snr + " dB");
  }

  @Test
  void outputLengthIsCeilOfTheRatio() {
    SincResampler r = new SincResampler(22050, 16000);
    assertEquals(0, r.outputLength(0));
    assertEquals(1, r.outputLength(1));
    assertEquals(320, r.outputLength(441));
    assertEquals(321, r.outputLength(442));
    assertEquals(16000, r.resample(new float[22050]).length);
  }

  @Test
  void sameRateReturnsTheInput() {
    float[] x = {1, 2, 3};
    assertSame(x, new SincResampler(16000, 16000).resample(x));
  }

  @Test
  void keepsALowToneAndRemovesOneAboveTheNewNyquist() {
    int in = 48000;
    float[] low = tone(440, in);
    float[] high = tone(12000, in);
    SincResampler r = new SincResampler(in, 16000);
    float[] lowOut = r.resample(low);
    float[] highOut = r.resample(high);
    double lowRms = rms(lowOut, 200, lowOut.length - 200);
    double highRms = rms(highOut, 200, highOut.length - 200);
    assertEquals(Math.sqrt(0.5) * 0.5, lowRms, 0.01);
    assertTrue(highRms < 0.01, "12 kHz leaked through a 16 kHz resampler: rms " + highRms);
  }

  @Test
  void rejectsBadSettings() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SincResampler(0, 16000));
    assertTrue(e.getMessage().contains("0 -> 16000"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new SincResampler(44100, 16000, 6, 1.5));
    assertTrue(e.getMessage().contains("1.5"), e.getMessage());
  }

  private static float[] tone(double hz, int rate) {
    float[] x = new float[rate];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return x;
  }

  private static double rms(float[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += x[i] * x[i];
    }
    return Math.sqrt(s / (to - from));
  }
}
