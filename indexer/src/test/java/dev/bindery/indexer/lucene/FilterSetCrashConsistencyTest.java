package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * A filter set (a tenant, an ACL) must never name an item that was not put into it, not even after
 * a crash. Here a writer upserts new items and puts each into a filter set while commits run; the
 * test takes what {@code kill -9} right after a returned commit would leave (the files of the
 * latest Lucene commit, {@code collection.json} and {@code filtersets.bin}, which only commit
 * writes), opens that copy and adds new items.
 *
 * <p>{@code commit()} records the next ordinal before the Lucene commit but saves the filter sets
 * after it, so a set put while the commit runs can name an ordinal at or above the recorded one;
 * reopening therefore never hands out an ordinal that a saved set names.
 */
class FilterSetCrashConsistencyTest {
  static final String C = "acl";
  static final String SET = "latest";

  /** How long a wait for the writer may go without the progress it waits for. */
  static final long AWAIT_S = 300;

  static final int ROUNDS = 3;

  /** Writer operations between commits (operation-paced, not timed). */
  static final int OPS_PER_ROUND = 300;

  static final float[] VECTOR = {1, 2, 3, 4};

  @TempDir Path tmp;

  @Test
  void newItemsAfterACrashNeverInheritAFilterSetMembership() throws Exception {
    Path data = tmp.resolve("live");
    try (LuceneBackend backend = new LuceneBackend(data)) {
      backend.createCollection(CollectionConfig.of(C, SpaceConfig.of("e", 4, Similarity.COSINE)));
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger done = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer =
          Thread.ofPlatform()
              .name("writer")
              .start(
                  () -> {
                    try {
                      for (int i = 0; !stop.get(); i++) {
                        String id = "p" + i;
                        backend.upsert(C, List.of(item(id)));
                        backend.putFilterSet(C, SET, List.of(id));
                        done.incrementAndGet();
                      }
                    } catch (Throwable t) {
                      failure.set(t);
                    }
                  });
      try {
        for (int round = 1; round <= ROUNDS; round++) {
          // Paced by the writer's progress, not by time; a writer that dies ends the wait, and
          // the deadline turns a stuck one into a failure instead of a hung build.
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_S);
          while (done.get() < round * OPS_PER_ROUND && failure.get() == null && writer.isAlive()) {
            if (System.nanoTime() > deadline) {
              fail("writer stuck at " + done.get() + " operations in round " + round);
            }
            Thread.sleep(1);
          }
          assertEquals(null, failure.get(), "writer failed");
          backend.commit(C);
          Path crashed = tmp.resolve("crash" + round);
          copyCommittedState(data, crashed);
          checkNoInheritedMembership(crashed, "round " + round);
        }
      } finally {
        stop.set(true);
        writer.join(TimeUnit.SECONDS.toMillis(AWAIT_S));
        assertFalse(writer.isAlive(), "writer did not stop within " + AWAIT_S + " s");
      }
    }
  }

  /** What a crash right now leaves of the last commit: its index files and the side files. */
  private static void copyCommittedState(Path data, Path copy) throws IOException {
    Path from = data.resolve("collections").resolve(C);
    Path to = copy.resolve("collections").resolve(C);
    Path fromIndex = from.resolve(LuceneCollection.INDEX_DIR);
    Path toIndex = to.resolve(LuceneCollection.INDEX_DIR);
    Files.createDirectories(toIndex);
    try (FSDirectory dir = FSDirectory.open(fromIndex)) {
      // Files of the latest commit are never deleted while it is the latest: safe to copy live.
      for (String f : SegmentInfos.readLatestCommit(dir).files(true)) {
        Files.copy(fromIndex.resolve(f), toIndex.resolve(f));
      }
    }
    Files.copy(from.resolve(CollectionFile.NAME), to.resolve(CollectionFile.NAME));
    Files.copy(from.resolve(FilterSets.FILE), to.resolve(FilterSets.FILE));
  }

  private static void checkNoInheritedMembership(Path crashed, String at) throws IOException {
    Path dir = crashed.resolve("collections").resolve(C);
    RoaringBitmap saved = FilterSets.load(dir).get(SET).bitmap();
    try (LuceneBackend backend = new LuceneBackend(crashed)) {
      long count = backend.describe(C).count();
      List<String> before = members(backend);
      // Ordinals are handed out from 0, one per new item, so this many new items reach every
      // ordinal the saved set holds.
      int fresh = Math.max(1, (int) (saved.last() + 1 - count));
      List<Item> items = new ArrayList<>(fresh);
      for (int i = 0; i < fresh; i++) {
        items.add(item("fresh" + i));
      }
      backend.upsert(C, items);
      backend.refresh(C);
      List<String> after = members(backend);
      System.out.println(
          at
              + ": committed items "
              + count
              + ", saved set ordinals "
              + saved
              + ", members before "
              + before
              + ", after "
              + fresh
              + " new items "
              + after);
      assertEquals(
          before,
          after,
          at + ": new items joined filter set '" + SET + "' that nobody put them into");
    }
  }

  private static List<String> members(LuceneBackend backend) {
    return backend
        .knn(C, new KnnQuery("e", VECTOR, 100, Filter.set(SET), 0, SearchMode.EXACT, true))
        .hits()
        .stream()
        .map(Hit::id)
        .sorted()
        .toList();
  }

  private static Item item(String id) {
    return Item.builder(id, "doc").vector("e", VECTOR).build();
  }
}
