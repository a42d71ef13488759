package dev.bindery.encoders.audio;

import dev.bindery.encoders.audio.WavReader.AudioSignalAtRate;
import java.io.ByteArrayInputStream;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes compressed audio (FLAC, MP3, Ogg Vorbis/Opus, and whatever else FFmpeg reads) through
 * JavaCV's {@link FFmpegFrameGrabber} into mono float samples at the stream's own rate. The grabber
 * converts to packed 32-bit float; channels are averaged here (not by FFmpeg's rematrixing, whose
 * default coefficients differ from a plain mean) and resampling is left to {@link SincResampler} so
 * that every format goes through the same torchaudio-compatible path.
 *
 * <p>The container's declared duration is checked against the limit before decoding, and the
 * decoded length is checked again while decoding (a container may not declare one, or lie). The
 * native grabber is always released, also when opening fails.
 */
final class FfmpegAudioReader {
  /**
   * Most mono samples one decode may produce, 128 Mi (512 MiB of floats, 44 minutes at 48 kHz): a
   * compressed file of silence is tiny but decodes to its full length, so the duration limit alone
   * let a few hundred kilobytes of FLAC become two gigabytes.
   */
  static final long MAX_DECODED_SAMPLES = 1L << 27;

  private FfmpegAudioReader() {}

  static AudioSignalAtRate read(Path file, double maxSeconds) {
    return decode(new FFmpegFrameGrabber(file.toFile()), file.toString(), maxSeconds);
  }

  static AudioSignalAtRate read(byte[] bytes, String name, double maxSeconds) {
    return decode(
        new FFmpegFrameGrabber(new ByteArrayInputStream(bytes), bytes.length), name, maxSeconds);
  }

  private static AudioSignalAtRate decode(
      FFmpegFrameGrabber grabber, String name, double maxSeconds) {
    try (FFmpegFrameGrabber g = grabber) {
      g.setSampleFormat(avutil.AV_SAMPLE_FMT_FLT);
      try {
        g.start();
      } catch (FrameGrabber.Exception e) {
        throw new IllegalArgumentException(
            "audio file "
                + name
                + ": not a recognized audio format (FFmpeg: "
                + e.getMessage()
                + ")",
            e);
      }
      int channels = g.getAudioChannels();
      int rate = g.getSampleRate();
      if (channels < 1 || rate < 1) {
        throw new IllegalArgumentException(
            "audio file "
                + name
                + ": no audio stream (format '"
                + g.getFormat()
                + "', channels "
                + channels
                + ", sample rate "
                + rate
                + ")");
      }
      if (rate > WavReader.MAX_SAMPLE_RATE) {
        throw new IllegalArgumentException(
            "audio file "
                + name
                + ": sample rate "
                + rate
                + " Hz is above "
                + WavReader.MAX_SAMPLE_RATE);
      }
      double declared = g.getLengthInTime() / 1e6;
      if (declared > maxSeconds) {
        throw tooLong(name, declared, "container declares", maxSeconds);
      }
      if (declared * rate > MAX_DECODED_SAMPLES) {
        throw tooMany(name, (long) Math.ceil(declared * rate), "container declares");
      }
      long maxFrames = Math.min((long) Math.ceil(maxSeconds * rate), MAX_DECODED_SAMPLES);
      float[] mono = new float[(int) Math.min(Math.max(declared, 1.0) * rate + 1024, 1 << 24)];
      int n = 0;
      Frame f;
      while ((f = g.grabSamples()) != null) {
        if (f.samples == null || f.samples.length == 0) {
          continue;
        }
        Buffer b = f.samples[0];
        if (!(b instanceof FloatBuffer fb)) {
          throw new IllegalStateException(
              "audio file "
                  + name
                  + ": FFmpeg returned "
                  + b.getClass().getSimpleName()
                  + ", expected floats");
        }
        int ch = f.audioChannels > 0 ? f.audioChannels : channels;
        int frames = fb.remaining() / ch;
        if (n + (long) frames > maxFrames) {
          if (n + (long) frames > MAX_DECODED_SAMPLES) {
            throw tooMany(name, n + (long) frames, "decoded stream reaches");
          }
          throw tooLong(
              name, (n + (long) frames) / (double) rate, "decoded stream reaches", maxSeconds);
        }
        if (n + frames > mono.length) {
          mono =
              Arrays.copyOf(
                  mono, (int) Math.min(maxFrames, Math.max(mono.length * 2L, n + (long) frames)));
        }
        int p = fb.position();
        for (int i = 0; i < frames; i++) {
          double sum = 0;
          for (int c = 0; c < ch; c++) {
            sum += fb.get(p + i * ch + c);
          }
          mono[n + i] = (float) (sum / ch);
        }
        n += frames;
      }
      if (n == 0) {
        throw new IllegalArgumentException(
            "audio file " + name + ": the " + g.getFormat() + " stream decoded to no samples");
      }
      return new AudioSignalAtRate(Arrays.copyOf(mono, n), rate, channels);
    } catch (FrameGrabber.Exception e) {
      throw new IllegalArgumentException(
          "audio file " + name + ": decoding failed (FFmpeg: " + e.getMessage() + ")", e);
    }
  }

  private static IllegalArgumentException tooMany(String name, long samples, String how) {
    return new IllegalArgumentException(
        "audio file "
            + name
            + ": "
            + how
            + " "
            + samples
            + " samples, above the limit of "
            + MAX_DECODED_SAMPLES
            + " ("
            + (MAX_DECODED_SAMPLES * Float.BYTES >> 20)
            + " MiB decoded)");
  }

  private static IllegalArgumentException tooLong(
      String name, double seconds, String how, double maxSeconds) {
    return new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "audio file %s: %s %.1f s, above the limit of %.1f s",
            name,
            how,
            seconds,
            maxSeconds));
  }
}
