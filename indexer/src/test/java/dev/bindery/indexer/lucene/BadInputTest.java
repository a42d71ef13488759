package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input is rejected with a message that names the input and the reason, and a rejected
 * batch writes nothing: the good items before the bad one are not there either.
 */
class BadInputTest {
  @TempDir Path data;
  LuceneBackend backend;

  @BeforeEach
  void setUp() {
    backend = new LuceneBackend(data);
    backend.createCollection(
        new CollectionConfig(
            "c",
            Map.of(
                "e", SpaceConfig.of("e", 4, Similarity.COSINE),
                "d", SpaceConfig.of("d", 2, Similarity.DOT_PRODUCT)),
            Map.of("year", dev.bindery.indexer.FieldType.LONG)));
    backend.upsert("c", List.of(good("existing")));
    backend.putFilterSet("c", "tenant", List.of("existing"));
    backend.commit("c");
  }

  @AfterEach
  void tearDown() throws Exception {
    backend.close();
  }

  static Item good(String id) {
    return Item.builder(id, "image")
        .vector("e", new float[] {1, 0, 0, 0})
        .meta("year", 2020L)
        .build();
  }

  /** Runs a batch of [good, good, bad] and checks the error and that nothing was written. */
  private void rejectsBatch(Supplier<Item> bad, String... messageParts) throws Exception {
    List<String> filesBefore = listing();
    String schemaBefore = Files.readString(collectionFile());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.upsert("c", List.of(good("g1"), good("g2"), bad.get())));
    for (String part : messageParts) {
      assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks " + part);
    }
    assertNothingWritten();
    backend.commit("c");
    assertNothingWritten();
    assertEquals(schemaBefore, Files.readString(collectionFile()), "schema changed");
    assertTrue(listing().containsAll(List.of(CollectionFile.NAME)), filesBefore.toString());
  }

  private void assertNothingWritten() {
    backend.refresh("c");
    assertEquals(1, backend.describe("c").count(), "a rejected batch left items behind");
    assertTrue(backend.get("c", "g1").isEmpty());
    assertTrue(backend.get("c", "g2").isEmpty());
    assertTrue(backend.get("c", "existing").isPresent());
  }

  private Path collectionFile() {
    return data.resolve("collections/c").resolve(CollectionFile.NAME);
  }

  private List<String> listing() throws Exception {
    try (Stream<Path> s = Files.list(data.resolve("collections/c"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void wrongDimension() throws Exception {
    rejectsBatch(
        () -> Item.builder("bad", "image").vector("e", new float[] {1, 2, 3}).build(),
        "item 'bad'",
        "dimension 3",
        "space 'e' has dimension 4");
  }

  @Test
  void nanAndInfinity() throws Exception {
    rejectsBatch(
        () -> Item.builder("bad", "image").vector("e", new float[] {1, Float.NaN, 0, 0}).build(),
        "item 'bad'",
        "non-finite",
        "[1] = NaN");
    rejectsBatch(
        () ->
            Item.builder("bad", "image")
                .vector("e", new float[] {1, 0, Float.POSITIVE_INFINITY, 0})
                .build(),
        "[2] = Infinity");
  }

  @Test
  void nanInsideASegment() throws Exception {
    rejectsBatch(
        () ->
            Item.builder("bad", "video")
                .segment(Segment.of(0, 1, Map.of("e", new float[] {1, 0, 0, 0})))
                .segment(Segment.of(1, 2, Map.of("e", new float[] {Float.NaN, 0, 0, 0})))
                .build(),
        "item 'bad' segment #1",
        "non-finite");
  }

  @Test
  void zeroVectorUnderCosine() throws Exception {
    rejectsBatch(
        () -> Item.builder("bad", "image").vector("e", new float[4]).build(),
        "item 'bad'",
        "zero vector");
  }

  @Test
  void nonUnitVectorUnderDotProduct() throws Exception {
    rejectsBatch(
        () -> Item.builder("bad", "image").vector("d", new float[] {3, 4}).build(),
        "item 'bad'",
        "L2 norm 5.0",
        "unit vectors");
  }

  @Test
  void unknownSpace() throws Exception {
    rejectsBatch(
        () -> Item.builder("bad", "image").vector("nope", new float[] {1, 0, 0, 0}).build(),
        "unknown space 'nope'",
        "[d, e]");
  }

  @Test
  void duplicateIdInOneBatch() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.upsert("c", List.of(good("g1"), good("g2"), good("g1"))));
    assertTrue(e.getMessage().contains("duplicate id 'g1'"), e.getMessage());
    assertTrue(e.getMessage().contains("#0 and #2"), e.getMessage());
    assertNothingWritten();
  }

  @Test
  void emptyAndOversizedIds() {
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> good(""));
    assertTrue(empty.getMessage().contains("must not be empty"));
    IllegalArgumentException blank =
        assertThrows(IllegalArgumentException.class, () -> good("   "));
    assertTrue(blank.getMessage().contains("must not be empty"));
    IllegalArgumentException big =
        assertThrows(IllegalArgumentException.class, () -> good("x".repeat(513)));
    assertTrue(big.getMessage().contains("too long: 513"), big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> good("a\u0000b"));
    assertNothingWritten();
  }

  @Test
  void metadataOfTheWrongType() throws Exception {
    rejectsBatch(
        () ->
            Item.builder("bad", "image")
                .vector("e", new float[] {1, 0, 0, 0})
                .meta("year", "last year")
                .build(),
        "item 'bad'",
        "'year' is of type long",
        "last year");
    // An inferred field keeps its first type: a later batch of another type is rejected whole.
    backend.upsert(
        "c",
        List.of(
            Item.builder("k1", "image")
                .vector("e", new float[] {0, 1, 0, 0})
                .meta("tag", "x")
                .build()));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                backend.upsert(
                    "c",
                    List.of(
                        good("g1"),
                        Item.builder("k2", "image")
                            .vector("e", new float[] {0, 1, 0, 0})
                            .meta("tag", 5L)
                            .build())));
    assertTrue(e.getMessage().contains("'tag' is of type keyword"), e.getMessage());
    backend.refresh("c");
    assertTrue(backend.get("c", "g1").isEmpty());
    assertTrue(backend.get("c", "k2").isEmpty());
    assertEquals(2, backend.describe("c").count());
  }

  @Test
  void badDateIsRejected() {
    backend.createCollection(
        new CollectionConfig(
            "dated",
            Map.of("e", SpaceConfig.of("e", 4, Similarity.COSINE)),
            Map.of("taken", dev.bindery.indexer.FieldType.DATE)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                backend.upsert(
                    "dated",
                    List.of(
                        Item.builder("a", "image")
                            .vector("e", new float[] {1, 0, 0, 0})
                            .meta("taken", "yesterday")
                            .build())));
    assertTrue(e.getMessage().contains("ISO-8601"), e.getMessage());
    backend.refresh("dated");
    assertEquals(0, backend.describe("dated").count());
  }

  @Test
  void unknownCollection() {
    CollectionNotFoundException e =
        assertThrows(
            CollectionNotFoundException.class, () -> backend.upsert("nope", List.of(good("a"))));
    assertTrue(e.getMessage().contains("unknown collection 'nope'"), e.getMessage());
    assertTrue(e.getMessage().contains("[c]"), e.getMessage());
    assertFalse(Files.exists(data.resolve("collections/nope")), "nothing may be created");
    assertThrows(CollectionNotFoundException.class, () -> backend.describe("nope"));
  }

  @Test
  void badCollectionNamesCannotEscapeTheDataDirectory() {
    for (String name : List.of("../evil", "a/b", ".hidden", "", "x".repeat(65))) {
      assertThrows(
          IllegalArgumentException.class,
          () ->
              backend.createCollection(
                  CollectionConfig.of(name, SpaceConfig.of("e", 4, Similarity.COSINE))),
          name);
    }
    assertEquals(List.of("c"), backend.listCollections());
    assertFalse(Files.exists(data.resolve("evil")));
  }

  @Test
  void duplicateCollection() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                backend.createCollection(
                    CollectionConfig.of("c", SpaceConfig.of("e", 8, Similarity.L2))));
    assertTrue(e.getMessage().contains("already exists"));
    assertEquals(4, backend.describe("c").config().space("e").dim(), "original kept");
  }

  @Test
  void badQueries() {
    assertRejects(() -> backend.knn("c", KnnQuery.of("e", new float[] {1, 2}, 5)), "dimension 2");
    assertRejects(
        () -> backend.knn("c", KnnQuery.of("e", new float[] {Float.NaN, 0, 0, 0}, 5)),
        "non-finite");
    assertRejects(() -> backend.knn("c", KnnQuery.of("e", new float[4], 5)), "zero vector");
    assertRejects(
        () -> backend.knn("c", KnnQuery.of("zz", new float[] {1, 0, 0, 0}, 5)),
        "unknown space 'zz'");
    assertRejects(
        () ->
            backend.knn(
                "c",
                KnnQuery.of("e", new float[] {1, 0, 0, 0}, 5)
                    .withFilter(Filter.term("colour", "red"))),
        "unknown metadata field 'colour'");
    assertRejects(
        () ->
            backend.knn(
                "c",
                KnnQuery.of("e", new float[] {1, 0, 0, 0}, 5)
                    .withFilter(Filter.term("year", "soon"))),
        "'year' is of type long");
    assertRejects(
        () ->
            backend.knn(
                "c", KnnQuery.of("e", new float[] {1, 0, 0, 0}, 5).withFilter(Filter.set("ghost"))),
        "unknown filter set 'ghost'",
        "[tenant]");
    assertRejects(() -> KnnQuery.of("e", new float[] {1, 0, 0, 0}, 0), "k must be in");
  }

  @Test
  void filterSetWithUnknownIdsLeavesTheSetUnchanged() {
    assertRejects(
        () -> backend.putFilterSet("c", "tenant", List.of("existing", "ghost-1", "ghost-2")),
        "2 id(s) not in collection 'c'",
        "ghost-1");
    var r =
        backend.knn(
            "c", KnnQuery.of("e", new float[] {1, 0, 0, 0}, 5).withFilter(Filter.set("tenant")));
    assertEquals(List.of("existing"), r.hits().stream().map(h -> h.id()).toList());
  }

  private static void assertRejects(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks " + p);
    }
  }
}
