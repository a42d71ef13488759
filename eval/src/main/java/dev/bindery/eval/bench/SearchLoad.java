package dev.bindery.eval.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop, bounded search load for {@code bench http}: each client thread sends its searches
 * one after another, so nothing queues without limit; every request is timed, and the process's CPU
 * time is taken over the whole run. What a search goes through is a {@link Mode} (in-process or
 * over HTTP); the load and its statistics are the same for both.
 */
final class SearchLoad {

  /** One way of running a search: opens a searcher per client thread. */
  interface Mode {
    Searcher open() throws IOException;
  }

  /** Runs searches for one client thread, returning the hit ids. */
  interface Searcher extends AutoCloseable {
    List<String> search(String expression) throws Exception;

    @Override
    void close() throws IOException;
  }

  /**
   * How many of the first queries the two modes answered with the same ids.
   *
   * @param queries queries compared
   * @param sameIds queries both answered with the same ids in the same order
   */
  record Agreement(int queries, int sameIds) {}

  /** Most queries {@link #agreement} compares. */
  static final int AGREEMENT_QUERIES = 20;

  private SearchLoad() {}

  /** The same first queries both ways: the two paths must agree before their speed is compared. */
  static Agreement agreement(Mode a, Mode b, List<String> queries) throws Exception {
    int n = Math.min(AGREEMENT_QUERIES, queries.size());
    int same = 0;
    try (Searcher sa = a.open();
        Searcher sb = b.open()) {
      for (int i = 0; i < n; i++) {
        if (sa.search(queries.get(i)).equals(sb.search(queries.get(i)))) {
          same++;
        }
      }
    }
    return new Agreement(n, same);
  }

  /**
   * {@code clients} threads each run {@code perClient} searches in turn, client {@code c}'s {@code
   * i}-th being query {@code (c * 7919 + i) mod queries}.
   *
   * @throws IllegalStateException if any search failed (with the count and the first failure)
   */
  static Run run(Mode mode, List<String> queries, int clients, int perClient)
      throws InterruptedException {
    if (!ProcessCpuClock.isAvailable()) {
      throw new IllegalStateException(
          "this JVM does not report its process CPU time (com.sun.management is missing)");
    }
    long[][] latencies = new long[clients][perClient];
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    // CPU time of the client threads themselves (in-process: the whole search; HTTP: formatting,
    // socket calls and reading the answer), so the server's share is the process's minus this.
    AtomicLong clientCpu = new AtomicLong();
    boolean threadCpu = ManagementFactory.getThreadMXBean().isCurrentThreadCpuTimeSupported();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                long ownCpu0 = threadCpu ? RoundEngine.threadCpuNanos() : 0;
                try (Searcher searcher = mode.open()) {
                  for (int i = 0; i < perClient; i++) {
                    String q = queries.get((client * 7919 + i) % queries.size());
                    long t0 = System.nanoTime();
                    try {
                      searcher.search(q);
                    } catch (Exception e) {
                      errors.incrementAndGet();
                      firstError.compareAndSet(null, e);
                    }
                    latencies[client][i] = System.nanoTime() - t0;
                  }
                } catch (Exception e) {
                  errors.incrementAndGet();
                  firstError.compareAndSet(null, e);
                }
                if (threadCpu) {
                  clientCpu.addAndGet(RoundEngine.threadCpuNanos() - ownCpu0);
                }
              },
              "bench-client-" + c);
      t.start();
      threads.add(t);
    }
    ready.await();
    // CPU time of this JVM (client, server and engine together; nothing else runs in it while a
    // mode is measured), so the two modes' cost per request compares even when other processes
    // load the machine and stretch the elapsed times.
    long cpu0 = ProcessCpuClock.nanos();
    long start = System.nanoTime();
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    long wall = System.nanoTime() - start;
    long cpu = ProcessCpuClock.nanos() - cpu0;
    if (firstError.get() != null) {
      throw new IllegalStateException(
          errors.get()
              + " of "
              + clients * perClient
              + " searches failed; first: "
              + firstError.get(),
          firstError.get());
    }
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray();
    return new Run(all, wall, cpu, threadCpu ? clientCpu.get() : -1);
  }

  /**
   * One run of one mode: every request's latency, the elapsed time, the process CPU time and the
   * client threads' own CPU time (-1 when the JVM does not measure thread CPU time).
   */
  record Run(long[] latenciesNanos, long wallNanos, long cpuNanos, long clientCpuNanos) {
    double qps() {
      return latenciesNanos.length / (wallNanos / 1e9);
    }
  }

  /** Runs of one mode at one client count, pooled. */
  static final class Stats {
    private final List<long[]> latencies = new ArrayList<>();
    private long requests;
    private long wallNanos;
    private long cpuNanos;
    private long clientCpuNanos;

    void add(Run r) {
      cpuNanos += r.cpuNanos();
      clientCpuNanos =
          clientCpuNanos < 0 || r.clientCpuNanos() < 0 ? -1 : clientCpuNanos + r.clientCpuNanos();
      latencies.add(r.latenciesNanos());
      requests += r.latenciesNanos().length;
      wallNanos += r.wallNanos();
    }

    long requests() {
      return requests;
    }

    double seconds() {
      return wallNanos / 1e9;
    }

    double cpuMsPerRequest() {
      return cpuNanos / 1e6 / requests;
    }

    /** The client threads' own CPU ms per request; NaN when not measured. */
    double clientCpuMsPerRequest() {
      return clientCpuNanos < 0 ? Double.NaN : clientCpuNanos / 1e6 / requests;
    }

    double qps() {
      return requests / (wallNanos / 1e9);
    }

    double meanMs() {
      return latencies.stream().flatMapToLong(Arrays::stream).average().orElse(0) / 1e6;
    }

    /** Nearest-rank percentile of the pooled latencies, in ms. */
    double percentileMs(double p) {
      long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      int idx = (int) Math.ceil(p / 100 * all.length) - 1;
      return all[Math.max(0, Math.min(all.length - 1, idx))] / 1e6;
    }
  }
}
