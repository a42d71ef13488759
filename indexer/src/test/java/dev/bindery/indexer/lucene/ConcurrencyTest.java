package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches while writing: 4 searcher threads run kNN (HNSW and exact, grouped and not, with and
 * without filters) while 2 writer threads upsert and delete and a third thread refreshes and
 * commits. Every thread runs a fixed number of operations. Item content is a pure function of (id,
 * version) and the version is in the metadata, so every hit and every {@code get} can be checked
 * against the item it claims to be; a hit mixing two versions of an item cannot pass.
 */
class ConcurrencyTest {
  static final long SEED = 0x5EA4C4_2026L;
  static final String C = "conc";
  static final String SPACE = "e";
  static final int DIM = 32;
  static final int IDS_PER_WRITER = 500;
  static final int INITIAL_PER_WRITER = 300;
  static final int SHARED = 8;
  static final int WRITERS = 2;
  static final int SEARCHERS = 4;
  static final int WRITER_OPS = 300;
  static final int SEARCHES = 250;

  /**
   * Writers are faster than searchers; a writer waits until every searcher is within this many
   * queries of the writer's own share of the work, so searches overlap writes from start to end
   * whatever the machine's speed. Searchers never wait, so this cannot deadlock.
   */
  static final int PACING_SLACK = 8;

  /** Every this many writer operations both writers upsert the same shared id at once. */
  static final int SHARED_EVERY = 10;

  /** The refresher refreshes after this many writer operations, and commits every 5th time. */
  static final int REFRESH_EVERY = 10;

  /** Liveness guard for barriers and joins; never a timing assertion. */
  static final long STALL_S = 120;

  @TempDir Path data;

  private final AtomicLong versions = new AtomicLong();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong hitsChecked = new AtomicLong();
  private final AtomicLong getsChecked = new AtomicLong();
  private final AtomicIntegerArray searchesDone = new AtomicIntegerArray(SEARCHERS);

