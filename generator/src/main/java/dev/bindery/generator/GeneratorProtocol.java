package dev.bindery.generator;

import dev.bindery.generator.client.OllamaChatClient;
import dev.bindery.generator.client.OpenAiChatClient;
import java.util.Arrays;
import java.util.Locale;

/** The wire protocols Bindery speaks to generators. */
public enum GeneratorProtocol {
  /**
   * OpenAI-compatible chat completions, {@code POST {endpoint}/v1/chat/completions}: OpenAI, vLLM,
   * llama.cpp's server, LM Studio, Ollama's compatibility endpoint and most hosted APIs.
   */
  OPENAI("openai"),
  /** Ollama's native {@code POST {endpoint}/api/chat}. */
  OLLAMA("ollama");

  private final String wireName;

  GeneratorProtocol(String wireName) {
    this.wireName = wireName;
  }

  /** The name used on the command line and in JSON. */
  public String wireName() {
    return wireName;
  }

  /** Parses {@code openai} or {@code ollama} (any case), rejecting anything else. */
  public static GeneratorProtocol fromWire(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (GeneratorProtocol p : values()) {
      if (p.wireName.equals(n)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown generator protocol '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(GeneratorProtocol::wireName).toList());
  }

  /** A client of this protocol for {@code config}; the caller closes it. */
  public Generator client(GeneratorConfig config) {
    return switch (this) {
      case OPENAI -> new OpenAiChatClient(config);
      case OLLAMA -> new OllamaChatClient(config);
    };
  }

  @Override
  public String toString() {
    return wireName;
  }
}
