package dev.bindery.generator.rag;

import java.util.List;

/**
 * The context text of a prompt, within its budget.
 *
 * @param blocks the items that fit, in rank order
 * @param omittedIds items that did not fit, in rank order
 * @param approxTokens approximate tokens of all blocks (characters / 4, rounded up)
 */
public record AssembledContext(
    List<ContextBlock> blocks, List<String> omittedIds, int approxTokens) {
  public AssembledContext {
    blocks = List.copyOf(blocks);
    omittedIds = List.copyOf(omittedIds);
  }

  /** The blocks joined by blank lines. */
  public String text() {
    return String.join("\n\n", blocks.stream().map(ContextBlock::text).toList());
  }
}
