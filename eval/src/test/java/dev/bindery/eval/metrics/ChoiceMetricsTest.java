package dev.bindery.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CircularEval and zero-shot classification accuracy. */
class ChoiceMetricsTest {

  @Test
  void circularShiftsByHand() {
    List<String> opts = List.of("cat", "dog", "cow", "pig");
    assertEquals(List.of("dog", "cow", "pig", "cat"), CircularEval.shifted(opts, 1));
    assertEquals(List.of("pig", "cat", "dog", "cow"), CircularEval.shifted(opts, 3));
    // answer C (cow) is shown at B under shift 1, at A under shift 2, at D under shift 3
    assertEquals(
        List.of(2, 1, 0, 3),
        List.of(0, 1, 2, 3).stream().map(s -> CircularEval.answerUnderShift(2, 4, s)).toList());
    assertTrue(CircularEval.passes(2, List.of(2, 1, 0, 3)));
    // right three times out of four: fails
    assertFalse(CircularEval.passes(2, List.of(2, 1, 0, 0)));
    // a model that always answers A passes no 4-option question
    for (int answer = 0; answer < 4; answer++) {
      assertFalse(CircularEval.passes(answer, List.of(0, 0, 0, 0)));
    }
    assertEquals('C', CircularEval.letter(2));
  }

  @Test
  void randomChoicesAgreeWithNaiveCheck() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 500; trial++) {
      int n = 2 + rnd.nextInt(4);
      List<Integer> opts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        opts.add(100 + i);
      }
      int answer = rnd.nextInt(n);
      List<Integer> choices = new ArrayList<>();
      boolean naive = true;
      for (int s = 0; s < n; s++) {
        // a mostly-right model: picks the shown position of the right option 80% of the time
        List<Integer> shown = CircularEval.shifted(opts, s);
        int c = rnd.nextInt(5) > 0 ? shown.indexOf(opts.get(answer)) : rnd.nextInt(n);
        choices.add(c);
        naive &= shown.get(c).equals(opts.get(answer));
      }
      assertEquals(naive, CircularEval.passes(answer, choices), "seed " + seed);
    }
  }

  @Test
  void zeroShotAccuracyTopOneWithLowestIndexOnTies() {
    float[][] scores = {{0.1f, 0.9f, 0.3f}, {0.5f, 0.5f, 0.1f}, {0.2f, 0.1f, 0.7f}};
    assertEquals(1, ZeroShotClassification.predict(scores[0]));
    assertEquals(0, ZeroShotClassification.predict(scores[1]));
    assertEquals(2.0 / 3, ZeroShotClassification.accuracy(scores, new int[] {1, 1, 2}), 1e-12);
    float[] s =
        ZeroShotClassification.scores(new float[] {1, 0}, new float[][] {{0, 1}, {0.6f, 0.8f}});
    assertEquals(0f, s[0]);
    assertEquals(0.6f, s[1]);
  }

  @Test
  void badInputIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ZeroShotClassification.accuracy(new float[][] {{1, 2}}, new int[] {2}));
    assertTrue(e.getMessage().contains("label of input 0 is 2, outside 0..1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ZeroShotClassification.accuracy(new float[][] {{1, 2}}, new int[] {0, 1}));
    assertTrue(e.getMessage().contains("1!=2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> CircularEval.shifted(List.of("only"), 0));
    assertTrue(e.getMessage().contains("2+ options"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> CircularEval.passes(4, List.of(0, 1, 2, 3)));
    assertTrue(e.getMessage().contains("answer=4"), e.getMessage());
  }
}
