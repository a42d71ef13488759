package dev.bindery.generator.rag;

import dev.bindery.fusion.ingest.Ingestor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a model's context from retrieved items under a token budget. Tokens are approximated as
 * characters / 4 (rounded up), the usual ratio for English under BPE tokenizers; the model's own
 * count differs, so leave headroom below its context window.
 *
 * <p>Each item becomes a {@link ContextBlock}: {@code [id] (modality)} on the first line; its
 * metadata as {@code key: value} pairs joined by {@code " | "} (lists joined by {@code ", "}); then
 * its text fields ({@code text} first, others as {@code name: value}). The ingest content hash
 * ({@code content_sha256}) is left out: it describes nothing. A block is cut at a word boundary
 * (ending in {@code "…"}) to {@code maxItemTokens}. Items are taken in rank order while they fit;
 * the first that does not fit is cut to the remaining budget if at least {@value #MIN_BLOCK_TOKENS}
 * tokens remain, and it and every later item are omitted otherwise. The blank lines between blocks
 * count. Immutable.
 */
public final class ContextAssembler {
  /** A block shorter than this is not worth sending cut. */
  public static final int MIN_BLOCK_TOKENS = 24;

  private static final int CHARS_PER_TOKEN = 4;
  private static final String SEPARATOR = "\n\n";
  private static final String ELLIPSIS = "…";

  private final int contextTokens;
  private final int maxItemTokens;

  public ContextAssembler(int contextTokens, int maxItemTokens) {
    if (contextTokens < 1 || maxItemTokens < 1) {
      throw new IllegalArgumentException(
          "token budgets must be >= 1, got " + contextTokens + " and " + maxItemTokens);
    }
    this.contextTokens = contextTokens;
    this.maxItemTokens = maxItemTokens;
  }

  /** Approximate tokens of a text: characters / 4, rounded up. */
  public static int approxTokens(String s) {
    return (s.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }

  /** The context for {@code items}, best first. */
  public AssembledContext assemble(List<RetrievedItem> items) {
    int budget = contextTokens * CHARS_PER_TOKEN;
    int used = 0;
    List<ContextBlock> blocks = new ArrayList<>();
    List<String> omitted = new ArrayList<>();
    boolean full = false;
    for (RetrievedItem item : items) {
      if (full) {
        omitted.add(item.id());
        continue;
      }
      int sep = blocks.isEmpty() ? 0 : SEPARATOR.length();
      String block = render(item);
      boolean truncated = false;
      int itemCap = maxItemTokens * CHARS_PER_TOKEN;
      if (block.length() > itemCap) {
        block = cut(block, itemCap);
        truncated = true;
      }
      int room = budget - used - sep;
      if (block.length() > room) {
        full = true;
        if (room < MIN_BLOCK_TOKENS * CHARS_PER_TOKEN) {
          omitted.add(item.id());
          continue;
        }
        block = cut(block, room);
        truncated = true;
      }
      blocks.add(new ContextBlock(item.id(), block, truncated));
      used += sep + block.length();
    }
    return new AssembledContext(blocks, omitted, (used + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
  }

  /** The uncut block of an item. */
  static String render(RetrievedItem item) {
    StringBuilder sb = new StringBuilder();
    sb.append('[').append(item.id()).append("] (").append(item.modality()).append(')');
    String meta = metadataLine(item.metadata());
    if (!meta.isEmpty()) {
      sb.append('\n').append(meta);
    }
    String main = item.text().get("text");
    if (main != null && !main.isBlank()) {
      sb.append('\n').append(main.strip());
    }
    item.text().entrySet().stream()
        .filter(e -> !e.getKey().equals("text") && e.getValue() != null && !e.getValue().isBlank())
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append('\n').append(e.getKey()).append(": ").append(e.getValue().strip()));
    return sb.toString();
  }

  /**
   * True for metadata Bindery keeps for itself rather than describing the item (the ingest content
   * hash): it is left out of contexts and answers.
   */
  static boolean bookkeeping(String field) {
    return field.equals(Ingestor.CONTENT_HASH);
  }

  /** Metadata as {@code key: value | key: a, b}, in the item's order, bookkeeping left out. */
  static String metadataLine(Map<String, Object> metadata) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      if (bookkeeping(e.getKey())) {
        continue;
      }
      String v = valueText(e.getValue());
      if (!v.isBlank()) {
        parts.add(e.getKey() + ": " + v);
      }
    }
    return String.join(" | ", parts);
  }

  /** A metadata value as text: lists joined by {@code ", "}. */
  static String valueText(Object v) {
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        out.add(String.valueOf(o));
      }
      return String.join(", ", out);
    }
    return String.valueOf(v);
  }

  /** {@code s} cut to at most {@code max} characters at a word boundary, ending in an ellipsis. */
  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = max - ELLIPSIS.length();
    int space = end;
    while (space > 0 && !Character.isWhitespace(s.charAt(space))) {
      space--;
    }
    if (space > end / 2) {
      end = space;
    }
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end).stripTrailing() + ELLIPSIS;
  }
}
