package dev.bindery.generator.rag;

import java.util.Objects;

/**
 * One item's part of a model's context: {@code [id] (modality)}, its metadata as {@code key: value}
 * pairs, then its text.
 *
 * @param id the item id
 * @param text the block as sent, label included
 * @param truncated whether the item's text was cut to fit
 */
public record ContextBlock(String id, String text, boolean truncated) {
  public ContextBlock {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
  }
}
