package dev.bindery.generator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContextAssemblerTest {

  private static RetrievedItem item(String id, int rank, String text, Map<String, Object> meta) {
    return new RetrievedItem(
        id, rank, 1.0 / rank, 0.5, "image", "x.png", meta, Map.of("text", text), null);
  }

  @Test
  void labelsEachItemWithItsIdMetadataAndText() {
    AssembledContext ctx =
        new ContextAssembler(1000, 300)
            .assemble(
                List.of(
                    item(
                        "oc-1",
                        1,
                        "A red apple on a table.",
                        Map.of("category", "food", "keywords", List.of("apple", "fruit"))),
                    item("oc-2", 2, "A bicycle.", Map.of())));
    assertEquals(2, ctx.blocks().size());
    String first = ctx.blocks().get(0).text();
    assertTrue(first.startsWith("[oc-1] (image)\n"), first);
    assertTrue(first.contains("keywords: apple, fruit"), first);
    assertTrue(first.contains("category: food"), first);
    assertTrue(first.endsWith("A red apple on a table."), first);
    assertEquals("[oc-2] (image)\nA bicycle.", ctx.blocks().get(1).text());
    assertEquals(ContextAssembler.approxTokens(ctx.text()), ctx.approxTokens());
    assertEquals(List.of(), ctx.omittedIds());
  }

  /** Random items and budgets: the budget holds, order is kept, and every item is accounted for. */
  @Test
  void randomItemsRespectTheBudget() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int round = 0; round < 300; round++) {
      int budget = 16 + r.nextInt(400);
      int perItem = 16 + r.nextInt(200);
      List<RetrievedItem> items = new ArrayList<>();
      int n = r.nextInt(12);
      for (int i = 0; i < n; i++) {
        StringBuilder sb = new StringBuilder();
        int words = r.nextInt(300);
        for (int w = 0; w < words; w++) {
          sb.append("w").append(r.nextInt(1000)).append(r.nextInt(10) == 0 ? ". " : " ");
        }
        items.add(item("id" + i, i + 1, sb.toString(), Map.of("n", (long) i)));
      }
      AssembledContext ctx = new ContextAssembler(budget, perItem).assemble(items);
      String msg = "seed " + seed + " round " + round;
      assertTrue(ctx.text().length() <= budget * 4, msg);
      assertTrue(ctx.approxTokens() <= budget, msg);
      List<String> ids = new ArrayList<>();
      ctx.blocks().forEach(b -> ids.add(b.id()));
      ids.addAll(ctx.omittedIds());
      assertEquals(items.stream().map(RetrievedItem::id).toList(), ids, msg);
      for (ContextBlock b : ctx.blocks()) {
        assertTrue(b.text().length() <= perItem * 4, msg);
        assertTrue(b.text().startsWith("[" + b.id() + "] (image)"), msg);
        assertEquals(b.truncated(), b.text().endsWith("…"), msg + " " + b);
      }
    }
  }

  @Test
  void cutsAtAWordBoundary() {
    assertEquals("alpha beta…", ContextAssembler.cut("alpha beta gamma delta", 13));
    assertEquals("short", ContextAssembler.cut("short", 10));
    assertFalse(ContextAssembler.cut("x".repeat(50), 10).length() > 10);
  }
}
