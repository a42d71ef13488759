package dev.bindery.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * MMBench's CircularEval for multiple-choice questions: a question with n options is asked n times,
 * its options rotated by 0..n-1 places, and passes only if the model picks the right option every
 * time. This removes the bonus a model gets from favouring one letter.
 *
 * <p>Under shift s, the option shown at position i is the original option {@code (i + s) mod n}, so
 * the right answer moves to position {@code (answer - s) mod n} (shift 1 of A,B,C,D shows B,C,D,A).
 */
public final class CircularEval {

  private CircularEval() {}

  /** The options as shown under shift {@code s}. */
  public static <T> List<T> shifted(List<T> options, int s) {
    int n = checkOptions(options);
    if (s < 0 || s >= n) {
      throw new IllegalArgumentException("shift must be in 0.." + (n - 1) + ", got " + s);
    }
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(options.get((i + s) % n));
    }
    return out;
  }

  /** Position of the right answer under shift {@code s}. */
  public static int answerUnderShift(int answer, int optionCount, int s) {
    if (optionCount < 2 || answer < 0 || answer >= optionCount || s < 0 || s >= optionCount) {
      throw new IllegalArgumentException(
          "need 2+ options and answer, shift in 0.."
              + (optionCount - 1)
              + "; got options="
              + optionCount
              + ", answer="
              + answer
              + ", shift="
              + s);
    }
    return Math.floorMod(answer - s, optionCount);
  }

  /**
   * Whether a question passes.
   *
   * @param answer the right option's position in the original order
   * @param choices the position the model chose under each shift 0..n-1 (n = choices.size() = the
   *     number of options); -1 or any other out-of-range value means no valid choice
   */
  public static boolean passes(int answer, List<Integer> choices) {
    Objects.requireNonNull(choices, "choices");
    int n = choices.size();
    for (int s = 0; s < n; s++) {
      Integer c = Objects.requireNonNull(choices.get(s), "choice under shift " + s);
      if (c != answerUnderShift(answer, n, s)) {
        return false;
      }
    }
    return true;
  }

  /** Option letter of a position: 0 is A. */
  public static char letter(int position) {
    if (position < 0 || position >= 26) {
      throw new IllegalArgumentException("option position must be in 0..25, got " + position);
    }
    return (char) ('A' + position);
  }

  private static int checkOptions(List<?> options) {
    Objects.requireNonNull(options, "options");
    if (options.size() < 2) {
      throw new IllegalArgumentException(
          "a multiple-choice question needs 2+ options, got " + options);
    }
    return options.size();
  }
}
