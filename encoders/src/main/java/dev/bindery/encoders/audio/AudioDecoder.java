package dev.bindery.encoders.audio;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.audio.WavReader.AudioSignalAtRate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Decodes audio files to mono float samples at one target rate (16 kHz by default, what ImageBind
 * reads). WAV is parsed here ({@link WavReader}: PCM 8/16/24/32-bit and 32/64-bit float, header
 * validated against the file); everything else (FLAC, MP3, Ogg Vorbis/Opus...) goes through FFmpeg
 * via JavaCV. Channels are averaged; other rates are converted with the torchaudio-compatible
 * {@link SincResampler}.
 *
 * <p>Durations above {@code maxSeconds} are rejected from the header or container metadata before
 * the samples are allocated (and again while decoding, for containers that do not declare one).
 * Every error is an {@link IllegalArgumentException} that names the file and what is wrong with it.
 * Immutable and thread-safe; native decoders are opened and released per call.
 */
public final class AudioDecoder {
  /** ImageBind's audio sample rate. */
  public static final int DEFAULT_SAMPLE_RATE = 16_000;

  /**
   * Lowest source rate {@link #decode} resamples from, 8 kHz (telephone audio). Below it a file of
   * a few kilobytes declares hours of audio (10.8 KB at 1 Hz is three hours) that resampling to the
   * target rate would blow up into a gigabyte of samples.
   */
  public static final int MIN_SOURCE_RATE = 8_000;

  /** Default duration limit: three hours. */
  public static final double DEFAULT_MAX_SECONDS = 3 * 3600;

  private final int targetRate;
  private final double maxSeconds;

  /** A decoder to 16 kHz with a three-hour limit. */
  public AudioDecoder() {
    this(DEFAULT_SAMPLE_RATE, DEFAULT_MAX_SECONDS);
  }

  /**
   * @param targetRate output sample rate in Hz
   * @param maxSeconds longest accepted input, in seconds
   */
  public AudioDecoder(int targetRate, double maxSeconds) {
    if (targetRate < 1 || targetRate > WavReader.MAX_SAMPLE_RATE) {
      throw new IllegalArgumentException(
          "target sample rate must be in 1.." + WavReader.MAX_SAMPLE_RATE + ", got " + targetRate);
    }
    if (!(maxSeconds > 0) || Double.isInfinite(maxSeconds)) {
      throw new IllegalArgumentException("max seconds must be finite and > 0, got " + maxSeconds);
    }
    this.targetRate = targetRate;
    this.maxSeconds = maxSeconds;
  }

  public int targetRate() {
    return targetRate;
  }

  public double maxSeconds() {
    return maxSeconds;
  }

  /** Decodes a file to mono at the target rate. */
  public AudioSignal decode(Path file) {
    Objects.requireNonNull(file, "file");
    return toTarget(decodeNative(file), file.toString());
  }

  /** Decodes bytes to mono at the target rate; {@code name} names them in messages. */
  public AudioSignal decode(byte[] bytes, String name) {
    return toTarget(decodeNative(bytes, name), name);
  }

  /** Decodes a file or bytes in memory to mono at the target rate. */
  public AudioSignal decode(MediaSource media) {
    return switch (media) {
      case MediaSource.File f -> decode(f.path());
      case MediaSource.Bytes b -> decode(b.bytes(), b.name());
    };
  }

  /** Decodes a file to mono at the file's own sample rate (channels averaged, no resampling). */
  public AudioSignal decodeNative(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("audio file " + file + " does not exist or is not a file");
    }
    byte[] head = new byte[12];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read audio file " + file + ": " + e, e);
    }
    if (n == 0) {
      throw new IllegalArgumentException("audio file " + file + " is empty (0 bytes)");
    }
    AudioSignalAtRate a =
        WavReader.looksLikeWav(head, n)
            ? WavReader.read(file, maxSeconds)
            : FfmpegAudioReader.read(file, maxSeconds);
    return new AudioSignal(a.samples(), a.sampleRate());
  }

  /** Decodes bytes to mono at their own sample rate; {@code name} names them in messages. */
  public AudioSignal decodeNative(byte[] bytes, String name) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw new IllegalArgumentException("audio file " + name + " is empty (0 bytes)");
    }
    AudioSignalAtRate a =
        WavReader.looksLikeWav(bytes, bytes.length)
            ? WavReader.read(WavReader.of(bytes), name, maxSeconds)
            : FfmpegAudioReader.read(bytes, name, maxSeconds);
    return new AudioSignal(a.samples(), a.sampleRate());
  }

  private AudioSignal toTarget(AudioSignal s, String name) {
    if (s.sampleRate() == targetRate) {
      return s;
    }
    if (s.sampleRate() < MIN_SOURCE_RATE) {
      throw new IllegalArgumentException(
          "audio file "
              + name
              + ": sample rate "
              + s.sampleRate()
              + " Hz is below the "
              + MIN_SOURCE_RATE
              + " Hz this decoder resamples from ("
              + s.samples().length
              + " samples would become "
              + (long) Math.ceil((double) s.samples().length * targetRate / s.sampleRate())
              + " at "
              + targetRate
              + " Hz)");
    }
    return new AudioSignal(
        new SincResampler(s.sampleRate(), targetRate).resample(s.samples()), targetRate);
  }

  @Override
  public String toString() {
    return "AudioDecoder[" + targetRate + " Hz, max " + maxSeconds + " s]";
  }
}
