package dev.bindery.encoders.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Reads RIFF/WAVE files (PCM 8/16/24/32-bit integer, 32/64-bit float, plain or
 * WAVE_FORMAT_EXTENSIBLE) into mono float samples at the file's own rate, the channels averaged.
 *
 * <p>The header is checked against the file before anything large is allocated: zero or absurd
 * channel counts and sample rates, a block align that does not match channels x bytes per sample, a
 * data chunk that claims more bytes than the file holds (a lying header or a truncated file) and a
 * duration above the caller's limit are all rejected with the file, the field and its value. A data
 * size of 0xFFFFFFFF (written by streaming encoders that cannot seek back) means "to the end of the
 * file". Files are read through positional reads, never mapped or loaded whole.
 *
 * <p>Integer samples are scaled as torchaudio does: 8-bit unsigned {@code (u - 128) / 128}, 16-bit
 * {@code s / 32768}, 24-bit {@code s / 8388608}, 32-bit {@code s / 2147483648}; float samples are
 * kept as they are (not clamped).
 */
final class WavReader {
  /** Highest sample rate accepted; anything above is treated as a corrupt header. */
  static final int MAX_SAMPLE_RATE = 768_000;

  /** Most channels accepted. */
  static final int MAX_CHANNELS = 64;

  private static final int FORMAT_PCM = 1;
  private static final int FORMAT_FLOAT = 3;
  private static final int FORMAT_EXTENSIBLE = 0xFFFE;

  private WavReader() {}

  /** Random-access bytes: a file or an array. */
  interface Source {
    long length();

    /** Reads exactly {@code len} bytes at {@code pos}; fails if fewer are there. */
    void read(long pos, byte[] dst, int off, int len);
  }

