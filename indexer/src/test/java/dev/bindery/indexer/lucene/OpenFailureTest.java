package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collection that cannot be opened (locked, corrupt, emptied) fails with an {@link
 * IndexUnavailableException} that says where and why, and the failed open writes nothing: no file
 * is created, changed or removed, so the data can still be rescued. Each case then restores the
 * damaged file and shows that everything is still there.
 */
class OpenFailureTest {
  static final long SEED = 0x0FE11_2026L;
  static final String C = "docs";
  static final String SPACE = "e";
  static final int DIM = 16;
  static final int ITEMS = 200;

  @TempDir Path data;

  private Path collectionDir;
  private Path indexDir;

  @BeforeEach
  void paths() {
    collectionDir = data.resolve("collections").resolve(C);
    indexDir = collectionDir.resolve(LuceneCollection.INDEX_DIR);
    System.out.println("seed=" + SEED);
  }

  @Test
  void secondBackendOnAnOpenCollectionIsToldItIsLockedAndChangesNothing() throws IOException {
    try (LuceneBackend first = new LuceneBackend(data)) {
      createAndFill(first);
      Map<String, String> before = snapshot(data);

      try (LuceneBackend second = new LuceneBackend(data)) {
        IndexUnavailableException e =
            assertThrows(IndexUnavailableException.class, () -> second.describe(C));
        System.out.println("locked: " + e.getMessage());
        assertTrue(e.getMessage().contains("locked"), e.getMessage());
        assertTrue(e.getMessage().contains(indexDir.toString()), e.getMessage());
        // Every use of the collection is refused the same way, and a retry is no different.
        Item extra = item(ITEMS);
        IndexUnavailableException onWrite =
            assertThrows(IndexUnavailableException.class, () -> second.upsert(C, List.of(extra)));
        assertTrue(onWrite.getMessage().contains("locked"), onWrite.getMessage());
        assertThrows(IndexUnavailableException.class, () -> second.get(C, "0"));
        assertEquals(List.of(C), second.listCollections());
      }
      assertEquals(before, snapshot(data), "the refused backend changed files");

      // The first backend still owns the collection and works normally.
      first.upsert(C, List.of(item(ITEMS)));
      first.refresh(C);
      assertEquals(ITEMS + 1, first.describe(C).count());
      assertFoundByOwnVector(first, ITEMS);
      first.commit(C);
    }
    try (LuceneBackend reopened = new LuceneBackend(data)) {
      assertEquals(ITEMS + 1, reopened.describe(C).count());
    }
  }

  @Test
  void secondBackendCannotDropACollectionAnotherBackendHasOpen() throws IOException {
    try (LuceneBackend first = new LuceneBackend(data)) {
      createAndFill(first);
      Map<String, String> before = snapshot(data);
      try (LuceneBackend second = new LuceneBackend(data)) {
        IndexUnavailableException e =
            assertThrows(IndexUnavailableException.class, () -> second.dropCollection(C));
        assertTrue(e.getMessage().contains("locked"), e.getMessage());
      }
      assertEquals(before, snapshot(data), "the refused drop changed files");
      first.upsert(C, List.of(item(ITEMS)));
      first.commit(C);
      assertEquals(ITEMS + 1, first.describe(C).count());
    }
  }

