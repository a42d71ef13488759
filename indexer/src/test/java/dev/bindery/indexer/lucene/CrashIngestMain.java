package dev.bindery.indexer.lucene;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The child process of {@link CrashDurabilityTest}: ingests deterministic items into a fresh
 * collection until it is killed (or its parent dies, or {@link #MAX_COMMITS} is reached). After
 * every returned commit it prints {@code COMMITTED <n>} (n items acknowledged, ids {@code 0..n-1});
 * between commits it keeps upserting, refreshing (which flushes uncommitted segments to disk) and
 * rewriting old items, so a kill always finds uncommitted work in flight.
 *
 * <p>Everything it writes is a pure function of the seed, so the parent can regenerate it.
 */
final class CrashIngestMain {
  static final String COLLECTION = "crash";
  static final String SPACE = "e";
  static final int DIM = 32;
  static final int BATCH = 40;
  static final int BATCHES_PER_COMMIT = 3;

  /** Items acknowledged per commit: every commit point is a multiple of this. */
  static final int ITEMS_PER_COMMIT = BATCH * BATCHES_PER_COMMIT;

  /** Every 5th item has segments instead of (or besides) an item-level vector. */
  static final int SEGMENTS = 3;

  /** Far more commits than any kill waits for; stops a runaway child. */
  static final int MAX_COMMITS = 500;

  /** Filter set replaced before every commit. */
  static final String LATEST_SET = "latest";

  private CrashIngestMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: CrashIngestMain <dataDir> <seed>");
    }
    Path data = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    PrintStream out = System.out;
    // The parent never writes to our stdin; end of input means it died without killing us, and
    // an orphan must not ingest forever.
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // discard
                }
              } catch (java.io.IOException ignored) {
                // same as end of input
              }
              Runtime.getRuntime().halt(3);
            });
    // Never closed on purpose: close() commits, and the parent kills this process instead.
    LuceneBackend backend = new LuceneBackend(data);
    backend.createCollection(
        CollectionConfig.of(COLLECTION, SpaceConfig.of(SPACE, DIM, Similarity.COSINE)));
    Random rewrites = new Random(seed ^ 0x5DEECE66DL);
    int n = 0;
    int commits = 0;
    while (commits < MAX_COMMITS) {
      for (int b = 0; b < BATCHES_PER_COMMIT; b++) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (int i = 0; i < BATCH; i++) {
          ids.add(n + i);
        }
        // Rewrites with identical content delete old blocks, so merges and deletes are in flight
        // too; the expected state does not change.
        for (int r = 0; r < 5 && n > 0; r++) {
          ids.add(rewrites.nextInt(n));
        }
        List<Item> batch = new ArrayList<>(ids.size());
        ids.forEach(i -> batch.add(item(seed, i)));
        backend.upsert(COLLECTION, batch);
        n += BATCH;
        if (b == 1) {
          backend.refresh(COLLECTION);
        }
      }
      commits++;
      backend.putFilterSet(COLLECTION, commitSet(commits), commitSetIds(commits, n));
      backend.putFilterSet(COLLECTION, LATEST_SET, latestSetIds(n));
      backend.commit(COLLECTION);
      out.println("COMMITTED " + n);
      out.flush();
    }
    // A bound in case nobody kills us; the parent treats a normal exit as a failure.
    System.exit(2);
  }

  /** Name of the filter set put just before commit number {@code commit} (1-based). */
  static String commitSet(int commit) {
    return "c" + commit;
  }

  /** Ids of {@link #commitSet}: those below {@code n} congruent to the commit number mod 7. */
  static List<String> commitSetIds(int commit, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = commit % 7; i < n; i += 7) {
      ids.add(id(i));
    }
    return ids;
  }

  /** Ids of {@link #LATEST_SET} when {@code n} items are acknowledged: every third one. */
  static List<String> latestSetIds(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i < n; i += 3) {
      ids.add(id(i));
    }
    return ids;
  }

  static String id(int i) {
    return Integer.toString(i);
  }

  /**
   * Item {@code i} as the child writes it. Items with {@code i % 10 == 0} have an item-level vector
   * and {@link #SEGMENTS} segments, {@code i % 10 == 5} only segments, all others only an
   * item-level vector. Vectors are unit length so that the backend's cosine normalization keeps
   * them (up to rounding).
   */
  static Item item(long seed, int i) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + i);
    Item.Builder b =
        Item.builder(id(i), i % 5 == 0 ? "video" : "image")
            .source("file:///items/" + i)
            .meta("n", (long) i)
            .text("title", "item " + i);
    if (i % 10 != 5) {
      b.vector(SPACE, unit(r));
    }
    if (i % 5 == 0) {
      for (int s = 0; s < SEGMENTS; s++) {
        b.segment(new Segment(s * 2.5, s * 2.5 + 2.5, "segment " + s + " of " + i, vec(r)));
      }
    }
    return b.build();
  }

  private static Map<String, float[]> vec(Random r) {
    return Map.of(SPACE, unit(r));
  }

  private static float[] unit(Random r) {
    double[] v = new double[DIM];
    double sum = 0;
    for (int d = 0; d < DIM; d++) {
      v[d] = r.nextGaussian();
      sum += v[d] * v[d];
    }
    double inv = 1 / Math.sqrt(sum);
    float[] out = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      out[d] = (float) (v[d] * inv);
    }
    return out;
  }
}
