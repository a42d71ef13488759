package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.lucene.index.IndexWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values Lucene indexes as single terms (keyword metadata, the modality) are limited to {@link
 * IndexWriter#MAX_TERM_LENGTH} UTF-8 bytes. A longer one must reject its whole batch before
 * anything is written, instead of failing inside the IndexWriter after the items before it were
 * added. Analyzed text has no such limit: its tokenizer cuts long words.
 */
class ImmenseTermTest {
  static final int LIMIT = IndexWriter.MAX_TERM_LENGTH;

  @TempDir Path data;
  LuceneBackend backend;

  @BeforeEach
  void setUp() {
    backend = new LuceneBackend(data);
    backend.createCollection(
        new CollectionConfig(
            "c",
            Map.of("e", SpaceConfig.of("e", 4, Similarity.COSINE)),
            Map.of("colour", FieldType.KEYWORD)));
    backend.upsert(
        "c",
        List.of(
            Item.builder("existing", "image")
                .vector("e", new float[] {1, 0, 0, 0})
                .meta("colour", "red")
                .build()));
    backend.commit("c");
  }

  @AfterEach
  void tearDown() throws Exception {
    backend.close();
  }

  static Item good(String id) {
    return Item.builder(id, "image")
        .vector("e", new float[] {0, 1, 0, 0})
        .meta("colour", "blue")
        .meta("tags", List.of("a", "b"))
        .build();
  }

  static Item withMeta(String id, String field, Object value) {
    return Item.builder(id, "image")
        .vector("e", new float[] {0, 0, 1, 0})
        .meta(field, value)
        .build();
  }

  /**
   * Upserts [g1, g2, bad, g3] and checks the message, that no item of the batch is there (before
   * and after a commit, and after a reopen), that the collection's schema is unchanged, and that
   * the good items go in fine afterwards.
   */
  private IllegalArgumentException rejectsBatch(Supplier<Item> bad, String... messageParts)
      throws Exception {
    Path collectionFile = data.resolve("collections/c").resolve(CollectionFile.NAME);
    String schemaBefore = Files.readString(collectionFile);
    Item badItem = bad.get();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.upsert("c", List.of(good("g1"), good("g2"), badItem, good("g3"))));
    for (String part : messageParts) {
      assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks " + part);
    }
    assertTrue(e.getMessage().length() < 1000, "the message echoes the whole value");
    assertBatchAbsent(badItem.id());
    backend.commit("c");
    assertBatchAbsent(badItem.id());
    assertEquals(schemaBefore, Files.readString(collectionFile), "a rejected batch changed it");
    backend.close();
    backend = new LuceneBackend(data);
    assertBatchAbsent(badItem.id());

    assertEquals(3, backend.upsert("c", List.of(good("g1"), good("g2"), good("g3"))));
    backend.commit("c");
    assertEquals(4, backend.describe("c").count());
    assertEquals(
        List.of("g1", "g2", "g3"),
        ids(
            backend.knn(
                "c",
                KnnQuery.of("e", new float[] {0, 1, 0, 0}, 10)
                    .withFilter(Filter.term("colour", "blue")))));
    backend.delete("c", List.of("g1", "g2", "g3"));
    backend.commit("c");
    return e;
  }

  private void assertBatchAbsent(String badId) {
    backend.refresh("c");
    assertEquals(1, backend.describe("c").count(), "a rejected batch left items behind");
    for (String id : List.of("g1", "g2", "g3")) {
      assertTrue(backend.get("c", id).isEmpty(), id + " of a rejected batch is visible");
    }
    if (!badId.equals("existing")) {
      assertTrue(backend.get("c", badId).isEmpty(), badId);
    }
    Item existing = backend.get("c", "existing").orElseThrow();
    assertEquals(Map.of("colour", "red"), existing.metadata(), "the old version was touched");
    assertEquals("image", existing.modality());
  }

  private static List<String> ids(dev.bindery.indexer.SearchResult r) {
    return r.hits().stream().map(Hit::id).sorted().toList();
  }

  @Test
  void anImmenseInferredKeywordRejectsTheBatch() throws Exception {
    rejectsBatch(
        () -> withMeta("bad", "notes", "x".repeat(40_000)),
        "item 'bad'",
        "metadata field 'notes'",
        "40,000 UTF-8 bytes",
        "32,766");
  }

  @Test
  void anImmenseDeclaredKeywordInAListRejectsTheBatch() throws Exception {
    rejectsBatch(
        () -> withMeta("bad", "colour", List.of("red", "y".repeat(LIMIT + 1))),
        "item 'bad'",
        "metadata field 'colour'",
        "32,767 UTF-8 bytes");
  }

  @Test
  void theLimitIsInUtf8BytesNotCharacters() throws Exception {
    // 16,384 two-byte characters: far fewer characters than the limit, 32,768 bytes.
    String accents = "\u00e9".repeat(16_384);
    rejectsBatch(() -> withMeta("bad", "notes", accents), "item 'bad'", "32,768 UTF-8 bytes");
    // Four-byte characters (surrogate pairs in Java) count four bytes each.
    String emoji = "\uD83D\uDE00".repeat(LIMIT / 4 + 1);
    rejectsBatch(() -> withMeta("bad", "notes", emoji), "item 'bad'", "32,768 UTF-8 bytes");
  }

  @Test
  void replacingAnItemWithAnImmenseValueKeepsTheOldVersion() throws Exception {
    rejectsBatch(
        () -> withMeta("existing", "colour", "z".repeat(50_000)),
        "item 'existing'",
        "metadata field 'colour'");
  }

  @Test
  void anImmenseModalityRejectsTheBatch() throws Exception {
    rejectsBatch(
        () -> Item.builder("bad", "m".repeat(40_000)).vector("e", new float[] {1, 1, 0, 0}).build(),
        "item 'bad'",
        "modality",
        "40,000 UTF-8 bytes");
  }

  @Test
  void aKeywordOfExactlyTheLimitIsStoredAndFiltered() {
    String longest = "k".repeat(LIMIT);
    backend.upsert("c", List.of(withMeta("long", "colour", longest), good("g1")));
    backend.commit("c");
    assertEquals(longest, backend.get("c", "long").orElseThrow().metadata().get("colour"));
    assertEquals(
        List.of("long"),
        ids(
            backend.knn(
                "c",
                KnnQuery.of("e", new float[] {0, 0, 1, 0}, 10)
                    .withFilter(Filter.term("colour", longest)))));
    // A filter value longer than any stored term matches nothing; it is not an error.
    assertEquals(
        List.of(),
        ids(
            backend.knn(
                "c",
                KnnQuery.of("e", new float[] {0, 0, 1, 0}, 10)
                    .withFilter(Filter.term("colour", longest + "k")))));
  }

  @Test
  void anImmenseWordInTextIsIndexedAndTheRestStaysSearchable() throws Exception {
    // One 40,000-character "word" (and one of 80,000 UTF-8 bytes): the analyzer's tokenizer cuts
    // words at 255 characters, so no term comes near Lucene's limit and the batch is written.
    String word = "w".repeat(40_000);
    String accents = "\u00e9".repeat(40_000);
    Item big =
        Item.builder("big", "text")
            .vector("e", new float[] {1, 1, 1, 0})
            .text("caption", "a green frog " + word + " sits " + accents)
            .segment(new Segment(0, 1, "swamp " + word, Map.of("e", new float[] {1, 0, 1, 0})))
            .build();
    assertEquals(3, backend.upsert("c", List.of(good("g1"), big, good("g2"))));
    backend.commit("c");
    assertEquals(4, backend.describe("c").count());
    assertEquals(big.text(), backend.get("c", "big").orElseThrow().text());
    assertEquals(
        List.of("big"),
        ids(backend.text("c", new TextQuery("frog", List.of("caption"), 10, null))));
    assertEquals(List.of("big"), ids(backend.text("c", TextQuery.of("swamp", 10))));
    // The first 255 characters of the long word are a term of their own.
    assertEquals(List.of("big"), ids(backend.text("c", TextQuery.of("w".repeat(255), 10))));
    backend.close();
    backend = new LuceneBackend(data);
    assertEquals(List.of("big"), ids(backend.text("c", TextQuery.of("frog", 10))));
    assertFalse(backend.get("c", "g2").isEmpty());
  }
}
