package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Server-Timing header's numbers and layout. */
class ServerTimingTest {
  @Test
  void millisAgreeWithStringFormat() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      // Whole microseconds: half-way nanos round differently in the two (half-up vs half-even).
      long nanos = 1000L * (i < 5_000 ? i : random.nextInt(100_000_000));
      assertEquals(
          String.format(Locale.ROOT, "%.3f", nanos / 1e6),
          ServerTiming.millis(nanos),
          "seed " + seed + ", nanos " + nanos);
    }
    assertEquals("0.000", ServerTiming.millis(-5), "a clock step back is 0, never negative");
    assertEquals("0.001", ServerTiming.millis(500), "half a microsecond rounds up");
  }

  @Test
  void headerListsPhasesInOrderThenTotal() {
    ServerTiming t = new ServerTiming(System.nanoTime());
    t.phase("read");
    t.add("wait", 2_000_000);
    t.resetMark();
    t.phase("respond");
    String h = t.header();
    assertTrue(
        h.matches(
            "read;dur=\\d+\\.\\d{3}, wait;dur=2\\.000, respond;dur=\\d+\\.\\d{3}, total;dur=\\d+\\.\\d{3}"),
        h);
  }
}
