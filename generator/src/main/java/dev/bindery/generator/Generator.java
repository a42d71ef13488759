package dev.bindery.generator;

/**
 * A text generator behind some endpoint: a vision-language model that reads a system prompt and
 * messages with text and image parts and writes an answer. Implementations validate nothing about
 * the answer's content; they report what the endpoint said, or fail with a {@link
 * GeneratorException} whose {@link GeneratorException#kind()} says why. Thread-safe; {@link
 * #close()} releases the HTTP client.
 */
public interface Generator extends AutoCloseable {

  /**
   * Generates an answer. When {@link GenerationRequest#stream()} is true the endpoint is asked to
   * stream, and {@code listener} receives each piece of text as it arrives (on the calling thread);
   * otherwise it receives the whole text once. Either way the returned response holds the whole
   * text.
   *
   * @throws GeneratorException when the endpoint is unreachable, times out, refuses the request or
   *     answers with something that is not a well-formed response
   */
  GenerationResponse generate(GenerationRequest request, DeltaListener listener);

  /** {@link #generate(GenerationRequest, DeltaListener)} without a listener. */
  default GenerationResponse generate(GenerationRequest request) {
    return generate(request, DeltaListener.NONE);
  }

  /** What this generator is, for logs and answers: protocol, model and endpoint. */
  String describe();

  @Override
  default void close() {}
}
