package dev.bindery.encoders.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Test fixtures written by encoders/parity/tiny_towers.py, and small readers for them. */
public final class VideoFixtures {
  private VideoFixtures() {}

  /** The folder parity/towers on the test classpath. */
  public static Path towers() {
    URL url = VideoFixtures.class.getResource("/parity/towers");
    if (url == null) {
      throw new IllegalStateException(
          "parity/towers is missing from the test resources; run encoders/parity/make_all.sh");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path video(String name) {
    return towers().resolve("video").resolve(name);
  }

  public static JsonNode json(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode videoGolden() {
    return json(towers().resolve("video/golden.json"));
  }

  /** An .npy array, flattened to C order; {@code shape[0]} receives its shape. */
  public static float[] npy(Path file, int[][] shape) {
    try {
      NpyArray a = NpyArray.parse(Files.readAllBytes(file), file.toString());
      if (shape != null) {
        shape[0] = Arrays.stream(a.shape()).mapToInt(Math::toIntExact).toArray();
      }
      return a.data();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The float pattern of tiny_towers.py's pattern(): a Knuth multiplicative hash in [-1, 1). */
  public static float[] pattern(int n, int salt) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      long h = ((long) i * 2654435761L + salt * 40503L) & 0xFFFFFFFFL;
      out[i] = (float) (h / 4294967296.0 * 2.0 - 1.0);
    }
    return out;
  }

  /** tiny_towers.py's pattern_ids(). */
  public static long[] patternIds(int n, int salt, long vocab) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long h = ((long) i * 2654435761L + salt * 40503L) & 0xFFFFFFFFL;
      out[i] = h % vocab;
    }
    return out;
  }

  public static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + "!=" + b.length);
    }
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  /** Resident memory of this process in kB, from /proc/self/status. */
  public static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
