package dev.bindery.fusion.ingest;

import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestReport.Stage;
import dev.bindery.fusion.ingest.ItemPreparer.Work;
import dev.bindery.indexer.Item;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * One ingest run's pipeline and state: worker threads prepare the inputs offered to it ({@link
 * ItemPreparer#work}); the calling thread takes their results in the order offered, so skips, the
 * duplicate-id check and the listener's calls are those of a sequential run, runs the image tower
 * on whole batches and writes, retrying a refused batch item by item, and commits every {@link
 * IngestOptions#commitEvery()} items. At most {@code 2 * batchSize + threads} inputs are in flight.
 * Not thread-safe: only the calling thread calls it.
 */
final class IngestPipeline implements AutoCloseable {
  private final Bindery bindery;
  private final String collection;
  private final IngestOptions options;
  private final IngestListener listener;
  private final List<IngestReport.Skip> skips = new ArrayList<>();
  private final Map<String, String> seen = new HashMap<>();
  private final List<Work> batch = new ArrayList<>();
  private final StageTimes stages = new StageTimes();
  private final ExecutorService workers;
  private final ArrayDeque<Future<Work>> inFlight = new ArrayDeque<>();
  private final int window;
  private long added;
  private long replaced;
  private long unchanged;
  private long sinceCommit;

  IngestPipeline(
      Bindery bindery, String collection, IngestOptions options, IngestListener listener) {
    this.bindery = bindery;
    this.collection = collection;
    this.options = options;
    this.listener = listener;
    int threads = options.threads();
    this.window = 2 * options.batchSize() + threads;
    this.workers =
        threads == 1
            ? null
            : Executors.newFixedThreadPool(
                threads,
                r -> {
                  Thread t = new Thread(r, "bindery-ingest");
                  t.setDaemon(true);
                  return t;
                });
  }

  IngestListener listener() {
    return listener;
  }

  /** A skip found while listing inputs, reported after the inputs listed before it. */
  void skipInOrder(String source, String reason) {
    if (workers == null) {
      skip(source, reason);
    } else {
      inFlight.add(CompletableFuture.completedFuture(Work.failed(source, reason)));
    }
  }

  private void skip(String source, String reason) {
    skips.add(new IngestReport.Skip(source, reason));
    listener.skipped(source, reason);
  }

  /** Hands one input to {@code via} on a worker (or here, with one thread). */
  void offer(String source, ItemPreparer via, Supplier<ItemSpec> specSource) {
    if (workers == null) {
      take(via.work(source, specSource));
      return;
    }
    inFlight.add(workers.submit(() -> via.work(source, specSource)));
    while (inFlight.size() > window) {
      takeNext();
    }
  }

  /**
   * Takes every input still in flight, in order, writes what is left and commits; returns the
   * report of the run started {@code startNanos}.
   */
  IngestReport finish(long startNanos) {
    while (!inFlight.isEmpty()) {
      takeNext();
    }
    flush();
    commit();
    return new IngestReport(
        added, replaced, unchanged, skips, System.nanoTime() - startNanos, stages.asMap());
  }

  private void takeNext() {
    Future<Work> next = inFlight.poll();
    Work w;
    try {
      w = next.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("ingest interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("an ingest worker failed: " + e.getCause(), e.getCause());
    }
    take(w);
  }

  /** One input's result, in input order: the same decisions as a sequential run. */
  private void take(Work w) {
    stages.add(Stage.READ, w.readWall, w.readCpu);
    stages.add(Stage.DECODE, w.decodeWall, w.decodeCpu);
    if (w.id == null) {
      skip(w.source, w.failure);
      return;
    }
    String first = seen.putIfAbsent(w.id, w.source);
    if (first != null) {
      skip(w.source, "duplicate id '" + w.id + "' (first given by " + first + ")");
      return;
    }
    if (w.failure != null) {
      skip(w.source, w.failure);
      return;
    }
    if (w.unchanged) {
      unchanged++;
      listener.item(w.id, IngestListener.Outcome.UNCHANGED);
      return;
    }
    batch.add(w);
    if (batch.size() >= options.batchSize()) {
      flush();
    }
  }

  /** Runs the image tower on the batch, then writes it. */
  private void flush() {
    if (batch.isEmpty()) {
      return;
    }
    long t = System.nanoTime();
    long c = StageTimes.cpuNanos();
    List<Item> items = embedBatch();
    long t1 = System.nanoTime();
    long c1 = StageTimes.cpuNanos();
    stages.add(Stage.TOWER, t1 - t, c1 - c);
    write(items);
    stages.add(Stage.WRITE, System.nanoTime() - t1, StageTimes.cpuNanos() - c1);
    batch.clear();
    if (sinceCommit >= options.commitEvery()) {
      commit();
    }
  }

  private void commit() {
    long t = System.nanoTime();
    long c = StageTimes.cpuNanos();
    bindery.commit(collection);
    sinceCommit = 0;
    stages.add(Stage.COMMIT, System.nanoTime() - t, StageTimes.cpuNanos() - c);
  }

  /**
   * The batch's items, in order; the pending ones through one {@link Bindery#embedAll}. If the
   * tower refuses the batch, each pending item is retried alone and only the refused ones are
   * skipped (and dropped from the batch).
   */
  private List<Item> embedBatch() {
    List<Bindery.Prepared> pending = new ArrayList<>();
    for (Work w : batch) {
      if (w.prepared.pending() != null) {
        pending.add(w.prepared.pending());
      }
    }
    List<Item> embedded;
    try {
      embedded = pending.isEmpty() ? List.of() : bindery.embedAll(collection, pending);
    } catch (RuntimeException e) {
      embedded = null;
    }
    List<Item> items = new ArrayList<>(batch.size());
    int next = 0;
    for (Iterator<Work> it = batch.iterator(); it.hasNext(); ) {
      Work w = it.next();
      Item item = w.prepared.item();
      if (item == null) {
        if (embedded != null) {
          item = embedded.get(next++);
        } else {
          try {
            item = bindery.embedAll(collection, List.of(w.prepared.pending())).get(0);
          } catch (RuntimeException one) {
            skip(w.source, ItemPreparer.reason(one));
            it.remove();
            continue;
          }
        }
      }
      items.add(ItemPreparer.finish(w.spec, item));
    }
    return items;
  }

  /** Writes the batch; if the index refuses it, item by item so only the bad ones are skipped. */
  private void write(List<Item> items) {
    if (items.isEmpty()) {
      return;
    }
    try {
      bindery.add(collection, List.copyOf(items));
      for (int i = 0; i < items.size(); i++) {
        done(items.get(i), batch.get(i));
      }
    } catch (IllegalArgumentException e) {
      // find the items the index refuses; write the others
      for (int i = 0; i < items.size(); i++) {
        try {
          bindery.add(collection, items.get(i));
          done(items.get(i), batch.get(i));
        } catch (IllegalArgumentException one) {
          skip(batch.get(i).source, ItemPreparer.reason(one));
        }
      }
    }
  }

  private void done(Item item, Work w) {
    if (w.replaces) {
      replaced++;
      listener.item(item.id(), IngestListener.Outcome.REPLACED);
    } else {
      added++;
      listener.item(item.id(), IngestListener.Outcome.ADDED);
    }
    sinceCommit++;
  }

  /** Stops the workers; inputs still in flight (after a failure) are dropped unwritten. */
  @Override
  public void close() {
    if (workers != null) {
      for (Future<Work> f : inFlight) {
        f.cancel(true);
      }
      workers.shutdownNow();
    }
  }
}
