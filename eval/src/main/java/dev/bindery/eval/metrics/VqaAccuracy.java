package dev.bindery.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * VQA accuracy (Antol et al. 2015, VQAv2): an answer is fully right when at least 3 humans gave it:
 * {@code min(#humans that said it / 3, 1)}. As in the official evaluation, this is averaged over
 * the 10 subsets of 9 of the 10 human answers (each subset leaves one human out), so an answer that
 * exactly 3 of 10 humans gave scores 0.9, 2 of 10 scores 0.6, 1 of 10 scores 0.3. With n human
 * answers the same leave-one-out average is taken over n subsets.
 *
 * <p>Both the model's answer and the human answers are normalized by {@link VqaAnswerNormalizer}.
 * The official script normalizes only when the humans disagree (it assumes annotation files that
 * are already normalized); normalizing always gives the same score on such files and a fairer one
 * on raw answers. Thread-safe and immutable.
 */
public final class VqaAccuracy {

  private final VqaAnswerNormalizer normalizer;

  public VqaAccuracy(VqaAnswerNormalizer normalizer) {
    this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
  }

  /** With the published normalization. */
  public VqaAccuracy() {
    this(new VqaAnswerNormalizer());
  }

  /** The accuracy of one answer against the human answers (10 in VQAv2), in [0, 1]. */
  public double score(String answer, List<String> humanAnswers) {
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(humanAnswers, "humanAnswers");
    if (humanAnswers.size() < 2) {
      throw new IllegalArgumentException(
          "VQA accuracy needs at least 2 human answers to leave one out, got " + humanAnswers);
    }
    String a = normalizer.normalize(answer);
    List<String> humans = new ArrayList<>();
    int matches = 0;
    for (String h : humanAnswers) {
      String n = normalizer.normalize(Objects.requireNonNull(h, "human answer"));
      humans.add(n);
      if (n.equals(a)) {
        matches++;
      }
    }
    double sum = 0;
    for (String left : humans) {
      int others = left.equals(a) ? matches - 1 : matches;
      sum += Math.min(1.0, others / 3.0);
    }
    return sum / humans.size();
  }
}
