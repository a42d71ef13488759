package dev.bindery.generator.rag;

import dev.bindery.generator.DeltaListener;

/**
 * Writes an answer from retrieved items: a model behind a {@link dev.bindery.generator.Generator}
 * ({@link ModelAnswerer}) or the offline {@link ExtractiveAnswerer}. The answer cites items as
 * {@code [id]}; the pipeline checks the citations, reads boxes and runs {@code [RET]} retrieval
 * afterwards, the same way for every answerer.
 */
public interface Answerer {

  /**
   * Answers, streaming pieces of the text to {@code listener} as they are written.
   *
   * @throws dev.bindery.generator.GeneratorException when a model endpoint fails
   */
  AnswerDraft answer(AnswerInput input, DeltaListener listener);

  /** What answers: {@code extractive}, or the generator's description. */
  String describe();
}