  static Source of(byte[] bytes) {
    return new Source() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public void read(long pos, byte[] dst, int off, int len) {
        if (pos < 0 || pos + len > bytes.length) {
          throw new IllegalStateException(
              "read past end: " + pos + "+" + len + " > " + bytes.length);
        }
        System.arraycopy(bytes, (int) pos, dst, off, len);
      }
    };
  }

  /** Whether the bytes start like a RIFF/WAVE file. */
  static boolean looksLikeWav(byte[] head, int n) {
    return n >= 12
        && head[0] == 'R'
        && head[1] == 'I'
        && head[2] == 'F'
        && head[3] == 'F'
        && head[8] == 'W'
        && head[9] == 'A'
        && head[10] == 'V'
        && head[11] == 'E';
  }

  /** Decodes a WAV file from disk. */
  static AudioSignalAtRate read(Path file, double maxSeconds) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Source src =
          new Source() {
            @Override
            public long length() {
              try {
                return ch.size();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }

            @Override
            public void read(long pos, byte[] dst, int off, int len) {
              ByteBuffer bb = ByteBuffer.wrap(dst, off, len);
              try {
                long p = pos;
                while (bb.hasRemaining()) {
                  int r = ch.read(bb, p);
                  if (r < 0) {
                    throw new IllegalStateException("unexpected end of file at byte " + p);
                  }
                  p += r;
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          };
      return read(src, file.toString(), maxSeconds);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read WAV file " + file + ": " + e, e);
    }
  }

  /** Mono samples at the rate the file declares. */
  record AudioSignalAtRate(float[] samples, int sampleRate, int channels) {}

  /**
   * Decodes a WAV source; {@code name} names it in messages.
   *
   * @throws IllegalArgumentException for a malformed, lying or too long file
   */
  static AudioSignalAtRate read(Source src, String name, double maxSeconds) {
    long fileLength = src.length();
    byte[] hdr = new byte[12];
    if (fileLength < 12) {
      throw bad(name, "file is " + fileLength + " bytes, too short for a RIFF/WAVE header (12)");
    }
    src.read(0, hdr, 0, 12);
    if (!looksLikeWav(hdr, 12)) {
      throw bad(name, "does not start with RIFF....WAVE");
    }
    long pos = 12;
    Fmt fmt = null;
    long dataOffset = -1;
    long dataSize = -1;
    byte[] chunkHeader = new byte[8];
    while (pos + 8 <= fileLength) {
      src.read(pos, chunkHeader, 0, 8);
      ByteBuffer ch = ByteBuffer.wrap(chunkHeader).order(ByteOrder.LITTLE_ENDIAN);
      String id = new String(chunkHeader, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      long size = Integer.toUnsignedLong(ch.getInt(4));
      long body = pos + 8;
      if (id.equals("fmt ")) {
        if (size < 16 || body + size > fileLength) {
          throw bad(
              name,
              "fmt chunk size "
                  + size
                  + " is invalid (needs 16..."
                  + Math.max(0, fileLength - body)
                  + " bytes)");
        }
        byte[] f = new byte[(int) Math.min(size, 64)];
        src.read(body, f, 0, f.length);
        fmt = Fmt.parse(f, name);
      } else if (id.equals("data")) {
        if (fmt == null) {
          throw bad(name, "data chunk comes before the fmt chunk");
        }
        long remaining = fileLength - body;
        if (size == 0xFFFFFFFFL) {
          size = remaining - remaining % fmt.blockAlign;
        } else if (size > remaining) {
          throw bad(
              name,
              "data chunk size "
                  + size
                  + " bytes is larger than the "
                  + remaining
                  + " bytes left in the file (truncated file or lying header)");
        }
        if (size % fmt.blockAlign != 0) {
          throw bad(
              name,
              "data chunk size "
                  + size
                  + " is not a multiple of the block align "
                  + fmt.blockAlign
                  + " (truncated file or lying header)");
        }
        dataOffset = body;
        dataSize = size;
        break;
      }
      pos = body + size + (size & 1);
    }
    if (fmt == null) {
      throw bad(name, "has no fmt chunk");
    }
    if (dataOffset < 0) {
      throw bad(name, "has no data chunk");
    }
    long frames = dataSize / fmt.blockAlign;
    double seconds = frames / (double) fmt.sampleRate;
    if (seconds > maxSeconds) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "audio file %s: header declares %.1f s (%d frames at %d Hz), above the limit of %.1f s",
              name,
              seconds,
              frames,
              fmt.sampleRate,
              maxSeconds));
    }
    float[] mono = new float[Math.toIntExact(frames)];
    int framesPerBlock = Math.max(1, (1 << 16) / fmt.blockAlign);
    byte[] buf = new byte[framesPerBlock * fmt.blockAlign];
    long done = 0;
    while (done < frames) {
      int n = (int) Math.min(framesPerBlock, frames - done);
      src.read(dataOffset + done * fmt.blockAlign, buf, 0, n * fmt.blockAlign);
      fmt.toMono(buf, n, mono, (int) done);
      done += n;
    }
    return new AudioSignalAtRate(mono, fmt.sampleRate, fmt.channels);
  }

  static IllegalArgumentException bad(String name, String what) {
    return new IllegalArgumentException("WAV file " + name + ": " + what);
  }

  /** The fields of a fmt chunk that decoding needs, validated. */
  private record Fmt(boolean isFloat, int channels, int sampleRate, int blockAlign, int bits) {
    static Fmt parse(byte[] f, String name) {
      ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
      int format = Short.toUnsignedInt(b.getShort(0));
      int channels = Short.toUnsignedInt(b.getShort(2));
      long rate = Integer.toUnsignedLong(b.getInt(4));
      int blockAlign = Short.toUnsignedInt(b.getShort(12));
      int bits = Short.toUnsignedInt(b.getShort(14));
      if (format == FORMAT_EXTENSIBLE) {
        if (f.length < 26) {
          throw bad(name, "WAVE_FORMAT_EXTENSIBLE fmt chunk is " + f.length + " bytes, needs 26");
        }
        // The sub-format GUID starts with the plain format code.
        format = Short.toUnsignedInt(b.getShort(24));
      }
      if (format != FORMAT_PCM && format != FORMAT_FLOAT) {
        throw bad(
            name,
            "format code "
                + format
                + " is not supported (only PCM=1 and IEEE float=3; compressed WAVs are not)");
      }
      if (channels < 1 || channels > MAX_CHANNELS) {
        throw bad(name, "channels field is " + channels + ", expected 1.." + MAX_CHANNELS);
      }
      if (rate < 1 || rate > MAX_SAMPLE_RATE) {
        throw bad(name, "sample rate field is " + rate + " Hz, expected 1.." + MAX_SAMPLE_RATE);
      }
      boolean isFloat = format == FORMAT_FLOAT;
      boolean bitsOk =
          isFloat ? bits == 32 || bits == 64 : bits == 8 || bits == 16 || bits == 24 || bits == 32;
      if (!bitsOk) {
        throw bad(
            name,
            "bits per sample field is "
                + bits
                + ", expected "
                + (isFloat ? "32 or 64 for float" : "8, 16, 24 or 32 for PCM"));
      }
      int expectedAlign = channels * bits / 8;
      if (blockAlign != expectedAlign) {
        throw bad(
            name,
            "block align field is "
                + blockAlign
                + ", expected "
                + expectedAlign
                + " (= "
                + channels
                + " channels x "
                + bits / 8
                + " bytes)");
      }
      return new Fmt(isFloat, channels, (int) rate, blockAlign, bits);
    }

    /** Converts {@code n} interleaved frames to mono (channel mean) at {@code out[at..]}. */
    void toMono(byte[] buf, int n, float[] out, int at) {
      ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
      int bytes = bits / 8;
      for (int i = 0; i < n; i++) {
        double sum = 0;
        int base = i * blockAlign;
        for (int c = 0; c < channels; c++) {
          sum += sample(b, base + c * bytes);
        }
        out[at + i] = channels == 1 ? (float) sum : (float) (sum / channels);
      }
    }

    private double sample(ByteBuffer b, int p) {
      if (isFloat) {
        return bits == 32 ? b.getFloat(p) : b.getDouble(p);
      }
      return switch (bits) {
        case 8 -> ((b.get(p) & 0xFF) - 128) / 128.0f;
        case 16 -> b.getShort(p) / 32768.0f;
        case 24 -> {
          int v = (b.get(p) & 0xFF) | (b.get(p + 1) & 0xFF) << 8 | b.get(p + 2) << 16;
          yield v / 8388608.0f;
        }
        default -> b.getInt(p) / 2147483648.0;
      };
    }
  }
}
