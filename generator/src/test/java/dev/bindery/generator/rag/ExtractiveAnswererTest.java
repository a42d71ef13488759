package dev.bindery.generator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.generator.DeltaListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extractive answerer's rules on hand-made retrievals. */
class ExtractiveAnswererTest {

  private static RetrievedItem item(
      String id, int rank, Double sim, String text, Map<String, Object> meta) {
    return new RetrievedItem(
        id,
        rank,
        1.0 / rank,
        sim,
        "image",
        null,
        meta,
        text == null ? Map.of() : Map.of("text", text),
        null);
  }

  private static AnswerDraft ask(ExtractiveAnswerer a, String q, RetrievedItem... items) {
    return a.answer(new AnswerInput(q, null, List.of(items), false), DeltaListener.NONE);
  }

  @Test
  void votesOverListValuesWeightedBySimilarity() {
    ExtractiveAnswerer a = new ExtractiveAnswerer(0.3, 5);
    AnswerDraft d =
        ask(
            a,
            "Which keyword fits this picture?",
            item("a", 1, 0.9, null, Map.of("keywords", List.of("cat", "pet"))),
            item("b", 2, 0.5, null, Map.of("keywords", List.of("dog", "pet"))),
            item("c", 3, 0.45, null, Map.of("keywords", List.of("Dog"))),
            item("d", 4, 0.2, null, Map.of("keywords", List.of("dog", "dog", "dog"))));
    // pet 1.4 > dog 0.95 > cat 0.9; d is below the threshold and does not vote.
    assertEquals("pet [a] [b]", d.text());
    assertFalse(d.abstained());
    assertEquals(List.of("a", "b", "c"), d.context().itemIds());
    assertEquals(List.of("d"), d.context().omittedIds());
  }

  @Test
  void tiesGoAlphabeticallyAndAtMostThreeItemsAreCited() {
    List<RetrievedItem> items = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      items.add(item("i" + i, i, 0.5, null, Map.of("category", i % 2 == 0 ? "b-cat" : "a-cat")));
    }
    items.add(item("j", 6, 0.5, null, Map.of("category", "b-cat")));
    AnswerDraft d =
        new ExtractiveAnswerer(0.3, 6)
            .answer(new AnswerInput("What category?", null, items, false), DeltaListener.NONE);
    // a-cat 1.5 (i1, i3, i5) = b-cat 1.5 (i2, i4, j): alphabetical.
    assertEquals("a-cat [i1] [i3] [i5]", d.text());
  }

  @Test
  void picksTheSentenceSharingTheMostContentWords() {
    AnswerDraft d =
        ask(
            new ExtractiveAnswerer(),
            "What colour are the roses in the garden?",
            item("p", 1, 0.6, "The garden has a pond. Roses in the garden are red.", Map.of()),
            item("q", 2, 0.5, "Red roses grow everywhere in that garden", Map.of()));
    assertEquals("Roses in the garden are red. [p]", d.text());
  }

  @Test
  void withoutOverlapTheTopItemsFirstSentenceIsTheAnswer() {
    AnswerDraft d =
        ask(
            new ExtractiveAnswerer(),
            "Where does the kitten rest?",
            item("p", 1, 0.6, "A cat asleep on the sofa. Grey fur.", Map.of()),
            item("q", 2, 0.5, "Something else.", Map.of()));
    assertEquals("A cat asleep on the sofa. [p]", d.text());
  }

  @Test
  void abstainsWithoutEvidenceAndNeverCites() {
    ExtractiveAnswerer a = new ExtractiveAnswerer();
    AnswerDraft none = ask(a, "Anything?");
    assertTrue(none.abstained());
    assertEquals("I don't know: nothing in the collection matched the question.", none.text());
    AnswerDraft weak =
        ask(a, "Anything?", item("x", 1, 0.1, "x", Map.of()), item("y", 2, null, "y", Map.of()));
    assertTrue(weak.abstained());
    assertFalse(weak.text().contains("["), weak.text());
    assertTrue(weak.text().contains("'x', has similarity 0.100"), weak.text());
    List<String> streamed = new ArrayList<>();
    a.answer(new AnswerInput("q", null, List.of(), false), streamed::add);
    assertEquals(1, streamed.size());
  }

  @Test
  void validatesSettings() {
    assertThrows(IllegalArgumentException.class, () -> new ExtractiveAnswerer(1.5, 3));
    assertThrows(IllegalArgumentException.class, () -> new ExtractiveAnswerer(Double.NaN, 3));
    assertThrows(IllegalArgumentException.class, () -> new ExtractiveAnswerer(0.3, 0));
    assertEquals("berry", ExtractiveAnswerer.stem("berries"));
    assertEquals("box", ExtractiveAnswerer.stem("boxes"));
    assertEquals("glass", ExtractiveAnswerer.stem("glass"));
  }
}
