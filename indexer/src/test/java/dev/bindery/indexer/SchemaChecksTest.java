package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SchemaChecksTest {
  @Test
  void aTypeConflictIsUnprocessableAndNamesFieldAndBothTypes() {
    UnprocessableException e =
        assertThrows(
            UnprocessableException.class,
            () ->
                SchemaChecks.checkFieldTypes(
                    Map.of("year", FieldType.LONG),
                    Map.of("year", FieldType.KEYWORD, "tag", FieldType.KEYWORD)));
    assertEquals(
        "metadata field 'year' is of type long but the batch has keyword values;"
            + " nothing was written",
        e.getMessage());
    SchemaChecks.checkFieldTypes(
        Map.of("year", FieldType.LONG), Map.of("year", FieldType.LONG, "n", FieldType.DOUBLE));
    assertEquals(
        List.of("n"),
        SchemaChecks.unrecorded(
            Map.of("year", FieldType.LONG),
            new LinkedHashMap<>(Map.of("year", FieldType.LONG, "n", FieldType.DOUBLE))));
  }

  @Test
  void textFieldsAreCheckedOrAllSorted() {
    Set<String> known = Set.of("title", "body");
    assertEquals(
        List.of("body", "title"),
        SchemaChecks.textFields(new TextQuery("x", List.of(), 5, null), known, "c"));
    TextQuery named = new TextQuery("x", List.of("nope"), 5, null);
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> SchemaChecks.textFields(named, known, "c"));
    assertEquals(
        "unknown text field 'nope' in collection 'c'; it has [body, title]", e.getMessage());
    assertThrows(BadArgumentException.class, () -> SchemaChecks.textFields(named, Set.of(), "c"));
  }

  @Test
  void filterFieldsAndSetMembersNameWhatIsMissing() {
    CollectionConfig cfg =
        CollectionConfig.of("c", SpaceConfig.of("v", 2, Similarity.COSINE))
            .withField("year", FieldType.LONG);
    assertEquals(FieldType.LONG, SchemaChecks.filterFieldType(cfg, "year"));
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> SchemaChecks.filterFieldType(cfg, "x"));
    assertEquals(
        "filter names unknown metadata field 'x'; collection 'c' has [year]", e.getMessage());
    List<String> missing = IntStream.range(0, 12).mapToObj(i -> "m" + i).toList();
    e =
        assertThrows(
            BadArgumentException.class, () -> SchemaChecks.checkSetMembers("s", "c", missing));
    assertEquals(
        "filter set 's' names 12 id(s) not in collection 'c': "
            + missing.subList(0, 10)
            + " ...; the set was not changed",
        e.getMessage());
    SchemaChecks.checkSetMembers("s", "c", List.of());
  }

  @Test
  void aBatchWithANullOrARepeatedIdIsRefusedByPosition() {
    Item a = item("a");
    BadArgumentException e =
        assertThrows(
            BadArgumentException.class, () -> ItemChecks.checkBatch(Arrays.asList(a, null)));
    assertEquals("item #1 of the batch is null", e.getMessage());
    e =
        assertThrows(
            BadArgumentException.class, () -> ItemChecks.checkBatch(List.of(a, item("b"), a)));
    assertEquals(
        "duplicate id 'a' in one batch (items #0 and #2); nothing was written", e.getMessage());
    assertEquals(List.of("a"), ItemChecks.checkBatch(List.of(a)));
  }

  private static Item item(String id) {
    return Item.builder(id, "text").vector("v", new float[] {1f, 0f}).build();
  }

  @Test
  void scoresMapDotProductsToTheirCosine() {
    assertEquals(0.5f, Scores.userScore(Similarity.COSINE, 0.75f));
    assertEquals(0.75f, Scores.userScore(Similarity.L2, 0.75f));
    assertEquals("DOT_PRODUCT", Scores.luceneFunction(Similarity.DOT_PRODUCT));
    assertEquals("EUCLIDEAN", Scores.luceneFunction(Similarity.L2));
  }
}