  @Test
  void oneCollectionFailingToCloseDoesNotLeaveTheOthersUncommittedAndLocked() throws IOException {
    // "a" comes first in the backend's map of open collections, so it fails before the others
    // are reached.
    List<String> names = List.of("a", "b", "c", "d");
    LuceneBackend backend = new LuceneBackend(data);
    for (String name : names) {
      backend.createCollection(
          CollectionConfig.of(name, SpaceConfig.of(SPACE, DIM, Similarity.COSINE)));
      backend.upsert(name, List.of(item(0))); // not committed: close() is to commit it
    }
    // The disk under "a" goes away (an unmounted volume, an operator's rm -r).
    Path lost = data.resolve("collections").resolve("a").resolve(LuceneCollection.INDEX_DIR);
    try (Stream<Path> all = Files.walk(lost)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Exception e = assertThrows(Exception.class, backend::close);
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    try (LuceneBackend reopened = new LuceneBackend(data)) {
      for (String name : names.subList(1, names.size())) {
        assertEquals(1, reopened.describe(name).count(), name + " lost its write on close");
      }
    }
  }

  @Test
  void corruptSegmentsFileIsReportedWithItsPathAndLeftAsItIs() throws IOException {
    createFillAndClose();
    Path segments = segmentsFile();
    byte[] original = Files.readAllBytes(segments);
    byte[] garbage = new byte[original.length];
    new Random(SEED).nextBytes(garbage);
    Files.write(segments, garbage);
    Map<String, String> before = snapshot(data);

    try (LuceneBackend backend = new LuceneBackend(data)) {
      IndexUnavailableException e =
          assertThrows(IndexUnavailableException.class, () -> backend.describe(C));
      System.out.println("corrupt segments file: " + e.getMessage());
      assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
      assertTrue(e.getMessage().contains(indexDir.toString()), e.getMessage());
      // Not cached as half-open, not re-created on a second try.
      assertThrows(IndexUnavailableException.class, () -> backend.upsert(C, List.of(item(0))));
      assertEquals(List.of(C), backend.listCollections());
    }
    assertEquals(before, snapshot(data), "a failed open changed files");
    assertArrayEquals(garbage, Files.readAllBytes(segments));

    Files.write(segments, original);
    assertAllThere();
  }

  @Test
  void emptiedIndexDirectoryIsNotSilentlyReplacedByAnEmptyIndex() throws IOException {
    createFillAndClose();
    Map<Path, byte[]> saved = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(indexDir)) {
      for (Path f : files.toList()) {
        saved.put(f, Files.readAllBytes(f));
        Files.delete(f);
      }
    }
    Map<String, String> before = snapshot(data);

    try (LuceneBackend backend = new LuceneBackend(data)) {
      IndexUnavailableException e =
          assertThrows(IndexUnavailableException.class, () -> backend.describe(C));
      System.out.println("emptied index: " + e.getMessage());
      assertTrue(e.getMessage().contains("holds no Lucene commit"), e.getMessage());
      assertTrue(e.getMessage().contains(indexDir.toString()), e.getMessage());
      assertThrows(IndexUnavailableException.class, () -> backend.upsert(C, List.of(item(0))));
    }
    assertEquals(before, snapshot(data), "a failed open created files");
    try (Stream<Path> files = Files.list(indexDir)) {
      assertEquals(List.of(), files.toList());
    }

    for (Map.Entry<Path, byte[]> f : saved.entrySet()) {
      Files.write(f.getKey(), f.getValue());
    }
    assertAllThere();
  }

  @Test
  void garbageCollectionFileIsReportedByName() throws IOException {
    createFillAndClose();
    Path file = collectionDir.resolve(CollectionFile.NAME);
    byte[] original = Files.readAllBytes(file);
    Files.write(file, "{\"format\": 1, \"spaces\": [not json".getBytes());
    Map<String, String> before = snapshot(data);

    try (LuceneBackend backend = new LuceneBackend(data)) {
      IndexUnavailableException e =
          assertThrows(IndexUnavailableException.class, () -> backend.describe(C));
      System.out.println("garbage collection file: " + e.getMessage());
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertThrows(IndexUnavailableException.class, () -> backend.upsert(C, List.of(item(0))));
    }
    assertEquals(before, snapshot(data), "a failed open changed files");

    Files.write(file, original);
    assertAllThere();
  }

