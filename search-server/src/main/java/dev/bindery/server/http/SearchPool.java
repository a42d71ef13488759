package dev.bindery.server.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs searches and asks on a fixed number of threads with a bounded queue and a deadline. A full
 * queue is a 503 with Retry-After at once (no unbounded backlog); a search past its deadline is a
 * 503 for the client and is left to finish in the background. It is never interrupted: an interrupt
 * closes the Lucene file channels it is reading, which would break the index for every other
 * search.
 *
 * <p>{@link #run} blocks its caller until the work is done; {@link #submit} does not, so a request
 * thread can hand its request over and the search thread write the response: one thread hand-off
 * per search instead of two, which on a loaded machine is a scheduler wait less per request.
 */
final class SearchPool implements AutoCloseable {
  private final ThreadPoolExecutor executor;
  private final Duration timeout;
  // Fails submitted work's futures at their deadline (the work itself goes on, see above): one
  // sweep every tick over the futures not yet complete, instead of a timer scheduled and cancelled
  // per search. Scheduling one made the timer thread wake for every search (each new deadline was
  // the earliest), a wake-up per request on top of the search thread's.
  private final ScheduledThreadPoolExecutor deadlines;
  private final Set<Pending<?>> pending = ConcurrentHashMap.newKeySet();

  /** A submitted search's future and the moment it must be answered by. */
  private record Pending<T>(CompletableFuture<T> result, long deadline, String what) {}

  SearchPool(int threads, int queue, Duration timeout) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "bindery-search-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    this.timeout = timeout;
    this.deadlines =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "bindery-search-deadlines");
              t.setDaemon(true);
              return t;
            });
    // A deadline is honoured within a tenth of the timeout (at most 50 ms, at least 1 ms) late.
    long tickNanos =
        Math.clamp(timeout.toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(1), TICK_MAX_NANOS);
    deadlines.scheduleWithFixedDelay(this::expire, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
  }

  private static final long TICK_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private void expire() {
    long now = System.nanoTime();
    for (Pending<?> p : pending) {
      if (now - p.deadline() >= 0) {
        pending.remove(p);
        p.result().completeExceptionally(timedOut(p.what()));
      }
    }
  }

  /**
   * Starts {@code work} on a search thread and returns its result's future, which fails with a 503
   * at the deadline if the work has not finished by then (the work goes on; its result is dropped).
   * Dependent stages added without an executor run on the search thread that finishes the work.
   * When {@code timing} is given, the phases {@code wait} (submitted to started) and {@code <what>}
   * (the work) are added to it before the future completes.
   *
   * @throws ApiProblem 503 at once when every thread is busy and the queue is full
   */
  <T> CompletableFuture<T> submit(String what, Callable<T> work, ServerTiming timing) {
    long submitted = System.nanoTime();
    long deadline = submitted + timeout.toNanos();
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            long started = System.nanoTime();
            if (started - deadline >= 0) {
              // Its caller has already been told it timed out (or is being told now).
              result.completeExceptionally(timedOut(what));
              return;
            }
            T value;
            try {
              value = work.call();
            } catch (Throwable e) {
              result.completeExceptionally(e);
              return;
            }
            if (timing != null) {
              timing.add("wait", started - submitted);
              timing.add(what, System.nanoTime() - started);
              timing.resetMark();
            }
            result.complete(value);
          });
    } catch (RejectedExecutionException e) {
      throw busy();
    }
    Pending<T> p = new Pending<>(result, deadline, what);
    pending.add(p);
    // Runs at once if the work has already finished.
    result.whenComplete((v, e) -> pending.remove(p));
    return result;
  }

  /** Runs {@code work} and waits for it up to the deadline. */
  <T> T run(String what, Callable<T> work) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Future<T> future;
    try {
      // A search that only gets a thread after its deadline is not run at all: its caller has
      // already been told it timed out.
      future =
          executor.submit(
              () -> {
                if (System.nanoTime() - deadline >= 0) {
                  throw timedOut(what);
                }
                return work.call();
              });
    } catch (RejectedExecutionException e) {
      throw busy();
    }
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw timedOut(what);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    } catch (InterruptedException e) {
      // The request thread is being stopped (server shutdown): let the search finish on its own.
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw ApiProblem.unavailable("busy", "Server busy", "the server is shutting down", 1);
    }
  }

  private ApiProblem busy() {
    return ApiProblem.unavailable(
        "busy",
        "Server busy",
        "too many searches are running or waiting ("
            + executor.getMaximumPoolSize()
            + " running, "
            + executor.getQueue().size()
            + " waiting); retry shortly",
        1);
  }

  private ApiProblem timedOut(String what) {
    return ApiProblem.unavailable(
        "timeout",
        "Request timed out",
        what + " took longer than the server's limit of " + timeout.toMillis() + " ms",
        1);
  }

  /** Submitted searches whose deadline is still watched (0 once every one has completed). */
  int watched() {
    return pending.size();
  }

  /** Searches waiting for a thread. */
  int waiting() {
    return executor.getQueue().size();
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
    executor.shutdown();
    try {
      // Searches still running after that finish on their own (daemon threads, never
      // interrupted, for the reason above).
      executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
