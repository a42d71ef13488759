package dev.bindery.generator.grounding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CitationParserTest {
  private final CitationParser parser = new CitationParser(Set.of("img-1", "img 2", "doc.7", "x"));

  @Test
  void keepsRetrievedIdsAndReportsTheRest() {
    Citations c =
        parser.parse(
            "A red square [img-1] next to a circle [img 2]. The year is 1965 [doc-9], see [img-1]"
                + " and [doc.7; ghost, x].");
    assertEquals(List.of("img-1", "img 2", "doc.7", "x"), c.cited());
    assertEquals(List.of("doc-9", "ghost"), c.dropped());
    assertEquals(4, c.markers().size());
    assertEquals(List.of("doc.7", "x"), c.markers().get(3).ids());
  }

  @Test
  void ignoresRetMarkersLinksEmptyAndUnclosedBrackets() {
    Citations c =
        parser.parse(
            "Here is a kite [RET] and \\[RET] and [ ] and [link](http://x) and [img-1 unclosed\n"
                + "then [x]");
    assertEquals(List.of("x"), c.cited());
    assertEquals(List.of(), c.dropped());
  }

  @Test
  void markersSpanTheirBrackets() {
    String text = "a [x] b [img-1]";
    Citations c = parser.parse(text);
    for (Citations.Marker m : c.markers()) {
      assertEquals('[', text.charAt(m.start()));
      assertEquals(']', text.charAt(m.end() - 1));
    }
  }

  /** Random texts of known and unknown citations: every id lands in exactly one list. */
  @Test
  void randomTextsAccountForEveryCitation() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<String> known = List.of("a1", "b-2", "c.3", "d 4");
    CitationParser p = new CitationParser(Set.copyOf(known));
    for (int round = 0; round < 200; round++) {
      StringBuilder sb = new StringBuilder();
      LinkedHashSet<String> expectCited = new LinkedHashSet<>();
      LinkedHashSet<String> expectDropped = new LinkedHashSet<>();
      int n = r.nextInt(6);
      for (int i = 0; i < n; i++) {
        sb.append("word").append(r.nextInt(100)).append(' ');
        if (r.nextBoolean()) {
          String id = known.get(r.nextInt(known.size()));
          sb.append('[').append(id).append(']');
          expectCited.add(id);
        } else {
          String id = "u" + r.nextInt(5);
          sb.append('[').append(id).append(']');
          expectDropped.add(id);
        }
        sb.append(r.nextBoolean() ? ". " : " ");
      }
      Citations c = p.parse(sb.toString());
      assertEquals(new ArrayList<>(expectCited), c.cited(), "seed " + seed + ": " + sb);
      assertEquals(new ArrayList<>(expectDropped), c.dropped(), "seed " + seed + ": " + sb);
      assertTrue(c.cited().stream().noneMatch(c.dropped()::contains), "seed " + seed);
    }
  }
}
