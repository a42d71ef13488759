package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bindery.encoders.AudioSignal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioDecoderTest {
  @TempDir Path tmp;

  private final AudioDecoder decoder = new AudioDecoder();

  private static final int[] INTS = {0, 1, -1, 12345, -23456, 32767, -32768};

  /** Writes the same integer sample values (16-bit scale) in each PCM width and checks scaling. */
  @Test
  void decodesEveryPcmWidthWithTorchaudioScaling() {
    for (int bits : new int[] {8, 16, 24, 32}) {
      ByteBuffer d = ByteBuffer.allocate(INTS.length * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
      float[] want = new float[INTS.length];
      for (int i = 0; i < INTS.length; i++) {
        int v = INTS[i];
        switch (bits) {
          case 8 -> {
            int u = (v >> 8) + 128;
            d.put((byte) u);
            want[i] = (u - 128) / 128f;
          }
          case 16 -> {
            d.putShort((short) v);
            want[i] = v / 32768f;
          }
          case 24 -> {
            int s = v << 8;
            d.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
            want[i] = s / 8388608f;
          }
          default -> {
            int s = v << 16;
            d.putInt(s);
            want[i] = (float) (s / 2147483648.0);
          }
        }
      }
      AudioSignal s =
          decoder.decodeNative(AudioFixtures.wav(1, 1, 16000, bits, d.array()), bits + "bit.wav");
      assertEquals(16000, s.sampleRate());
      assertArrayEquals(want, s.samples(), bits + "-bit");
    }
  }

  @Test
  void decodesFloatWavsAndAveragesChannels() {
    ByteBuffer f32 = ByteBuffer.allocate(4 * 4).order(ByteOrder.LITTLE_ENDIAN);
    f32.putFloat(0.5f).putFloat(-0.25f).putFloat(1.0f).putFloat(0.0f);
    AudioSignal s = decoder.decodeNative(AudioFixtures.wav(3, 2, 8000, 32, f32.array()), "f32.wav");
    assertArrayEquals(new float[] {0.125f, 0.5f}, s.samples());
    assertEquals(8000, s.sampleRate());
    ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    f64.putDouble(0.75).putDouble(-0.5);
    assertArrayEquals(
        new float[] {0.75f, -0.5f},
        decoder.decodeNative(AudioFixtures.wav(3, 1, 8000, 64, f64.array()), "f64.wav").samples());
  }

  @Test
  void decodesWaveFormatExtensibleAndSkipsOtherChunks() {
    ByteBuffer b =
        ByteBuffer.allocate(12 + 8 + 40 + 8 + 3 + 1 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(b.capacity() - 8).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(40).putShort((short) 0xFFFE).putShort((short) 1);
    b.putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16);
    b.putShort((short) 22).putShort((short) 16).putInt(4).putShort((short) 1);
    b.put(new byte[14]);
    b.put("LIST".getBytes()).putInt(3).put(new byte[] {1, 2, 3}).put((byte) 0); // odd size, padded
    b.put("data".getBytes()).putInt(4).putShort((short) 16384).putShort((short) -16384);
    AudioSignal s = decoder.decodeNative(b.array(), "ext.wav");
    assertArrayEquals(new float[] {0.5f, -0.5f}, s.samples());
  }

  @Test
  void resamplesToTheTargetRate() throws IOException {
    Path f = tmp.resolve("tone.wav");
    float[] x = new float[22050];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.25 * Math.sin(2 * Math.PI * 440 * i / 22050.0));
    }
    Files.write(f, AudioFixtures.wav16(1, 22050, x));
    AudioSignal s = decoder.decode(f);
    assertEquals(16000, s.sampleRate());
    assertEquals(16000, s.samples().length);
    assertArrayEquals(
        new SincResampler(22050, 16000).resample(decoder.decodeNative(f).samples()), s.samples());
  }

  @Test
  void fileAndBytesDecodeTheSame() throws IOException {
    Path wav = AudioFixtures.media("stereo44k.wav");
    assertArrayEquals(
        decoder.decode(wav).samples(), decoder.decode(Files.readAllBytes(wav), "x.wav").samples());
    Path mp3 = AudioFixtures.media("sound2.mp3");
    assertArrayEquals(
        decoder.decode(mp3).samples(), decoder.decode(Files.readAllBytes(mp3), "x.mp3").samples());
  }

  // ---- bad input: each error names the file and the reason ----

  @Test
  void zeroByteFile() throws IOException {
    Path f = Files.createFile(tmp.resolve("empty.wav"));
    assertMessage(() -> decoder.decode(f), "empty.wav", "empty (0 bytes)");
    assertMessage(() -> decoder.decode(new byte[0], "mem.flac"), "mem.flac", "empty (0 bytes)");
  }

  @Test
  void missingFile() {
    assertMessage(() -> decoder.decode(tmp.resolve("nope.wav")), "nope.wav", "does not exist");
  }

  @Test
  void lyingDataChunkSize() throws IOException {
    byte[] w = AudioFixtures.wav16(1, 16000, new float[100]);
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 1_000_000);
    Path f = tmp.resolve("liar.wav");
    Files.write(f, w);
    assertMessage(() -> decoder.decode(f), "liar.wav", "data chunk size 1000000", "200 bytes left");
  }

  @Test
  void truncatedWav() throws IOException {
    byte[] w = AudioFixtures.wav16(2, 16000, new float[2000]);
    Path f = tmp.resolve("cut.wav");
    Files.write(f, Arrays.copyOf(w, w.length / 2));
    assertMessage(() -> decoder.decode(f), "cut.wav", "truncated");
    byte[] headerOnly = Arrays.copyOf(w, 30);
    assertMessage(
        () -> decoder.decode(headerOnly, "stub.wav"), "stub.wav", "fmt chunk size 16 is invalid");
  }

  @Test
  void zeroChannels() {
    byte[] w = AudioFixtures.wav16(1, 16000, new float[10]);
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putShort(22, (short) 0);
    assertMessage(() -> decoder.decode(w, "mute.wav"), "mute.wav", "channels field is 0");
  }

  @Test
  void absurdSampleRate() {
    byte[] w = AudioFixtures.wav16(1, 16000, new float[10]);
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 2_000_000_000);
    assertMessage(
        () -> decoder.decode(w, "fast.wav"), "fast.wav", "sample rate field is 2000000000");
  }

  @Test
  void blockAlignMismatch() {
    byte[] w = AudioFixtures.wav16(2, 16000, new float[10]);
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putShort(32, (short) 3);
    assertMessage(
        () -> decoder.decode(w, "align.wav"), "align.wav", "block align field is 3", "expected 4");
  }

  @Test
  void unsupportedBitsAndFormat() {
    byte[] w = AudioFixtures.wav16(1, 16000, new float[10]);
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 2);
    assertMessage(() -> decoder.decode(w, "adpcm.wav"), "adpcm.wav", "format code 2");
    byte[] v = AudioFixtures.wav16(1, 16000, new float[10]);
    ByteBuffer.wrap(v)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putShort(34, (short) 12)
        .putShort(32, (short) 1);
    assertMessage(
        () -> decoder.decode(v, "twelve.wav"), "twelve.wav", "bits per sample field is 12");
  }

  @Test
  void textFileNamedMp3() throws IOException {
    Path f = tmp.resolve("notes.mp3");
    Files.writeString(f, "these are my notes, not an mp3\n".repeat(50));
    assertMessage(() -> decoder.decode(f), "notes.mp3");
    assertMessage(() -> decoder.decode(Files.readAllBytes(f), "mem.mp3"), "mem.mp3");
  }

  @Test
  void absurdDurationIsRejectedFromTheHeader() throws IOException {
    AudioDecoder strict = new AudioDecoder(16000, 0.5);
    Path f = tmp.resolve("long.wav");
    Files.write(f, AudioFixtures.wav16(1, 16000, new float[16000]));
    assertMessage(() -> strict.decode(f), "long.wav", "header declares 1.0 s", "limit of 0.5 s");
    assertMessage(
        () -> strict.decode(AudioFixtures.media("sound1.mp3")),
        "sound1.mp3",
        "above the limit of 0.5 s");
    assertMessage(
        () -> strict.decode(AudioFixtures.media("sound1.flac")),
        "sound1.flac",
        "above the limit of 0.5 s");
  }

  @Test
  void streamedDataSizeMeansToTheEnd() {
    byte[] w = AudioFixtures.wav16(1, 16000, new float[] {0.5f, -0.5f, 0.25f});
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(40, -1);
    assertArrayEquals(
        new float[] {0.5f, -0.5f, 0.25f}, decoder.decodeNative(w, "pipe.wav").samples());
  }

  private static void assertMessage(
      org.junit.jupiter.api.function.Executable call, String... parts) {
    AudioFixtures.assertMessage(call, parts);
  }
}
