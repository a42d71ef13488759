package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bindery.encoders.NpyArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Fixture access: media in {@code parity/audio/}, goldens under {@code parity/audio/} resources.
 */
final class AudioFixtures {
  /** The real audio the parity script made (relative to the module directory). */
  static final Path MEDIA = Path.of("parity", "audio");

  private AudioFixtures() {}

  static Path media(String name) {
    return MEDIA.resolve(name);
  }

  static byte[] resource(String name) {
    String path = "parity/audio/" + name;
    try (InputStream in = AudioFixtures.class.getClassLoader().getResourceAsStream(path)) {
      assertNotNull(in, "missing test resource " + path + "; run encoders/parity/make_all.sh");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NpyArray npy(String name) {
    return NpyArray.parse(resource(name), name);
  }

  /** A PCM/float WAV file from interleaved sample bytes. */
  static byte[] wav(int format, int channels, int rate, int bits, byte[] data) {
    int blockAlign = channels * bits / 8;
    ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) format).putShort((short) channels);
    b.putInt(rate).putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
    b.put("data".getBytes()).putInt(data.length).put(data);
    return b.array();
  }

  /** A 16-bit PCM WAV of the given samples (already in [-1, 1)). */
  static byte[] wav16(int channels, int rate, float[] interleaved) {
    ByteBuffer d = ByteBuffer.allocate(interleaved.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : interleaved) {
      d.putShort((short) Math.round(v * 32768));
    }
    return wav(1, channels, rate, 16, d.array());
  }

  /** Asserts an IllegalArgumentException whose message contains every part. */
  static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " != " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /** Signal-to-noise ratio of {@code test} against {@code ref}, in dB. */
  static double snrDb(float[] ref, float[] test) {
    double s = 0;
    double n = 0;
    for (int i = 0; i < ref.length; i++) {
      s += (double) ref[i] * ref[i];
      double e = ref[i] - test[i];
      n += e * e;
    }
    return 10 * Math.log10(s / Math.max(n, 1e-300));
  }
}
