package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers beside a writer: {@link LuceneBackend#readOnly} takes no lock and follows commits. */
class ReadOnlyBackendTest {
  private static final int DIM = 8;

  @TempDir Path dir;

  private static List<Item> items(int from, int to, Random r) {
    List<Item> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) r.nextGaussian();
      }
      out.add(Item.builder("item-" + i, "image").vector("e", v).meta("n", (long) i).build());
    }
    return out;
  }

  private static Set<String> ids(LuceneBackend b, Filter filter) {
    float[] q = new float[DIM];
    q[0] = 1;
    Set<String> out = new TreeSet<>();
    for (Hit h : b.knn("c", KnnQuery.of("e", q, 100).withFilter(filter)).hits()) {
      out.add(h.id());
    }
    return out;
  }

  @Test
  void searchesBesideTheWriterAndSeesWhatItCommits() throws Exception {
    Random r = new Random(7);
    try (LuceneBackend writer = new LuceneBackend(dir)) {
      writer.createCollection(
          CollectionConfig.of("c", SpaceConfig.of("e", DIM, Similarity.COSINE)));
      writer.upsert("c", items(0, 3, r));
      writer.commit("c");

      try (LuceneBackend reader = LuceneBackend.readOnly(dir)) {
        assertTrue(reader.isReadOnly());
        assertEquals(List.of("c"), reader.listCollections());
        assertEquals(3, reader.describe("c").count());
        assertEquals(Set.of("item-0", "item-1", "item-2"), ids(reader, null));

        // Written but not committed: invisible to the reader. Committed: visible after refresh.
        writer.upsert("c", items(3, 5, r));
        writer.refresh("c");
        reader.refresh("c");
        assertEquals(3, reader.describe("c").count());
        writer.putFilterSet("c", "odd", List.of("item-1", "item-3"));
        writer.commit("c");
        reader.refresh("c");
        assertEquals(5, reader.describe("c").count());
        assertEquals(Set.of("item-1", "item-3"), ids(reader, Filter.set("odd")));
        assertTrue(reader.get("c", "item-4").isPresent());

        // Every write is refused with a message that says why; nothing changes.
        IllegalStateException upsert =
            assertThrows(IllegalStateException.class, () -> reader.upsert("c", items(9, 10, r)));
        assertTrue(upsert.getMessage().contains("read-only"), upsert.getMessage());
        assertThrows(IllegalStateException.class, () -> reader.delete("c", List.of("item-0")));
        assertThrows(
            IllegalStateException.class, () -> reader.putFilterSet("c", "s", List.of("item-0")));
        assertThrows(IllegalStateException.class, () -> reader.deleteFilterSet("c", "odd"));
        IllegalStateException drop =
            assertThrows(IllegalStateException.class, () -> reader.dropCollection("c"));
        assertTrue(drop.getMessage().contains("read-only"), drop.getMessage());
        assertThrows(
            IllegalStateException.class,
            () ->
                reader.createCollection(
                    CollectionConfig.of("d", SpaceConfig.of("e", DIM, Similarity.COSINE))));
        assertFalse(Files.exists(dir.resolve("collections/d")));
        assertEquals(5, reader.describe("c").count());
      }

      // The reader held no lock: the writer goes on writing after the reader closes and before.
      writer.upsert("c", items(5, 6, r));
      writer.commit("c");
      assertEquals(6, writer.describe("c").count());
      assertFalse(writer.get("c", "item-9").isPresent());

      // A second writer is still refused, with the data directory and what to do instead.
      try (LuceneBackend second = new LuceneBackend(dir)) {
        IndexUnavailableException e =
            assertThrows(IndexUnavailableException.class, () -> second.describe("c"));
        assertTrue(e.getMessage().contains("is locked"), e.getMessage());
        assertTrue(e.getMessage().contains("POST /v1/collections/c/items"), e.getMessage());
      }
    }
  }

  @Test
  void aMissingDataDirectoryIsNotCreated() throws Exception {
    Path none = dir.resolve("none");
    try (LuceneBackend reader = LuceneBackend.readOnly(none)) {
      assertEquals(List.of(), reader.listCollections());
    }
    assertFalse(Files.exists(none));
  }
}
