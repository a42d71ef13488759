package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.BadArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class SetOperationTest {
  @Test
  void parsesEveryWireNameAndRefusesOthersListingTheValidOnes() {
    for (SetOperation op : SetOperation.values()) {
      assertSame(op, SetOperation.fromName(op.wireName()));
    }
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> SetOperation.fromName("xor"));
    assertEquals("unknown set operation 'xor'; valid: and, or, andNot", e.getMessage());
    assertThrows(BadArgumentException.class, () -> SetOperation.fromName("AND"));
  }

  @Test
  void combinesLikeNaiveSetAlgebraAndLeavesItsInputsAlone() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int round = 0; round < 50; round++) {
      int n = 1 + r.nextInt(4);
      List<RoaringBitmap> bitmaps = new ArrayList<>();
      List<Set<Integer>> naive = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        RoaringBitmap b = new RoaringBitmap();
        Set<Integer> s = new TreeSet<>();
        int size = r.nextInt(200);
        for (int j = 0; j < size; j++) {
          int v = r.nextInt(300);
          b.add(v);
          s.add(v);
        }
        bitmaps.add(b);
        naive.add(s);
      }
      List<RoaringBitmap> before = bitmaps.stream().map(RoaringBitmap::clone).toList();
      for (SetOperation op : SetOperation.values()) {
        Set<Integer> expected = new TreeSet<>(naive.get(0));
        for (Set<Integer> next : naive.subList(1, n)) {
          switch (op) {
            case AND -> expected.retainAll(next);
            case OR -> expected.addAll(next);
            case AND_NOT -> expected.removeAll(next);
          }
        }
        Set<Integer> actual = new TreeSet<>();
        op.combine(bitmaps).forEach((int v) -> actual.add(v));
        assertEquals(expected, actual, op + " round " + round + " seed " + seed);
        assertEquals(before, bitmaps, op + " changed an input bitmap; seed " + seed);
      }
    }
  }

  @Test
  void refusesAnEmptyList() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SetOperation.OR.combine(List.of()));
    assertTrue(e.getMessage().contains("at least one set"), e.getMessage());
  }
}
