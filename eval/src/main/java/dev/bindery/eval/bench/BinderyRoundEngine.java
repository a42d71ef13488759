package dev.bindery.eval.bench;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import dev.bindery.indexer.lucene.HnswMergeWorkers;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.util.IOUtils;

/**
 * Bindery's embedded Lucene backend as a {@link RoundEngine}: a build is upsert in batches, commit
 * and {@code forceMerge(1)} (what {@code bench ann} times as build plus merge), so a query pass
 * searches one segment as the peers search one graph. With {@link HnswMergeWorkers#bulk} (the
 * reference, as {@code bindery index} loads) flushed segments hold no graph and the merge builds
 * the whole graph; with more than one index thread the batches are upserted from that many threads
 * at once and the merge builds the graph with as many workers, the name then ends in {@code -tN};
 * with {@link HnswMergeWorkers#none()} each flush builds its segment's graph (incremental writes),
 * the name then ends in {@code -flush}.
 */
final class BinderyRoundEngine implements RoundEngine {

  private final HnswMergeWorkers mergeWorkers;
  private final LuceneBackend backend;
  private final Path dir;
  private final VectorStorage storage;
  private final Similarity similarity;
  private final float[][] base;
  private final float[][] queries;
  private final int m;
  private final int beamWidth;
  private final int k;
  private final int batchSize;
  private final String collection;
  private final int indexThreads;
  private boolean built;

  /**
   * @param mergeWorkers what the backend's merges build graphs with ({@link HnswMergeWorkers#of},
   *     or {@link HnswMergeWorkers#bulk} for graphs built only by merges); closed with the engine
   */
  BinderyRoundEngine(
      Path dir,
      VectorStorage storage,
      Similarity similarity,
      float[][] base,
      float[][] queries,
      int m,
      int beamWidth,
      int k,
      int batchSize,
      HnswMergeWorkers mergeWorkers,
      int indexThreads) {
    if (indexThreads < 1) {
      throw new IllegalArgumentException("index threads must be >= 1, got " + indexThreads);
    }
    this.indexThreads = indexThreads;
    this.dir = dir;
    this.mergeWorkers = mergeWorkers;
    this.backend = new LuceneBackend(dir, mergeWorkers);
    this.storage = storage;
    this.similarity = similarity;
    this.base = base;
    this.queries = queries;
    this.m = m;
    this.beamWidth = beamWidth;
    this.k = k;
    this.batchSize = batchSize;
    this.collection = "rounds-" + name();
  }

  @Override
  public String name() {
    return "bindery-"
        + storage.wireName()
        + (indexThreads > 1 ? "-t" + indexThreads : "")
        + (mergeWorkers.graphsAtMerge() ? "" : "-flush");
  }

  @Override
  public int buildThreads() {
    return indexThreads;
  }

  @Override
  public String describe() {
    return "Bindery (Lucene "
        + org.apache.lucene.util.Version.LATEST
        + ") "
        + storage.wireName()
        + ", M="
        + m
        + ", beam="
        + beamWidth
        + ", oversample "
        + storage.defaultOversample()
        + ", upserts of "
        + batchSize
        + (indexThreads == 1 ? " on one thread" : " from " + indexThreads + " threads")
        + ", then forceMerge(1) with "
        + mergeWorkers;
  }

  @Override
  public Build build() throws IOException {
    if (built) {
      backend.dropCollection(collection);
    }
    SpaceConfig space =
        new SpaceConfig(
            AnnBenchmark.SPACE,
            base[0].length,
            similarity,
            storage,
            m,
            beamWidth,
            storage.defaultOversample());
    backend.createCollection(CollectionConfig.of(collection, space));
    built = true;
    long c0 = ProcessCpuClock.nanos();
    long t0 = System.nanoTime();
    if (indexThreads == 1) {
      for (int from = 0; from < base.length; from += batchSize) {
        backend.upsert(collection, batch(from));
      }
    } else {
      upsertInParallel();
    }
    backend.commit(collection);
    backend.forceMerge(collection, 1);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (ProcessCpuClock.nanos() - c0) / 1e9;
    backend.refresh(collection);
    return new Build(seconds, cpu, backend.indexBytes(collection));
  }

  private List<Item> batch(int from) {
    int to = Math.min(base.length, from + batchSize);
    List<Item> items = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      // A copy, so a backend that normalizes in place cannot change the data the truth came from.
      items.add(
          Item.builder(Integer.toString(i), "vector")
              .vector(AnnBenchmark.SPACE, base[i].clone())
              .build());
    }
    return items;
  }

  /** Every batch upserted by one of {@code indexThreads} threads, batches handed out in order. */
  private void upsertInParallel() throws IOException {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(indexThreads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < indexThreads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int from = next.getAndAdd(batchSize);
                      from < base.length;
                      from = next.getAndAdd(batchSize)) {
                    backend.upsert(collection, batch(from));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while indexing " + collection, e);
    } catch (ExecutionException e) {
      throw new IOException("indexing " + collection + " failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Bytes of one stored vector the graph search scores: float32, or Lucene's optimized scalar
   * quantization code (bits per dimension packed into bytes; 7 and 8 bits take a byte each) with
   * its 16 bytes of corrections (two interval bounds, an additional correction, a component sum).
   */
  static int storedVectorBytes(VectorStorage storage, int dim) {
    if (!storage.quantized()) {
      return 4 * dim;
    }
    int bits = storage.bits() >= 7 ? 8 : storage.bits();
    return (dim * bits + 7) / 8 + 16;
  }

  @Override
  public Round query(int ef) {
    KnnQuery[] qs = new KnnQuery[queries.length];
    for (int i = 0; i < qs.length; i++) {
      qs[i] = new KnnQuery(AnnBenchmark.SPACE, queries[i], k, null, ef, SearchMode.AUTO, false);
    }
    SearchResult[] results = new SearchResult[qs.length];
    long c0 = RoundEngine.threadCpuNanos();
    long t0 = System.nanoTime();
    for (int i = 0; i < qs.length; i++) {
      results[i] = backend.knn(collection, qs[i]);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (RoundEngine.threadCpuNanos() - c0) / 1e9;
    int[][] ids = new int[qs.length][];
    double visited = 0;
    double rescored = 0;
    for (int i = 0; i < qs.length; i++) {
      visited += results[i].visited();
      rescored += results[i].rescored();
      List<Hit> hits = results[i].hits();
      ids[i] = new int[hits.size()];
      for (int j = 0; j < ids[i].length; j++) {
        ids[i][j] = Integer.parseInt(hits.get(j).id());
      }
    }
    visited /= qs.length;
    rescored /= qs.length;
    int dim = base[0].length;
    double bytes = visited * storedVectorBytes(storage, dim) + rescored * 4.0 * dim;
    return new Round(ids, seconds, cpu, new Cost(visited, rescored, bytes));
  }

  @Override
  public void close() throws IOException {
    try {
      backend.close();
    } finally {
      mergeWorkers.close();
      IOUtils.rm(dir);
    }
  }
}
