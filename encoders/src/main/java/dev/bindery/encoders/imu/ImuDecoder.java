package dev.bindery.encoders.imu;

import dev.bindery.encoders.NpyArray;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Decodes IMU traces from CSV or NumPy files into {@link ImuTrace}s.
 *
 * <p><b>CSV</b> (any name not ending in {@code .npy}): comma-separated, one sample per line, either
 * 6 columns {@code acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z} or 7 with a leading timestamp column in
 * seconds. The first line is a header when none of its fields is a number (a line mixing numbers
 * and text is a data line with a bad value). Blank lines and lines starting with {@code #} are
 * skipped. Every data line must have the column count of the first one; values must be finite
 * numbers. With timestamps, they must strictly increase and the sample rate is {@code (n - 1) /
 * (t_last - t_first)}; without, the decoder's default rate applies (200 Hz, the rate of the Ego4D
 * IMU data ImageBind was trained on). Errors name the file, the line, the column (number and header
 * name) and the value.
 *
 * <p><b>.npy</b>: float32 or float64, shape [6, T] or [T, 6] (a [6, 6] array is read as [6, T]);
 * the default sample rate applies.
 *
 * <p>Traces longer than {@code maxSamples} are rejected. Immutable and thread-safe.
 */
public final class ImuDecoder {
  /** ImageBind's IMU rate (Ego4D): 2000 samples are 10 s. */
  public static final double DEFAULT_SAMPLE_RATE_HZ = 200;

  /** Default limit: 10 million samples per channel (14 h at 200 Hz). */
  public static final int DEFAULT_MAX_SAMPLES = 10_000_000;

  private static final List<String> COLUMNS =
      List.of("acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z");

  private final double defaultSampleRateHz;
  private final int maxSamples;

  public ImuDecoder() {
    this(DEFAULT_SAMPLE_RATE_HZ, DEFAULT_MAX_SAMPLES);
  }

  public ImuDecoder(double defaultSampleRateHz, int maxSamples) {
    if (!(defaultSampleRateHz > 0) || Double.isInfinite(defaultSampleRateHz) || maxSamples < 1) {
      throw new IllegalArgumentException(
          "IMU decoder needs a finite rate > 0 and max samples >= 1, got "
              + defaultSampleRateHz
              + " Hz, "
              + maxSamples);
    }
    this.defaultSampleRateHz = defaultSampleRateHz;
    this.maxSamples = maxSamples;
  }

  /** Decodes a file; {@code .npy} by name or magic bytes, CSV otherwise. */
  public ImuTrace decode(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("IMU file " + file + " does not exist or is not a file");
    }
    try {
      return decode(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read IMU file " + file + ": " + e, e);
    }
  }

