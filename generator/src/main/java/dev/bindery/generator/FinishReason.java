package dev.bindery.generator;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why generation stopped, as the endpoint reported it. */
public enum FinishReason {
  /** The model ended its answer (or hit a stop sequence). */
  STOP,
  /** The token limit cut the answer. */
  LENGTH,
  /** The endpoint's content filter stopped it. */
  CONTENT_FILTER,
  /** The model asked to call a tool. */
  TOOL_CALLS,
  /** The answer did not come from a model (the extractive answerer) or the reason was absent. */
  NONE,
  /** Some other reason, kept as the endpoint spelled it in the client's error messages. */
  OTHER;

  /** Maps a wire value ({@code stop}, {@code length}, {@code eos}, ...); null becomes NONE. */
  public static FinishReason fromWire(String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "stop", "eos", "end_turn", "stop_sequence" -> STOP;
      case "length", "max_tokens" -> LENGTH;
      case "content_filter" -> CONTENT_FILTER;
      case "tool_calls", "function_call" -> TOOL_CALLS;
      default -> OTHER;
    };
  }

  /** The lower-case name used in JSON. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
