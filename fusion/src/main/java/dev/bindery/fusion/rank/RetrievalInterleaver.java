package dev.bindery.fusion.rank;

import dev.bindery.indexer.Hit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * FROMAGe-style {@code [RET]} retrieval (Koh, Salakhutdinov and Fried, ICML 2023): a generator
 * writes a marker where an image (or any item) should appear, and the text before the marker is the
 * retrieval query.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>The marker is {@value #DEFAULT_MARKER} unless configured. A marker preceded by a backslash
 *       ({@code \[RET]}) is not a marker: it stays in the text as the literal marker, backslash
 *       removed. A backslash anywhere else is ordinary text.
 *   <li>The query of a marker is the text since the previous marker (or the start), trimmed. If it
 *       is longer than {@code maxQueryChars}, it is cut to its last whole sentences that fit (a
 *       sentence starts after {@code .}, {@code !} or {@code ?} followed by whitespace, or after a
 *       line break); if even the last sentence does not fit, its last {@code maxQueryChars}
 *       characters are kept, moved forward to the next word start when the cut falls inside a word.
 *   <li>A marker whose query is empty (marker at the start, consecutive markers, only whitespace
 *       between them) does not retrieve; it is reported in {@link Interleaved#skipped()}.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RetrievalInterleaver {

  /** The marker FROMAGe uses. */
  public static final String DEFAULT_MARKER = "[RET]";

  /** Default query limit: about two sentences, the length text towers are trained on. */
  public static final int DEFAULT_MAX_QUERY_CHARS = 256;

  private static final RetrievalInterleaver DEFAULTS =
      new RetrievalInterleaver(DEFAULT_MARKER, DEFAULT_MAX_QUERY_CHARS);

  private final String marker;
  private final int maxQueryChars;

  /**
   * @param marker the marker string, not blank, without a backslash
   * @param maxQueryChars the longest query, >= 1
   */
  public RetrievalInterleaver(String marker, int maxQueryChars) {
    Objects.requireNonNull(marker, "marker");
    if (marker.isBlank() || marker.indexOf('\\') >= 0) {
      throw new IllegalArgumentException(
          "marker must be non-blank and contain no backslash: '" + marker + "'");
    }
    if (maxQueryChars < 1) {
      throw new IllegalArgumentException("maxQueryChars must be >= 1: " + maxQueryChars);
    }
    this.marker = marker;
    this.maxQueryChars = maxQueryChars;
  }

  /** The default marker and query limit. */
  public static RetrievalInterleaver defaults() {
    return DEFAULTS;
  }

  /** The retrieving markers of {@code generated} with the defaults. */
  public static List<RetSpan> spans(String generated) {
    return DEFAULTS.retrievalSpans(generated);
  }

  /** {@link #apply} with the defaults. */
  public static Interleaved interleave(
      String generated, Function<String, List<Hit>> retrieve, int perMarker) {
    return DEFAULTS.apply(generated, retrieve, perMarker);
  }

  /** The markers of {@code generated} that retrieve (skipped ones left out), in order. */
  public List<RetSpan> retrievalSpans(String generated) {
    return parse(generated).spans;
  }

  /**
   * Splits {@code generated} at its markers, retrieves for each marker with a query and returns
   * text and retrievals in reading order.
   *
   * @param retrieve query -> hits, best first; called once per retrieving marker, in order
   * @param perMarker the most hits kept per marker, >= 1
   * @throws IllegalArgumentException on null text, perMarker < 1, or retrieve returning null
   */
  public Interleaved apply(String generated, Function<String, List<Hit>> retrieve, int perMarker) {
    Objects.requireNonNull(retrieve, "retrieve");
    if (perMarker < 1) {
      throw new IllegalArgumentException("perMarker must be >= 1: " + perMarker);
    }
    Parsed p = parse(generated);
    List<Interleaved.Part> parts = new ArrayList<>();
    int next = 0;
    for (int m = 0; m < p.segments.size(); m++) {
      String seg = p.segments.get(m);
      if (!seg.isEmpty()) {
        // A skipped marker leaves two text pieces side by side: keep them as one part.
        int last = parts.size() - 1;
        if (last >= 0 && parts.get(last) instanceof Interleaved.TextPart prev) {
          parts.set(last, new Interleaved.TextPart(prev.text() + seg));
        } else {
          parts.add(new Interleaved.TextPart(seg));
        }
      }
      if (next < p.spans.size() && p.spans.get(next).markerIndex() == m) {
        RetSpan span = p.spans.get(next++);
        List<Hit> hits = retrieve.apply(span.query());
        if (hits == null) {
          throw new IllegalArgumentException(
              "retrieve returned null for query '" + span.query() + "' (marker " + m + ")");
        }
        parts.add(
            new Interleaved.RetrievalPart(span, hits.subList(0, Math.min(perMarker, hits.size()))));
      }
    }
    return new Interleaved(parts, String.join("", p.segments), p.skipped);
  }

  private record Parsed(
      List<String> segments, List<RetSpan> spans, List<Interleaved.Skipped> skipped) {}

  /** segments.size() == markers + 1; segment m is the text before marker m. */
  private Parsed parse(String generated) {
    if (generated == null) {
      throw new IllegalArgumentException("generated text must not be null");
    }
    List<String> segments = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    String escaped = "\\" + marker;
    int i = 0;
    while (i < generated.length()) {
      if (generated.startsWith(escaped, i)) {
        cur.append(marker);
        i += escaped.length();
      } else if (generated.startsWith(marker, i)) {
        segments.add(cur.toString());
        cur.setLength(0);
        i += marker.length();
      } else {
        cur.append(generated.charAt(i++));
      }
    }
    segments.add(cur.toString());

    List<RetSpan> spans = new ArrayList<>();
    List<Interleaved.Skipped> skipped = new ArrayList<>();
    for (int m = 0; m < segments.size() - 1; m++) {
      String query = queryOf(segments.get(m));
      if (query.isEmpty()) {
        skipped.add(
            new Interleaved.Skipped(
                m,
                m == 0
                    ? "empty query: no text before the first marker"
                    : "empty query: no text since marker " + (m - 1)));
      } else {
        spans.add(new RetSpan(segments.get(m), query, m));
      }
    }
    return new Parsed(List.copyOf(segments), List.copyOf(spans), List.copyOf(skipped));
  }

  /** The query for a span: trimmed, then cut to the last sentences within the limit. */
  String queryOf(String span) {
    String t = span.strip();
    int len = t.length();
    if (len <= maxQueryChars) {
      return t;
    }
    // The earliest sentence start whose suffix fits: as many whole trailing sentences as fit.
    for (int i = 0; i < len; i++) {
      char c = t.charAt(i);
      boolean end =
          c == '\n'
              || ((c == '.' || c == '!' || c == '?')
                  && i + 1 < len
                  && Character.isWhitespace(t.charAt(i + 1)));
      if (!end) {
        continue;
      }
      int j = i + 1;
      while (j < len && Character.isWhitespace(t.charAt(j))) {
        j++;
      }
      if (j < len && len - j <= maxQueryChars) {
        return t.substring(j);
      }
    }
    // Even the last sentence is too long: its tail, starting at a word.
    int start = len - maxQueryChars;
    if (!Character.isWhitespace(t.charAt(start - 1))) {
      int ws = start;
      while (ws < len && !Character.isWhitespace(t.charAt(ws))) {
        ws++;
      }
      if (ws < len) {
        start = ws;
      }
    }
    if (Character.isLowSurrogate(t.charAt(start))) {
      start++;
    }
    return t.substring(start).strip();
  }

  @Override
  public String toString() {
    return "RetrievalInterleaver[" + marker + ", maxQueryChars=" + maxQueryChars + "]";
  }
}
