package dev.bindery.generator;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation: who said it and its parts (text and images) in order.
 *
 * @param role who wrote it
 * @param parts text and image parts; at least one
 */
public record ChatMessage(Role role, List<ContentPart> parts) {

  /** Who wrote a message. The system prompt is not a message: see {@link GenerationRequest}. */
  public enum Role {
    USER,
    ASSISTANT;

    /** The role name both protocols use. */
    public String wireName() {
      return this == USER ? "user" : "assistant";
    }
  }

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(parts, "parts");
    if (parts.isEmpty()) {
      throw new IllegalArgumentException(
          "a " + role.wireName() + " message needs at least one part");
    }
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i) == null) {
        throw new IllegalArgumentException(role.wireName() + " message part " + i + " is null");
      }
    }
    parts = List.copyOf(parts);
  }

  /** A user message of one text part. */
  public static ChatMessage user(String text) {
    return new ChatMessage(Role.USER, List.of(new ContentPart.Text(text)));
  }

  /** A user message of the given parts. */
  public static ChatMessage user(List<ContentPart> parts) {
    return new ChatMessage(Role.USER, parts);
  }

  /** An assistant message of one text part (an earlier answer, for multi-turn requests). */
  public static ChatMessage assistant(String text) {
    return new ChatMessage(Role.ASSISTANT, List.of(new ContentPart.Text(text)));
  }

  /** The text parts joined by a blank line (for protocols that take one string per message). */
  public String joinedText() {
    StringBuilder sb = new StringBuilder();
    for (ContentPart p : parts) {
      if (p instanceof ContentPart.Text t) {
        if (!sb.isEmpty()) {
          sb.append("\n\n");
        }
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  /** The image parts, in order. */
  public List<ContentPart.Image> images() {
    return parts.stream()
        .filter(ContentPart.Image.class::isInstance)
        .map(ContentPart.Image.class::cast)
        .toList();
  }

  /** True when every part is text. */
  public boolean textOnly() {
    return parts.stream().allMatch(ContentPart.Text.class::isInstance);
  }
}
