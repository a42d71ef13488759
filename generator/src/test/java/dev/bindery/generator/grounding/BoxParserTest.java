package dev.bindery.generator.grounding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BoxParserTest {
  private static final CitationParser CITES = new CitationParser(Set.of("a", "b"));
  private final BoxParser parser = new BoxParser();

  private BoxParser.Result parse(String text, boolean questionImage) {
    return parser.parse(text, CITES.parse(text), questionImage);
  }

  @Test
  void readsQwenVlBoxesAttachedToThePrecedingCitation() {
    String text =
        "The kite [a] <ref>a red kite</ref><box>(120,40),(560,610)</box> flies over a house [b]"
            + " <box>(0, 0), (999, 500)</box>.";
    BoxParser.Result r = parse(text, false);
    assertEquals(List.of(), r.malformed());
    assertEquals(2, r.regions().size());
    Region kite = r.regions().get(0);
    assertEquals(Region.Target.ITEM, kite.target());
    assertEquals("a", kite.itemId());
    assertEquals("a red kite", kite.label());
    assertEquals(0.12, kite.x1(), 1e-12);
    assertEquals(0.04, kite.y1(), 1e-12);
    assertEquals(0.56, kite.x2(), 1e-12);
    assertEquals(0.61, kite.y2(), 1e-12);
    assertFalse(kite.clamped());
    assertTrue(text.substring(kite.start(), kite.end()).startsWith("<ref>a red kite</ref>"));
    Region house = r.regions().get(1);
    assertEquals("b", house.itemId());
    assertNull(house.label());
    assertEquals(0.999, house.x2(), 1e-12);
  }

  @Test
  void readsQwen2VlTokens() {
    BoxParser.Result r =
        parse(
            "[b] <|object_ref_start|>the dog<|object_ref_end|><|box_start|>(10,20),(30,40)"
                + "<|box_end|>",
            false);
    assertEquals(1, r.regions().size());
    assertEquals("the dog", r.regions().get(0).label());
    assertEquals("b", r.regions().get(0).itemId());
    assertEquals(0.04, r.regions().get(0).y2(), 1e-12);
  }

  @Test
  void boxesWithoutACitationGoToTheQuestionImageOrNowhere() {
    String text = "<box>(100,100),(200,200)</box> then [a]";
    assertEquals(Region.Target.QUESTION_IMAGE, parse(text, true).regions().get(0).target());
    Region r = parse(text, false).regions().get(0);
    assertEquals(Region.Target.UNATTACHED, r.target());
    assertNull(r.itemId());
  }

  @Test
  void clampsOutOfRangeAndSwappedCorners() {
    BoxParser.Result r = parse("[a]<box>(1200,-5),(300.5,400)</box>", false);
    Region box = r.regions().get(0);
    assertTrue(box.clamped());
    assertEquals(0.3005, box.x1(), 1e-12);
    assertEquals(1.0, box.x2(), 1e-12);
    assertEquals(0.0, box.y1(), 1e-12);
    assertEquals(0.4, box.y2(), 1e-12);
  }

  @Test
  void reportsMalformedBoxesWithoutThrowing() {
    String text =
        "[a] <box>(1,2),(3)</box> ok <box>(5,5),(5,9)</box> and <box>(1,1),(2,2)</box>"
            + " and <box>(7,7),(8,8) never closed";
    BoxParser.Result r = parse(text, false);
    assertEquals(1, r.regions().size(), r.toString());
    assertEquals(3, r.malformed().size(), r.toString());
    assertTrue(r.malformed().get(0).reason().startsWith("expected (x1,y1),(x2,y2)"));
    assertEquals("the box has no area", r.malformed().get(1).reason());
    assertEquals("the box is never closed", r.malformed().get(2).reason());
    for (MalformedBox m : r.malformed()) {
      assertTrue(text.startsWith("<box>", m.start()), m.toString());
    }
  }
}