  @Test
  void truncatedFilterSetsFileIsReportedByName() throws IOException {
    createFillAndClose();
    Path file = collectionDir.resolve(FilterSets.FILE);
    byte[] original = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(original, original.length / 2));
    assertFilterSetsFileRejected(file, original);
  }

  @Test
  void filterSetsFileWithAFlippedBitIsReportedByName() throws IOException {
    createFillAndClose();
    Path file = collectionDir.resolve(FilterSets.FILE);
    byte[] original = Files.readAllBytes(file);
    byte[] flipped = original.clone();
    flipped[new Random(SEED).nextInt(flipped.length - 8)] ^= 0x10;
    Files.write(file, flipped);
    assertFilterSetsFileRejected(file, original);
  }

  private void assertFilterSetsFileRejected(Path file, byte[] original) throws IOException {
    Map<String, String> before = snapshot(data);
    try (LuceneBackend backend = new LuceneBackend(data)) {
      IndexUnavailableException e =
          assertThrows(IndexUnavailableException.class, () -> backend.describe(C));
      System.out.println("bad filter sets file: " + e.getMessage());
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
      // The index writer opened before the file was read must have been let go: a retry gets the
      // same answer, not "locked".
      IndexUnavailableException again =
          assertThrows(IndexUnavailableException.class, () -> backend.describe(C));
      assertTrue(again.getMessage().contains(file.toString()), again.getMessage());
    }
    assertEquals(before, snapshot(data), "a failed open changed files");

    Files.write(file, original);
    assertAllThere();
  }

  // ---------------------------------------------------------------- fixtures

  private void createFillAndClose() throws IOException {
    try (LuceneBackend backend = new LuceneBackend(data)) {
      createAndFill(backend);
    }
  }

  private static void createAndFill(LuceneBackend backend) {
    backend.createCollection(CollectionConfig.of(C, SpaceConfig.of(SPACE, DIM, Similarity.COSINE)));
    List<Item> items = new ArrayList<>();
    List<String> evens = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add(item(i));
      if (i % 2 == 0) {
        evens.add(Integer.toString(i));
      }
    }
    backend.upsert(C, items);
    backend.putFilterSet(C, "evens", evens);
    backend.commit(C);
  }

  /** Every 4th item is a multi-vector item; all content is a function of the seed and index. */
  static Item item(int i) {
    Random r = new Random(SEED * 1_000_003L + i);
    Item.Builder b = Item.builder(Integer.toString(i), "text").meta("i", (long) i);
    b.vector(SPACE, gaussian(r));
    if (i % 4 == 0) {
      b.segment(Segment.of(0, 1, Map.of(SPACE, gaussian(r))));
      b.segment(Segment.of(1, 2, Map.of(SPACE, gaussian(r))));
    }
    return b.build();
  }

  private static float[] gaussian(Random r) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) r.nextGaussian();
    }
    return v;
  }

  /** After the damage is undone, a fresh backend finds every item and the filter set. */
  private void assertAllThere() throws IOException {
    try (LuceneBackend backend = new LuceneBackend(data)) {
      assertEquals(ITEMS, backend.describe(C).count());
      for (int i = 0; i < ITEMS; i++) {
        ItemAssertions.assertSameItem(
            item(i), backend.get(C, Integer.toString(i)).orElseThrow(), "seed=" + SEED);
      }
      SearchResult evens =
          backend.knn(
              C,
              new KnnQuery(
                  SPACE,
                  item(0).vectors().get(SPACE),
                  ITEMS,
                  Filter.set("evens"),
                  0,
                  SearchMode.EXACT,
                  true));
      assertEquals(ITEMS / 2, evens.hits().size());
      evens.hits().forEach(h -> assertEquals(0, Integer.parseInt(h.id()) % 2, h.id()));
      assertFoundByOwnVector(backend, 7);
    }
  }

  private static void assertFoundByOwnVector(LuceneBackend backend, int i) {
    SearchResult r =
        backend.knn(
            C, KnnQuery.of(SPACE, item(i).vectors().get(SPACE), 1).withMode(SearchMode.EXACT));
    assertEquals(Integer.toString(i), r.hits().get(0).id());
  }

  private Path segmentsFile() throws IOException {
    try (Stream<Path> files = Files.list(indexDir)) {
      List<Path> segments =
          files.filter(f -> f.getFileName().toString().startsWith("segments_")).toList();
      assertEquals(1, segments.size(), "segments files: " + segments);
      return segments.get(0);
    }
  }

  /**
   * Every file and directory under {@code root}, with a hash of each file's bytes: equal snapshots
   * mean nothing was created, removed or rewritten.
   */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        String key = root.relativize(p).toString();
        if (Files.isDirectory(p)) {
          out.put(key + "/", "dir");
        } else {
          byte[] bytes = Files.readAllBytes(p);
          out.put(key, bytes.length + " bytes, sha256 " + sha256(bytes));
        }
      }
    }
    return out;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
