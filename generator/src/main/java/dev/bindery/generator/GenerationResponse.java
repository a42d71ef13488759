package dev.bindery.generator;

import java.util.Objects;

/**
 * What a generator answered.
 *
 * @param text the whole generated text (possibly empty)
 * @param finishReason why generation stopped
 * @param usage token counts, {@link Usage#UNKNOWN} if the endpoint gave none
 * @param model the model the endpoint says answered, or the configured one if it did not say
 * @param attempts HTTP attempts it took (1 without retries)
 */
public record GenerationResponse(
    String text, FinishReason finishReason, Usage usage, String model, int attempts) {
  public GenerationResponse {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(model, "model");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
    }
  }
}