  /** Decodes bytes; {@code name} names them in messages and picks the format by its extension. */
  public ImuTrace decode(byte[] bytes, String name) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("IMU file " + name + " is empty (0 bytes)");
    }
    boolean npy =
        name.toLowerCase(Locale.ROOT).endsWith(".npy")
            || (bytes.length > 6 && bytes[0] == (byte) 0x93 && bytes[1] == 'N');
    return npy ? fromNpy(bytes, name) : fromCsv(bytes, name);
  }

  private ImuTrace fromNpy(byte[] bytes, String name) {
    NpyArray a = NpyArray.parse(bytes, name);
    long[] s = a.shape();
    if (s.length != 2 || (s[0] != ImuTrace.CHANNELS && s[1] != ImuTrace.CHANNELS)) {
      throw new IllegalArgumentException(
          "IMU file "
              + name
              + ": .npy shape "
              + Arrays.toString(s)
              + " is neither [6, T] nor [T, 6]");
    }
    boolean channelsFirst = s[0] == ImuTrace.CHANNELS;
    int t = Math.toIntExact(channelsFirst ? s[1] : s[0]);
    checkLength(name, t);
    float[][] ch = new float[ImuTrace.CHANNELS][t];
    float[] d = a.data();
    for (int c = 0; c < ImuTrace.CHANNELS; c++) {
      for (int i = 0; i < t; i++) {
        float v = channelsFirst ? d[c * t + i] : d[i * ImuTrace.CHANNELS + c];
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException(
              "IMU file " + name + ": channel " + COLUMNS.get(c) + " sample " + i + " is " + v);
        }
        ch[c][i] = v;
      }
    }
    return new ImuTrace(ch, defaultSampleRateHz);
  }

  private void checkLength(String name, long t) {
    if (t < 1) {
      throw new IllegalArgumentException("IMU file " + name + " holds no samples");
    }
    if (t > maxSamples) {
      throw new IllegalArgumentException(
          "IMU file " + name + " holds " + t + " samples, above the limit of " + maxSamples);
    }
  }

  private ImuTrace fromCsv(byte[] bytes, String name) {
    String[] header = null;
    int columns = -1;
    int n = 0;
    float[][] ch = new float[ImuTrace.CHANNELS][1024];
    double firstTime = Double.NaN;
    double lastTime = Double.NaN;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      boolean first = true;
      while ((line = r.readLine()) != null) {
        lineNo++;
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] fields = trimmed.split(",", -1);
        if (first) {
          first = false;
          if (Arrays.stream(fields).noneMatch(f -> isNumber(f.strip()))) {
            header = Arrays.stream(fields).map(String::strip).toArray(String[]::new);
            columns = fields.length;
            checkColumns(name, lineNo, columns, "header");
            continue;
          }
        }
        if (columns < 0) {
          columns = fields.length;
          checkColumns(name, lineNo, columns, "first data line");
        } else if (fields.length != columns) {
          throw new IllegalArgumentException(
              "IMU file "
                  + name
                  + " line "
                  + lineNo
                  + ": expected "
                  + columns
                  + " columns like the "
                  + (header != null ? "header" : "first data line")
                  + ", found "
                  + fields.length);
        }
        if (n == maxSamples) {
          throw new IllegalArgumentException(
              "IMU file " + name + " holds more than the limit of " + maxSamples + " samples");
        }
        if (n == ch[0].length) {
          for (int c = 0; c < ImuTrace.CHANNELS; c++) {
            ch[c] = Arrays.copyOf(ch[c], (int) Math.min((long) n * 2, maxSamples));
          }
        }
        int offset = columns - ImuTrace.CHANNELS;
        if (offset == 1) {
          double t = parse(name, lineNo, 0, header, fields[0]);
          if (n > 0 && !(t > lastTime)) {
            throw new IllegalArgumentException(
                "IMU file "
                    + name
                    + " line "
                    + lineNo
                    + " column 1"
                    + columnName(header, 0)
                    + ": timestamp "
                    + t
                    + " does not increase (previous "
                    + lastTime
                    + ")");
          }
          if (n == 0) {
            firstTime = t;
          }
          lastTime = t;
        }
        for (int c = 0; c < ImuTrace.CHANNELS; c++) {
          ch[c][n] = (float) parse(name, lineNo, c + offset, header, fields[c + offset]);
        }
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read IMU file " + name + ": " + e, e);
    }
    checkLength(name, n);
    for (int c = 0; c < ImuTrace.CHANNELS; c++) {
      ch[c] = Arrays.copyOf(ch[c], n);
    }
    double rate = defaultSampleRateHz;
    if (columns == ImuTrace.CHANNELS + 1 && n > 1) {
      rate = (n - 1) / (lastTime - firstTime);
    }
    return new ImuTrace(ch, rate);
  }

  private static void checkColumns(String name, int lineNo, int columns, String what) {
    if (columns != ImuTrace.CHANNELS && columns != ImuTrace.CHANNELS + 1) {
      throw new IllegalArgumentException(
          "IMU file "
              + name
              + " line "
              + lineNo
              + ": the "
              + what
              + " has "
              + columns
              + " columns; expected 6 ("
              + String.join(",", COLUMNS)
              + ") or 7 (a leading timestamp, then those)");
    }
  }

  private static String columnName(String[] header, int col) {
    return header != null ? " ('" + header[col] + "')" : "";
  }

  private static double parse(String name, int lineNo, int col, String[] header, String field) {
    String f = field.strip();
    double v;
    try {
      v = Double.parseDouble(f);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "IMU file "
              + name
              + " line "
              + lineNo
              + " column "
              + (col + 1)
              + columnName(header, col)
              + ": '"
              + f
              + "' is not a number",
          e);
    }
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(
          "IMU file "
              + name
              + " line "
              + lineNo
              + " column "
              + (col + 1)
              + columnName(header, col)
              + ": '"
              + f
              + "' is not a finite number");
    }
    return v;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
