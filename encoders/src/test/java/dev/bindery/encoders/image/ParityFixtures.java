package dev.bindery.encoders.image;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** The files encoders/parity/image_goldens.py wrote under test resources parity/image/. */
final class ParityFixtures {
  private ParityFixtures() {}

  static Path dir() {
    URL u = ParityFixtures.class.getResource("/parity/image/goldens.json");
    assertNotNull(u, "parity/image/goldens.json missing: run encoders/parity/make_all.sh");
    try {
      return Path.of(u.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode meta() {
    try {
      return new ObjectMapper().readTree(dir().resolve("goldens.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Arrays of an .npz file by name (without the .npy suffix). */
  static Map<String, NpyArray> npz(String file) {
    Map<String, NpyArray> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(dir().resolve(file).toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        byte[] b = zip.getInputStream(e).readAllBytes();
        String name = e.getName().replaceFirst("\\.npy$", "");
        out.put(name, NpyArray.parse(b, e.getName(), Long.MAX_VALUE));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
