package dev.bindery.encoders;

/**
 * Turns one decoded input into the model's input tensor (without the batch dimension). Pure and
 * deterministic, so it can be tested against a reference implementation on golden files.
 *
 * @param <I> the decoded input type
 */
@FunctionalInterface
public interface Preprocessor<I> {
  FloatTensor apply(I input);
}
