package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FusionBenchmarkTest {

  @Test
  void recallCountsFoundTargetsOutOfAtMostK() {
    assertEquals(1.0, FusionBenchmark.recallAt(List.of("a", "b"), Set.of("b"), 10));
    assertEquals(0.5, FusionBenchmark.recallAt(List.of("a", "b", "c"), Set.of("a", "x"), 10));
    // more targets than k: k found is perfect
    assertEquals(1.0, FusionBenchmark.recallAt(List.of("a", "b"), Set.of("a", "b", "c", "d"), 2));
    // hits past k do not count
    assertEquals(0.0, FusionBenchmark.recallAt(List.of("x", "y", "a"), Set.of("a"), 2));
    assertThrows(
        IllegalArgumentException.class, () -> FusionBenchmark.recallAt(List.of("a"), Set.of(), 10));
  }
}
