package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bindery.indexer.Item;
import dev.bindery.indexer.Segment;
import java.util.Map;

/** Whole-item comparison for tests that regenerate what they wrote and read it back. */
final class ItemAssertions {
  private ItemAssertions() {}

  /**
   * Asserts that {@code got} is {@code expected} in every part: fields, item-level vectors, and
   * each segment with its offsets, text and vectors. Every space of the callers is cosine, so the
   * expected vectors are normalized first and compared with a rounding tolerance.
   */
  static void assertSameItem(Item expected, Item got, String at) {
    String what = at + ": item " + expected.id();
    assertEquals(expected.id(), got.id(), what);
    assertEquals(expected.modality(), got.modality(), what + " modality");
    assertEquals(expected.source(), got.source(), what + " source");
    assertEquals(expected.metadata(), got.metadata(), what + " metadata");
    assertEquals(expected.text(), got.text(), what + " text");
    assertVectors(expected.vectors(), got.vectors(), what + " item-level vectors");
    assertEquals(
        expected.segments().size(), got.segments().size(), what + " has a wrong segment count");
    for (int s = 0; s < expected.segments().size(); s++) {
      Segment e = expected.segments().get(s);
      Segment g = got.segments().get(s);
      String seg = what + " segment " + s;
      assertEquals(e.start(), g.start(), seg + " start");
      assertEquals(e.end(), g.end(), seg + " end");
      assertEquals(e.text(), g.text(), seg + " text");
      assertVectors(e.vectors(), g.vectors(), seg + " vectors");
    }
  }

  private static void assertVectors(
      Map<String, float[]> expected, Map<String, float[]> got, String what) {
    assertEquals(expected.keySet(), got.keySet(), what + " spaces");
    for (Map.Entry<String, float[]> e : expected.entrySet()) {
      float[] g = got.get(e.getKey());
      assertNotNull(g, what);
      float[] want = normalized(e.getValue());
      // Stored cosine vectors are normalized float copies: equal up to rounding.
      assertArrayEquals(want, g, 1e-6f, what + " in space " + e.getKey());
    }
  }

  private static float[] normalized(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    double inv = 1 / Math.sqrt(sum);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * inv);
    }
    return out;
  }
}
