package dev.bindery.fusion.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.fusion.rank.Interleaved.RetrievalPart;
import dev.bindery.fusion.rank.Interleaved.Skipped;
import dev.bindery.fusion.rank.Interleaved.TextPart;
import dev.bindery.indexer.Hit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RetrievalInterleaverTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  /** A fake index: five hits whose ids name the query, recording every call. */
  static final class FakeRetrieve implements Function<String, List<Hit>> {
    final List<String> queries = new ArrayList<>();

    @Override
    public List<Hit> apply(String q) {
      queries.add(q);
      List<Hit> hits = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        hits.add(new Hit(q + "#" + i, 1f - i * 0.1f, "image", null, Map.of(), null));
      }
      return hits;
    }
  }

  @Test
  void noMarkerIsOneTextPart() {
    FakeRetrieve retrieve = new FakeRetrieve();
    Interleaved out = RetrievalInterleaver.interleave("just words.", retrieve, 3);
    assertEquals(List.of(new TextPart("just words.")), out.parts());
    assertEquals("just words.", out.text());
    assertEquals(List.of(), out.skipped());
    assertEquals(List.of(), retrieve.queries);
    assertEquals(List.of(), RetrievalInterleaver.spans("just words."));
    assertEquals(List.of(), RetrievalInterleaver.interleave("", retrieve, 1).parts());
  }

  @Test
  void textBeforeEachMarkerIsItsQuery() {
    FakeRetrieve retrieve = new FakeRetrieve();
    String g = "Here is a red bicycle [RET] and next to it a sleeping cat.[RET] The end.";
    Interleaved out = RetrievalInterleaver.interleave(g, retrieve, 2);
    assertEquals(
        List.of("Here is a red bicycle", "and next to it a sleeping cat."), retrieve.queries);
    assertEquals("Here is a red bicycle  and next to it a sleeping cat. The end.", out.text());
    assertEquals(5, out.parts().size());
    assertEquals(new TextPart("Here is a red bicycle "), out.parts().get(0));
    RetrievalPart first = (RetrievalPart) out.parts().get(1);
    assertEquals(new RetSpan("Here is a red bicycle ", "Here is a red bicycle", 0), first.span());
    assertEquals(
        List.of("Here is a red bicycle#0", "Here is a red bicycle#1"),
        first.hits().stream().map(Hit::id).toList());
    assertEquals(new TextPart(" and next to it a sleeping cat."), out.parts().get(2));
    assertEquals(1, ((RetrievalPart) out.parts().get(3)).span().markerIndex());
    assertEquals(new TextPart(" The end."), out.parts().get(4));
    assertEquals(
        List.of(first.span(), ((RetrievalPart) out.parts().get(3)).span()),
        RetrievalInterleaver.spans(g));
  }

  @Test
  void markerAtStartIsSkippedWithReason() {
    FakeRetrieve retrieve = new FakeRetrieve();
    Interleaved out = RetrievalInterleaver.interleave("[RET] a cat", retrieve, 1);
    assertEquals(List.of(new TextPart(" a cat")), out.parts());
    assertEquals(
        List.of(new Skipped(0, "empty query: no text before the first marker")), out.skipped());
    assertEquals(List.of(), retrieve.queries);
  }

  @Test
  void consecutiveMarkersRetrieveOnce() {
    FakeRetrieve retrieve = new FakeRetrieve();
    Interleaved out = RetrievalInterleaver.interleave("a cat[RET] [RET]\n[RET]!", retrieve, 1);
    assertEquals(List.of("a cat"), retrieve.queries);
    assertEquals(
        List.of(
            new Skipped(1, "empty query: no text since marker 0"),
            new Skipped(2, "empty query: no text since marker 1")),
        out.skipped());
    assertEquals("a cat \n!", out.text());
    assertEquals(
        List.of(new TextPart("a cat"), new TextPart(" \n!")),
        out.parts().stream().filter(p -> p instanceof TextPart).toList());
    assertEquals(3, out.parts().size());
  }

  @Test
  void escapedMarkerIsLiteralText() {
    FakeRetrieve retrieve = new FakeRetrieve();
    Interleaved out =
        RetrievalInterleaver.interleave("write \\[RET] to retrieve, like this[RET]", retrieve, 1);
    assertEquals(List.of("write [RET] to retrieve, like this"), retrieve.queries);
    assertEquals("write [RET] to retrieve, like this", out.text());
    // A backslash not before a marker is ordinary text.
    assertEquals(
        List.of("C:\\cats"),
        RetrievalInterleaver.spans("C:\\cats[RET]").stream().map(RetSpan::query).toList());
  }

  @Test
  void longSpansKeepTheirLastWholeSentences() {
    RetrievalInterleaver ri = new RetrievalInterleaver("[RET]", 30);
    String g = "The weather was fine. We walked to the old harbour. A boat came in! [RET]";
    // "A boat came in!" fits (15), adding the previous sentence (45) does not.
    assertEquals("A boat came in!", ri.retrievalSpans(g).get(0).query());
    RetrievalInterleaver wide = new RetrievalInterleaver("[RET]", 50);
    assertEquals(
        "We walked to the old harbour. A boat came in!", wide.retrievalSpans(g).get(0).query());
    // One sentence longer than the limit: its tail, starting at a word.
    String run = "an extraordinarily long sentence without any stop about a lighthouse[RET]";
    // The last 30 characters start inside "without"; the query starts at the next word.
    String q = ri.retrievalSpans(run).get(0).query();
    assertEquals("any stop about a lighthouse", q);
    // A single word longer than the limit is cut hard.
    String word = "x".repeat(40) + "[RET]";
    assertEquals("x".repeat(30), ri.retrievalSpans(word).get(0).query());
    // Line breaks end sentences too.
    assertEquals(
        "a photo of a lighthouse",
        ri.retrievalSpans("caption list follows here\n  a photo of a lighthouse [RET]")
            .get(0)
            .query());
  }

  @Test
  void customMarker() {
    RetrievalInterleaver ri = new RetrievalInterleaver("<img>", 100);
    Interleaved out = ri.apply("a dog <img> [RET] \\<img>", new FakeRetrieve(), 1);
    assertEquals("a dog  [RET] <img>", out.text());
    assertEquals(1, out.parts().stream().filter(p -> p instanceof RetrievalPart).count());
  }

  @Test
  void randomTextsKeepEveryCharacterAndEveryMarker() {
    Random r = new Random(SEED);
    String[] pieces = {"a", " ", "cat", ".", "\n", "[RET]", "\\[RET]", "\\", "[", "RET", "]"};
    for (int t = 0; t < 2000; t++) {
      StringBuilder sb = new StringBuilder();
      StringBuilder expectedText = new StringBuilder();
      int markers = 0;
      int len = r.nextInt(20);
      for (int i = 0; i < len; i++) {
        String p = pieces[r.nextInt(pieces.length)];
        sb.append(p);
      }
      String g = sb.toString();
      // Reference: left to right, escaped marker first, then marker, else one character.
      for (int i = 0; i < g.length(); ) {
        if (g.startsWith("\\[RET]", i)) {
          expectedText.append("[RET]");
          i += 6;
        } else if (g.startsWith("[RET]", i)) {
          markers++;
          i += 5;
        } else {
          expectedText.append(g.charAt(i++));
        }
      }
      FakeRetrieve retrieve = new FakeRetrieve();
      Interleaved out = RetrievalInterleaver.interleave(g, retrieve, 2);
      String where = "seed=" + SEED + " trial=" + t + " text=" + g;
      assertEquals(expectedText.toString(), out.text(), where);
      StringBuilder joined = new StringBuilder();
      int retrievals = 0;
      for (Interleaved.Part p : out.parts()) {
        if (p instanceof TextPart tp) {
          assertTrue(!tp.text().isEmpty(), where);
          joined.append(tp.text());
        } else {
          retrievals++;
          assertTrue(((RetrievalPart) p).hits().size() <= 2, where);
        }
      }
      assertEquals(out.text(), joined.toString(), where);
      for (int i = 1; i < out.parts().size(); i++) {
        assertTrue(
            !(out.parts().get(i) instanceof TextPart && out.parts().get(i - 1) instanceof TextPart),
            where + " adjacent text parts");
      }
      assertEquals(markers, retrievals + out.skipped().size(), where);
      assertEquals(retrievals, retrieve.queries.size(), where);
    }
  }

  @Test
  void badArgumentsAreRejected() {
    FakeRetrieve retrieve = new FakeRetrieve();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RetrievalInterleaver.interleave("a[RET]", retrieve, 0));
    assertTrue(e.getMessage().contains("perMarker must be >= 1: 0"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RetrievalInterleaver.interleave(null, retrieve, 1));
    assertTrue(e.getMessage().contains("generated text must not be null"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RetrievalInterleaver.interleave("a dog[RET]", q -> null, 1));
    assertTrue(
        e.getMessage().contains("'a dog'") && e.getMessage().contains("null"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RetrievalInterleaver(" ", 10));
    assertTrue(e.getMessage().contains("marker"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RetrievalInterleaver("\\R", 10));
    assertTrue(e.getMessage().contains("'\\R'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RetrievalInterleaver("[RET]", 0));
    assertTrue(e.getMessage().contains("maxQueryChars must be >= 1: 0"), e.getMessage());
    assertEquals(List.of(), retrieve.queries);
  }
}
