package dev.bindery.generator;

/** Receives generated text piece by piece, in order, on the thread that called the generator. */
@FunctionalInterface
public interface DeltaListener {

  /** A listener that ignores every piece. */
  DeltaListener NONE = delta -> {};

  /**
   * One piece of generated text, never empty. Concatenated in call order, the pieces are the
   * response's text.
   */
  void onDelta(String delta);
}
