package dev.bindery.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VqaAccuracyTest {

  private final VqaAnswerNormalizer norm = new VqaAnswerNormalizer();
  private final VqaAccuracy vqa = new VqaAccuracy(norm);

  @Test
  void normalizationFollowsThePublishedRules() {
    assertEquals(120, norm.contractionCount());
    assertEquals("2", norm.normalize("Two"));
    assertEquals("0", norm.normalize("none"));
    assertEquals("10 dogs", norm.normalize("ten dogs"));
    assertEquals("cat", norm.normalize("The cat"));
    assertEquals("red apple", norm.normalize("an  Red apple"));
    assertEquals("don't know", norm.normalize("dont know"));
    assertEquals("yes", norm.normalize("yes."));
    assertEquals("yes", norm.normalize(" Yes!\n"));
    assertEquals("3.5", norm.normalize("3.5"));
    // a comma between digits: every punctuation mark is deleted, none becomes a space
    assertEquals("1000", norm.normalize("1,000"));
    // a mark with no space next to it becomes a space ...
    assertEquals("black white", norm.normalize("black/white"));
    // ... and one next to a space is deleted (the double space then collapses)
    assertEquals("left right", norm.normalize("left - right"));
    assertEquals("t shirt", norm.normalize("t-shirt"));
    // the apostrophe is not in the punctuation list
    assertEquals("man's", norm.normalize("man's"));
    // period removal stops after 32, as published
    String dots = ".".repeat(40) + "x";
    assertEquals(".".repeat(8) + "x", norm.normalize(dots));
  }

  @Test
  void minHumansOverThreeAveragedOverLeaveOneOutSubsets() {
    assertEquals(
        1.0,
        vqa.score("yes", List.of("yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "no")),
        1e-12);
    assertEquals(0.9, vqa.score("2", answers("two", 3)), 1e-12);
    assertEquals(0.6, vqa.score("2", answers("two", 2)), 1e-12);
    assertEquals(0.3, vqa.score("2", answers("two", 1)), 1e-12);
    assertEquals(0.0, vqa.score("3", answers("two", 10)), 1e-12);
    assertEquals(1.0, vqa.score("The Cat.", answers("cat", 10)), 1e-12);
  }

  @Test
  void randomAnswersAgreeWithNaiveSubsets() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    List<String> vocabulary = List.of("yes", "no", "2", "two", "red", "the red", "blue");
    for (int trial = 0; trial < 300; trial++) {
      List<String> humans = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        humans.add(vocabulary.get(rnd.nextInt(vocabulary.size())));
      }
      String answer = vocabulary.get(rnd.nextInt(vocabulary.size()));
      // naive: every subset of 9 written out, min(#matches / 3, 1), averaged
      double sum = 0;
      for (int left = 0; left < 10; left++) {
        int matches = 0;
        for (int i = 0; i < 10; i++) {
          if (i != left && norm.normalize(humans.get(i)).equals(norm.normalize(answer))) {
            matches++;
          }
        }
        sum += Math.min(1.0, matches / 3.0);
      }
      assertEquals(sum / 10, vqa.score(answer, humans), 1e-12, "seed " + seed);
    }
  }

  @Test
  void tooFewHumanAnswersAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> vqa.score("yes", List.of("yes")));
    assertTrue(e.getMessage().contains("at least 2 human answers"), e.getMessage());
  }

  private static List<String> answers(String right, int times) {
    List<String> a = new ArrayList<>(Collections.nCopies(times, right));
    while (a.size() < 10) {
      a.add("other");
    }
    return a;
  }
}
