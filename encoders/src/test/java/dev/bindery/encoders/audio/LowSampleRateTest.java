package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.AudioSignal;
import org.junit.jupiter.api.Test;

/**
 * A few kilobytes at a very low sample rate declare hours of audio; resampling them to the target
 * rate must be refused before it allocates, while the native decode (no resampling) still works.
 */
class LowSampleRateTest {
  private final AudioDecoder decoder = new AudioDecoder();

  @Test
  void oneHertzIsRefusedBeforeResampling() {
    byte[] wav = AudioFixtures.wav(1, 1, 1, 8, new byte[10_800]); // three hours at 1 Hz
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(wav, "slow.wav"));
    assertTrue(e.getMessage().contains("slow.wav"), e.getMessage());
    assertTrue(e.getMessage().contains("sample rate 1 Hz"), e.getMessage());
    assertTrue(e.getMessage().contains("8000 Hz"), e.getMessage());
    AudioSignal nativeRate = decoder.decodeNative(wav, "slow.wav");
    assertEquals(1, nativeRate.sampleRate());
    assertEquals(10_800, nativeRate.samples().length);
  }

  @Test
  void theLowestAcceptedRateResamples() {
    byte[] wav = AudioFixtures.wav(1, 1, AudioDecoder.MIN_SOURCE_RATE, 8, new byte[8000]);
    AudioSignal s = decoder.decode(wav, "phone.wav");
    assertEquals(AudioDecoder.DEFAULT_SAMPLE_RATE, s.sampleRate());
    assertEquals(16_000, s.samples().length, 1.0);
  }
}