  @Test
  void searchesStayConsistentWhileWritersUpsertDeleteRefreshAndCommit() throws Exception {
    String seed = "seed=" + SEED;
    System.out.println(seed);
    Map<String, Item> expected = new TreeMap<>();
    try (LuceneBackend backend = new LuceneBackend(data)) {
      backend.createCollection(
          CollectionConfig.of(C, SpaceConfig.of(SPACE, DIM, Similarity.COSINE)));

      // Initial state, single-threaded: each writer owns its ids, the shared ids belong to both.
      List<Map<String, Long>> models = new ArrayList<>();
      List<Item> initial = new ArrayList<>();
      Set<String> setIds = new HashSet<>();
      for (int w = 0; w < WRITERS; w++) {
        Map<String, Long> model = new HashMap<>();
        for (int i = 0; i < INITIAL_PER_WRITER; i++) {
          long v = versions.incrementAndGet();
          model.put(owned(w, i), v);
          initial.add(item(owned(w, i), v));
          if (i % 3 == 0) {
            setIds.add(owned(w, i));
          }
        }
        models.add(model);
      }
      Map<String, Long> sharedInitial = new HashMap<>();
      for (int j = 0; j < SHARED; j++) {
        long v = versions.incrementAndGet();
        sharedInitial.put(shared(j), v);
        initial.add(item(shared(j), v));
      }
      backend.upsert(C, initial);
      backend.putFilterSet(C, "initial", setIds);
      backend.commit(C);

      AtomicLongArray[] sharedLast = new AtomicLongArray[SHARED];
      for (int j = 0; j < SHARED; j++) {
        sharedLast[j] = new AtomicLongArray(WRITERS);
        for (int w = 0; w < WRITERS; w++) {
          sharedLast[j].set(w, sharedInitial.get(shared(j)));
        }
      }

      CountDownLatch start = new CountDownLatch(1);
      CyclicBarrier sharedRound = new CyclicBarrier(WRITERS);
      Semaphore writerOps = new Semaphore(0);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        threads.add(
            thread(
                "writer-" + w,
                start,
                () ->
                    write(
                        backend, writer, models.get(writer), sharedRound, sharedLast, writerOps)));
      }
      for (int t = 0; t < SEARCHERS; t++) {
        int searcher = t;
        threads.add(thread("searcher-" + t, start, () -> search(backend, searcher, setIds)));
      }
      threads.add(thread("refresher", start, () -> refreshAndCommit(backend, writerOps)));
      start.countDown();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(STALL_S * 4));
        if (t.isAlive()) {
          failures.add(new AssertionError(t.getName() + " is stuck"));
        }
      }
      if (!failures.isEmpty()) {
        AssertionError e =
            new AssertionError(
                seed + ": " + failures.size() + " thread failure(s)", failures.peek());
        failures.stream().skip(1).limit(10).forEach(e::addSuppressed);
        throw e;
      }

      System.out.println(
          seed + ": checked " + hitsChecked + " hits and " + getsChecked + " concurrent gets");

      // Quiescent: the final state is known exactly, except which writer won each shared id.
      backend.refresh(C);
      for (int w = 0; w < WRITERS; w++) {
        models.get(w).forEach((id, v) -> expected.put(id, item(id, v)));
        for (int i = 0; i < IDS_PER_WRITER; i++) {
          String id = owned(w, i);
          Optional<Item> got = backend.get(C, id);
          if (expected.containsKey(id)) {
            assertTrue(got.isPresent(), seed + ": live item " + id + " is missing");
            ItemAssertions.assertSameItem(expected.get(id), got.get(), seed);
          } else {
            assertTrue(got.isEmpty(), seed + ": deleted item " + id + " is back");
          }
        }
      }
      for (int j = 0; j < SHARED; j++) {
        Item got = backend.get(C, shared(j)).orElseThrow();
        long v = version(got);
        Set<Long> candidates = Set.of(sharedLast[j].get(0), sharedLast[j].get(1));
        assertTrue(
            candidates.contains(v),
            seed + ": " + shared(j) + " has version " + v + ", expected one of " + candidates);
        // One writer's version entirely: vectors, segments and metadata all of version v.
        ItemAssertions.assertSameItem(item(shared(j), v), got, seed + " (concurrent upserts)");
        expected.put(shared(j), got);
      }
      CollectionInfo info = backend.describe(C);
      assertEquals(expected.size(), info.count(), seed + ": live item count");
      assertEquals(
          expected.values().stream().mapToLong(Item::vectorDocCount).sum(),
          info.vectorCount(),
          seed + ": vector document count");

      Random r = new Random(SEED + 1);
      for (int q = 0; q < 12; q++) {
        float[] v = gaussian(r);
        Long bucket = q % 3 == 2 ? (long) r.nextInt(4) : null;
        int k = 1 + r.nextInt(25);
        compareWithBruteForce(backend, expected, v, k, true, bucket, seed + " q=" + q);
        compareWithBruteForce(backend, expected, v, k, false, bucket, seed + " q=" + q);
      }
    }
    // close() committed: the same state comes back from disk.
    try (LuceneBackend reopened = new LuceneBackend(data)) {
      assertEquals(expected.size(), reopened.describe(C).count(), seed + ": count after reopen");
      for (Item item : expected.values()) {
        ItemAssertions.assertSameItem(
            item, reopened.get(C, item.id()).orElseThrow(), seed + " after reopen");
      }
    }
  }

  // ---------------------------------------------------------------- threads

  private Thread thread(String name, CountDownLatch start, ThrowingRunnable body) {
    return Thread.ofPlatform()
        .name(name)
        .start(
            () -> {
              try {
                start.await();
                long t0 = System.nanoTime();
                body.run();
                // Reported, never asserted: shows how much the threads overlapped.
                System.out.println(
                    name + " done after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
              } catch (Throwable t) {
                failures.add(new AssertionError(name + " failed: " + t, t));
              }
            });
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void write(
      LuceneBackend backend,
      int w,
      Map<String, Long> model,
      CyclicBarrier sharedRound,
      AtomicLongArray[] sharedLast,
      Semaphore ops)
      throws Exception {
    Random r = new Random(SEED + 100 + w);
    for (int op = 0; op < WRITER_OPS; op++) {
      awaitSearchers(op);
      if (op % SHARED_EVERY == 0) {
        // Both writers leave the barrier together and upsert the same id.
        sharedRound.await(STALL_S, TimeUnit.SECONDS);
        int j = (op / SHARED_EVERY) % SHARED;
        long v = versions.incrementAndGet();
        backend.upsert(C, List.of(item(shared(j), v)));
        sharedLast[j].set(w, v);
      } else if (r.nextInt(10) < 7) {
        Set<String> ids = new LinkedHashSet<>();
        int n = 1 + r.nextInt(8);
        while (ids.size() < n) {
          ids.add(owned(w, r.nextInt(IDS_PER_WRITER)));
        }
        List<Item> batch = new ArrayList<>();
        for (String id : ids) {
          long v = versions.incrementAndGet();
          batch.add(item(id, v));
          model.put(id, v);
        }
        assertEquals(batch.size(), backend.upsert(C, batch), "upsert count");
      } else {
        Set<String> ids = new LinkedHashSet<>();
        int n = 1 + r.nextInt(4);
        while (ids.size() < n) {
          ids.add(owned(w, r.nextInt(IDS_PER_WRITER)));
        }
        int existed = (int) ids.stream().filter(model::containsKey).count();
        ids.forEach(model::remove);
        assertEquals(existed, backend.delete(C, ids), "delete of " + ids + " existed count");
      }
      ops.release();
    }
  }

  /** Blocks writer operation {@code op} until the searchers have done their share before it. */
  private void awaitSearchers(int op) throws InterruptedException {
    long target = (long) op * SEARCHES / WRITER_OPS - PACING_SLACK;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_S);
    while (failures.isEmpty() && minSearchesDone() < target) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("searchers stalled before writer operation " + op);
      }
      Thread.sleep(1);
    }
  }

  private int minSearchesDone() {
    int min = Integer.MAX_VALUE;
    for (int t = 0; t < SEARCHERS; t++) {
      min = Math.min(min, searchesDone.get(t));
    }
    return min;
  }

  private void refreshAndCommit(LuceneBackend backend, Semaphore writerOps) throws Exception {
    int cycles = WRITERS * WRITER_OPS / REFRESH_EVERY;
    for (int cycle = 0; cycle < cycles; cycle++) {
      if (!writerOps.tryAcquire(REFRESH_EVERY, STALL_S, TimeUnit.SECONDS)) {
        throw new AssertionError("writers stalled at refresh cycle " + cycle);
      }
      if (cycle % 5 == 4) {
        backend.commit(C);
      } else {
        backend.refresh(C);
      }
    }
  }

  private void search(LuceneBackend backend, int t, Set<String> setIds) {
    Random r = new Random(SEED + 200 + t);
    for (int q = 0; q < SEARCHES; q++) {
      float[] v = gaussian(r);
      SearchMode mode = q % 2 == 0 ? SearchMode.AUTO : SearchMode.EXACT;
      boolean group = (q / 2) % 2 == 0;
      long bucket = r.nextInt(4);
      int filterKind = (q / 4) % 4;
      Filter filter =
          switch (filterKind) {
            case 0 -> null;
            case 1 -> Filter.term("bucket", bucket);
            case 2 -> Filter.set("initial");
            default -> Filter.and(Filter.term("bucket", bucket), Filter.set("initial"));
          };
      int k = 1 + r.nextInt(20);
      KnnQuery query = new KnnQuery(SPACE, v, k, filter, 0, mode, group);
      String at = "searcher-" + t + " query " + q + " " + query;
      SearchResult res = backend.knn(C, query);
      assertTrue(res.hits().size() <= k, at + ": too many hits");
      if (mode == SearchMode.EXACT) {
        assertEquals(SearchResult.Strategy.EXACT, res.strategy(), at);
      }
      List<Hit> sorted = new ArrayList<>(res.hits());
      sorted.sort(Hit.RANKING);
      assertEquals(sorted, res.hits(), at + ": hits out of order");
      Map<String, Long> versionOf = new HashMap<>();
      for (Hit h : res.hits()) {
        long ver = ((Number) h.metadata().get("ver")).longValue();
        Long before = versionOf.putIfAbsent(h.id(), ver);
        if (group) {
          assertTrue(before == null, at + ": item " + h.id() + " returned twice");
        } else {
          assertTrue(
              before == null || before == ver,
              at + ": one result holds versions " + before + " and " + ver + " of " + h.id());
        }
        checkHit(h, v, ver, at, group && mode == SearchMode.EXACT);
        hitsChecked.incrementAndGet();
        if (filterKind == 1 || filterKind == 3) {
          assertEquals(bucket, h.metadata().get("bucket"), at + ": hit " + h.id());
        }
        if (filterKind >= 2) {
          assertTrue(setIds.contains(h.id()), at + ": hit " + h.id() + " is not in the set");
        }
      }
      if (q % 4 == 3) {
        // Whole-item reads race with the writers too: one version, never a mix.
        String id =
            q % 8 == 3
                ? shared(r.nextInt(SHARED))
                : owned(r.nextInt(WRITERS), r.nextInt(IDS_PER_WRITER));
        backend
            .get(C, id)
            .ifPresent(
                got -> {
                  ItemAssertions.assertSameItem(item(id, version(got)), got, at);
                  getsChecked.incrementAndGet();
                });
      }
      searchesDone.incrementAndGet(t);
    }
  }

  /** The hit's score re-computed from the vector it names (item-level or segment). */
  private static void checkHit(Hit h, float[] q, long ver, String at, boolean bestOfItem) {
    Item item = item(h.id(), ver);
    String what = at + ": hit " + h.id() + " v" + ver + " " + h.segment();
    assertEquals(item.modality(), h.modality(), what);
    assertEquals(item.metadata(), h.metadata(), what);
    float[] vector;
    if (h.segment() == null) {
      vector = item.vectors().get(SPACE);
      assertNotNull(vector, what + ": item-level hit on an item without item-level vector");
    } else {
      int s = h.segment().index();
      assertTrue(s < item.segments().size(), what + ": no such segment");
      Segment seg = item.segments().get(s);
      assertEquals(seg.start(), h.segment().start(), what + " start");
      assertEquals(seg.end(), h.segment().end(), what + " end");
      vector = seg.vectors().get(SPACE);
    }
    assertEquals(BruteForce.cosine(q, vector), h.score(), 1e-3, what + ": score");
    if (bestOfItem) {
      assertEquals(bestScore(item, q), h.score(), 1e-3, what + ": not the item's best vector");
    }
  }

  // ---------------------------------------------------------------- brute force

  private record Ref(String id, int segment, float score) {}

  private static float bestScore(Item item, float[] q) {
    return (float)
        vectorsOf(item).stream().mapToDouble(v -> BruteForce.cosine(q, v)).max().orElseThrow();
  }

  /** Item-level vector first (segment -1), then segments in order. */
  private static List<float[]> vectorsOf(Item item) {
    List<float[]> out = new ArrayList<>();
    if (!item.vectors().isEmpty()) {
      out.add(item.vectors().get(SPACE));
    }
    item.segments().forEach(s -> out.add(s.vectors().get(SPACE)));
    return out;
  }

  private static void compareWithBruteForce(
      LuceneBackend backend,
      Map<String, Item> items,
      float[] q,
      int k,
      boolean group,
      Long bucket,
      String at) {
    Filter filter = bucket == null ? null : Filter.term("bucket", bucket);
    KnnQuery query = new KnnQuery(SPACE, q, k, filter, 0, SearchMode.EXACT, group);
    String what = at + " " + query;
    List<Ref> refs = new ArrayList<>();
    for (Item item : items.values()) {
      if (bucket != null && !bucket.equals(item.metadata().get("bucket"))) {
        continue;
      }
      int first = item.vectors().isEmpty() ? 0 : -1;
      List<float[]> vs = vectorsOf(item);
      Ref best = null;
      for (int i = 0; i < vs.size(); i++) {
        Ref ref = new Ref(item.id(), first + i, BruteForce.cosine(q, vs.get(i)));
        if (!group) {
          refs.add(ref);
        } else if (best == null || ref.score() > best.score()) {
          best = ref;
        }
      }
      if (best != null) {
        refs.add(best);
      }
    }
    refs.sort(Comparator.comparingDouble((Ref x) -> -x.score()).thenComparing(Ref::id));
    List<Ref> want = refs.subList(0, Math.min(k, refs.size()));
    List<Hit> got = backend.knn(C, query).hits();
    assertEquals(want.size(), got.size(), what + ": hit count");
    float kth = want.isEmpty() ? 0 : want.get(want.size() - 1).score();
    Set<String> gotKeys = new HashSet<>();
    for (int i = 0; i < got.size(); i++) {
      Hit h = got.get(i);
      assertEquals(want.get(i).score(), h.score(), 1e-4, what + ": score at rank " + i);
      gotKeys.add(h.id() + "#" + (h.segment() == null ? -1 : h.segment().index()));
    }
    for (Ref ref : want) {
      // Near-ties with the k-th score may legitimately swap in or out; nothing else may.
      if (ref.score() > kth + 1e-4) {
        String key = ref.id() + "#" + (group ? "" : ref.segment());
        boolean found =
            group
                ? gotKeys.stream().anyMatch(g -> g.startsWith(ref.id() + "#"))
                : gotKeys.contains(key);
        assertTrue(found, what + ": brute-force hit " + ref + " is missing from " + got);
      }
    }
  }

  // ---------------------------------------------------------------- data

  static String owned(int writer, int i) {
    return "w" + writer + "-" + i;
  }

  static String shared(int j) {
    return "s-" + j;
  }

  static long version(Item item) {
    return ((Number) item.metadata().get("ver")).longValue();
  }

  /**
   * Version {@code ver} of item {@code id}: a pure function of both. The shape varies with the
   * version (with or without an item-level vector, 0 to 3 segments), so a mix of two versions shows
   * in the segment count as well as in the vectors.
   */
  static Item item(String id, long ver) {
    Random r = new Random((SEED * 31 + id.hashCode()) * 0x9E3779B97F4A7C15L + ver);
    Item.Builder b =
        Item.builder(id, ver % 2 == 0 ? "video" : "audio")
            .meta("ver", ver)
            .meta("bucket", ver % 4)
            .text("caption", "version " + ver + " of " + id);
    boolean segmentsOnly = ver % 5 == 4;
    int segments = segmentsOnly ? 1 + (int) (ver % 3) : (int) (ver % 3);
    if (!segmentsOnly) {
      b.vector(SPACE, gaussian(r));
    }
    for (int s = 0; s < segments; s++) {
      double start = s * 4.0 + ver % 7;
      b.segment(new Segment(start, start + 4, "v" + ver + " s" + s, Map.of(SPACE, gaussian(r))));
    }
    return b.build();
  }

  static float[] gaussian(Random r) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) r.nextGaussian();
    }
    return v;
  }
}
