package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Summing Server-Timing headers into mean phases. */
class ServerPhasesTest {
  @Test
  void meansArePerResponse() {
    ServerPhases p = new ServerPhases();
    p.add("read;dur=1.000, wait;dur=0.500, search;dur=3.000, respond;dur=0.500, total;dur=5.500");
    p.add("read;dur=3.000, wait;dur=1.500, search;dur=5.000, respond;dur=0.500, total;dur=10.500");
    assertEquals(2.0, p.meanMs("read"), 1e-9);
    assertEquals(1.0, p.meanMs("wait"), 1e-9);
    assertEquals(4.0, p.meanMs("search"), 1e-9);
    assertEquals(8.0, p.meanMs("total"), 1e-9);
    assertEquals(0.0, p.meanMs("resume"), 1e-9, "a phase no response reported");
    p.reset();
    assertEquals(0.0, p.meanMs("read"), 1e-9);
  }

  @Test
  void malformedHeaderIsRefusedWithTheEntry() {
    ServerPhases p = new ServerPhases();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> p.add("read;dur=1, wait=2"));
    assertTrue(e.getMessage().contains("'wait=2'"), e.getMessage());
    assertEquals(0.0, p.meanMs("read"), 1e-9, "nothing of a refused header was added");
    e = assertThrows(IllegalArgumentException.class, () -> p.add("read;dur=fast"));
    assertTrue(e.getMessage().contains("no number"), e.getMessage());
  }
}
