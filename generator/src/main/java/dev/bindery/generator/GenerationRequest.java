package dev.bindery.generator;

import java.util.List;
import java.util.Objects;

/**
 * What to generate from.
 *
 * @param systemPrompt instructions sent before the messages, or null for none
 * @param messages the conversation, at least one message, the last one from the user
 * @param maxTokens the most tokens to generate, 1..{@value #MAX_TOKENS_CEILING}
 * @param temperature sampling temperature, finite, in [0, 2]
 * @param stream whether to ask the endpoint to stream (see {@link Generator#generate})
 */
public record GenerationRequest(
    String systemPrompt,
    List<ChatMessage> messages,
    int maxTokens,
    double temperature,
    boolean stream) {

  /** Upper bound on {@link #maxTokens}: far above any model's context, so only typos hit it. */
  public static final int MAX_TOKENS_CEILING = 1_000_000;

  public GenerationRequest {
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a generation request needs at least one message");
    }
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i) == null) {
        throw new IllegalArgumentException("message " + i + " is null");
      }
    }
    messages = List.copyOf(messages);
    if (messages.get(messages.size() - 1).role() != ChatMessage.Role.USER) {
      throw new IllegalArgumentException(
          "the last message must come from the user, got "
              + messages.get(messages.size() - 1).role().wireName());
    }
    if (maxTokens < 1 || maxTokens > MAX_TOKENS_CEILING) {
      throw new IllegalArgumentException(
          "maxTokens must be in 1.." + MAX_TOKENS_CEILING + ", got " + maxTokens);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
    }
  }

  /** One user message, no system prompt, not streamed. */
  public static GenerationRequest of(ChatMessage user, int maxTokens, double temperature) {
    return new GenerationRequest(null, List.of(user), maxTokens, temperature, false);
  }

  /** This request with {@code stream} set. */
  public GenerationRequest withStream(boolean s) {
    return new GenerationRequest(systemPrompt, messages, maxTokens, temperature, s);
  }

  /** This request with another system prompt. */
  public GenerationRequest withSystemPrompt(String prompt) {
    return new GenerationRequest(prompt, messages, maxTokens, temperature, stream);
  }
}
