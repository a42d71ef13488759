package dev.bindery.generator.grounding;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Finds {@code [id]} citations in generated text and checks them against the ids that were
 * retrieved, so an answer never cites an item that was not in front of the model.
 *
 * <p>Rules: a citation is a {@code [...]} group on one line, at most {@value #MAX_GROUP_CHARS}
 * characters inside, not followed by {@code (} (a Markdown link) and not the {@code [RET]} marker
 * (escaped or not). If its trimmed content is a retrieved id, it cites that id. Otherwise it is
 * split at {@code ,} and {@code ;} ({@code [a, b]}, {@code [a; b]}): each trimmed piece that is a
 * retrieved id is cited, every other non-empty piece is reported as dropped. Brackets in ids the
 * text cannot express ({@code ]} or a line break inside an id) are not supported. Immutable.
 */
public final class CitationParser {
  /** Longest bracket content considered: the longest item id plus room for a list. */
  public static final int MAX_GROUP_CHARS = 600;

  private static final String RET = "RET";

  private final Set<String> known;

  /**
   * @param retrievedIds the ids the answer may cite
   */
  public CitationParser(Set<String> retrievedIds) {
    this.known = Set.copyOf(Objects.requireNonNull(retrievedIds, "retrievedIds"));
  }

  /** The citations of {@code text}. */
  public Citations parse(String text) {
    Objects.requireNonNull(text, "text");
    LinkedHashSet<String> cited = new LinkedHashSet<>();
    LinkedHashSet<String> dropped = new LinkedHashSet<>();
    List<Citations.Marker> markers = new ArrayList<>();
    int i = 0;
    while ((i = text.indexOf('[', i)) >= 0) {
      int close = closing(text, i);
      if (close < 0) {
        i++;
        continue;
      }
      String content = text.substring(i + 1, close);
      boolean link = close + 1 < text.length() && text.charAt(close + 1) == '(';
      if (link || content.strip().equals(RET) || content.isBlank()) {
        i = close + 1;
        continue;
      }
      List<String> ids = new ArrayList<>();
      String whole = content.strip();
      if (known.contains(whole)) {
        ids.add(whole);
      } else {
        for (String piece : content.split("[,;]")) {
          String p = piece.strip();
          if (p.isEmpty()) {
            continue;
          }
          if (known.contains(p)) {
            ids.add(p);
          } else {
            dropped.add(p);
          }
        }
      }
      if (!ids.isEmpty()) {
        cited.addAll(ids);
        markers.add(new Citations.Marker(i, close + 1, ids));
      }
      i = close + 1;
    }
    return new Citations(List.copyOf(cited), List.copyOf(dropped), markers);
  }

  /** The index of the {@code ]} closing the group at {@code open}, or -1. */
  private static int closing(String text, int open) {
    int limit = Math.min(text.length(), open + 2 + MAX_GROUP_CHARS);
    for (int j = open + 1; j < limit; j++) {
      char c = text.charAt(j);
      if (c == ']') {
        return j;
      }
      if (c == '[' || c == '\n' || c == '\r') {
        return -1;
      }
    }
    return -1;
  }
}
