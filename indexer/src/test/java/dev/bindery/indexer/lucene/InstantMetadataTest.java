package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Instant} metadata values (the one date type inference accepts) are indexed as dates,
 * stored as their ISO-8601 text, filterable and kept across a reopen. Date types that are not
 * supported, and instants outside what the index can hold, reject their batch up front.
 */
class InstantMetadataTest {
  static final Instant SHOT = Instant.parse("2024-05-01T10:00:00Z");

  @TempDir Path data;
  LuceneBackend backend;

  @BeforeEach
  void setUp() {
    backend = new LuceneBackend(data);
    backend.createCollection(
        new CollectionConfig(
            "c",
            Map.of("e", SpaceConfig.of("e", 4, Similarity.COSINE)),
            Map.of("taken", FieldType.DATE)));
    backend.upsert("c", List.of(item("existing", "taken", "2020-01-01")));
    backend.commit("c");
  }

  @AfterEach
  void tearDown() throws Exception {
    backend.close();
  }

  static Item item(String id, String field, Object value) {
    return Item.builder(id, "image")
        .vector("e", new float[] {1, 0, 0, 0})
        .meta(field, value)
        .build();
  }

  private List<String> matching(Filter f) {
    SearchResult r = backend.knn("c", KnnQuery.of("e", new float[] {1, 0, 0, 0}, 50).withFilter(f));
    return r.hits().stream().map(Hit::id).sorted().toList();
  }

  private void reopen() throws Exception {
    backend.close();
    backend = new LuceneBackend(data);
  }

  @Test
  void anInferredInstantFieldRoundTrips() throws Exception {
    Instant later = SHOT.plusSeconds(3600);
    backend.upsert(
        "c",
        List.of(
            item("g1", "note", "first"),
            item("i1", "shot", SHOT),
            item("i2", "shot", List.of(SHOT.minusSeconds(86_400), later))));
    backend.commit("c");
    for (int pass = 0; pass < 2; pass++) {
      assertEquals(FieldType.DATE, backend.describe("c").config().fields().get("shot"));
      assertEquals(4, backend.describe("c").count());
      // Stored as the ISO-8601 text, which date fields and filters take back.
      assertEquals(
          Map.of("shot", "2024-05-01T10:00:00Z"), backend.get("c", "i1").orElseThrow().metadata());
      assertEquals(
          Map.of("shot", List.of("2024-04-30T10:00:00Z", "2024-05-01T11:00:00Z")),
          backend.get("c", "i2").orElseThrow().metadata());
      assertEquals(List.of("i1"), matching(Filter.term("shot", SHOT)));
      assertEquals(List.of("i1"), matching(Filter.term("shot", "2024-05-01T10:00:00Z")));
      assertEquals(List.of("i1", "i2"), matching(Filter.range("shot", SHOT, null)));
      assertEquals(List.of("i2"), matching(Filter.range("shot", "2024-05-01T10:30:00Z", null)));
      assertEquals(List.of("i2"), matching(Filter.range("shot", null, "2024-04-30T23:59:59Z")));
      Hit hit =
          backend
              .knn(
                  "c",
                  KnnQuery.of("e", new float[] {1, 0, 0, 0}, 50)
                      .withFilter(Filter.term("shot", later)))
              .hits()
              .get(0);
      assertEquals("i2", hit.id());
      assertEquals(
          List.of("2024-04-30T10:00:00Z", "2024-05-01T11:00:00Z"), hit.metadata().get("shot"));
      reopen();
    }
    // What get returns can be written back as it is.
    Item back = backend.get("c", "i1").orElseThrow();
    backend.upsert("c", List.of(back));
    backend.commit("c");
    ItemAssertions.assertSameItem(back, backend.get("c", "i1").orElseThrow(), "re-upsert");
    assertEquals(List.of("i1"), matching(Filter.term("shot", SHOT)));
  }

  @Test
  void aDeclaredDateFieldTakesInstantsWithTheirFullPrecision() throws Exception {
    Instant precise = Instant.parse("2011-06-01T08:30:15.123456789Z");
    backend.upsert("c", List.of(item("p", "taken", precise), item("q", "taken", "2011-06-02")));
    backend.commit("c");
    reopen();
    assertEquals(
        "2011-06-01T08:30:15.123456789Z",
        backend.get("c", "p").orElseThrow().metadata().get("taken"));
    // The index compares milliseconds.
    assertEquals(List.of("p"), matching(Filter.term("taken", "2011-06-01T08:30:15.123Z")));
    assertEquals(List.of("p", "q"), matching(Filter.range("taken", "2011-01-01", "2011-12-31")));
    assertEquals(List.of("existing"), matching(Filter.range("taken", "2019-12-31", null)));
  }

  /** [g1, bad, g2]: the message names the item and field, and nothing of the batch remains. */
  private IllegalArgumentException rejects(Item bad, String... parts) throws Exception {
    Path collectionFile = data.resolve("collections/c").resolve(CollectionFile.NAME);
    String schemaBefore = Files.readString(collectionFile);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.upsert("c", List.of(item("g1", "note", "x"), bad, item("g2", "n", 1L))));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks " + p);
    }
    backend.commit("c");
    reopen();
    assertEquals(1, backend.describe("c").count(), "a rejected batch left items behind");
    for (String id : List.of("g1", "g2", bad.id())) {
      assertTrue(backend.get("c", id).isEmpty(), id);
    }
    assertEquals(schemaBefore, Files.readString(collectionFile), "a rejected batch changed it");
    assertEquals(
        2, backend.upsert("c", List.of(item("g1", "note", "x"), item("g2", "taken", SHOT))));
    backend.commit("c");
    assertEquals(3, backend.describe("c").count());
    assertEquals(List.of("g2"), matching(Filter.term("taken", SHOT)));
    backend.delete("c", List.of("g1", "g2"));
    backend.commit("c");
    return e;
  }

  @Test
  void instantsTheIndexCannotHoldAreRejectedUpFront() throws Exception {
    rejects(item("bad", "shot", Instant.MAX), "item 'bad'", "metadata field 'shot'", "range");
    rejects(
        item("bad", "taken", List.of(SHOT, Instant.MIN)),
        "item 'bad'",
        "metadata field 'taken'",
        "range");
    rejects(
        item("bad", "taken", "+1000000000-01-01T00:00:00Z"),
        "item 'bad'",
        "metadata field 'taken'",
        "range");
  }

  @Test
  void otherDateTypesAreRejectedUpFrontWithTheItemAndField() throws Exception {
    rejects(
        item("bad", "day", LocalDate.of(2024, 5, 1)),
        "item 'bad'",
        "metadata field 'day'",
        "LocalDate",
        "Instant");
    rejects(
        item("bad", "when", ZonedDateTime.parse("2024-05-01T10:00:00+02:00[Europe/Paris]")),
        "item 'bad'",
        "metadata field 'when'",
        "ZonedDateTime");
    rejects(item("bad", "taken", new Date(0)), "item 'bad'", "metadata field 'taken'", "Date");
    rejects(
        item("bad", "taken", List.of(SHOT, LocalDate.of(2024, 5, 1))),
        "item 'bad'",
        "metadata field 'taken'",
        "LocalDate");
  }
}
