package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.ResultHit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load side of {@code bindery bench http}: the two ways a search is run (in-process through
 * {@link Bindery}, over loopback HTTP), the check that both give the same hits, and closed-loop
 * load from a number of client threads with its latencies pooled per mode and client count.
 */
final class HttpSearchLoad {
  private HttpSearchLoad() {}

  /** One way of running a search, returning the hit ids. */
  interface Mode {
    List<String> search(String expression) throws Exception;
  }

  record InProcess(Bindery bindery, String collection, int k) implements Mode {
    @Override
    public List<String> search(String expression) {
      return bindery.search(collection, expression, k).hits().stream().map(ResultHit::id).toList();
    }
  }

  record OverHttp(HttpClient http, URI base, String collection, int k, ObjectMapper json)
      implements Mode {
    @Override
    public List<String> search(String expression) throws IOException, InterruptedException {
      ObjectNode body = json.createObjectNode();
      body.put("query", expression);
      body.put("k", k);
      HttpRequest req =
          HttpRequest.newBuilder(base.resolve("/v1/collections/" + collection + "/search"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
              .build();
      HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (res.statusCode() != 200) {
        throw new IllegalStateException(
            "search answered "
                + res.statusCode()
                + ": "
                + new String(res.body(), java.nio.charset.StandardCharsets.UTF_8));
      }
      List<String> ids = new ArrayList<>();
      for (JsonNode h : json.readTree(res.body()).get("hits")) {
        ids.add(h.get("id").asText());
      }
      return ids;
    }
  }

  /** The same first queries both ways: the two paths must agree before their speed is compared. */
  static ObjectNode agreement(
      Mode a, Mode b, List<String> queries, int firstQueries, ObjectMapper json) throws Exception {
    int n = Math.min(firstQueries, queries.size());
    int same = 0;
    for (int i = 0; i < n; i++) {
      if (a.search(queries.get(i)).equals(b.search(queries.get(i)))) {
        same++;
      }
    }
    ObjectNode o = json.createObjectNode();
    o.put("queries", n);
    o.put("same_ids", same);
    return o;
  }

  /** Closed-loop load: {@code clients} threads each run {@code perClient} searches in turn. */
  static Run run(Mode mode, List<String> queries, int clients, int perClient)
      throws InterruptedException {
    long[][] latencies = new long[clients][perClient];
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<Exception> firstError = new AtomicReference<>();
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
                for (int i = 0; i < perClient; i++) {
                  String q = queries.get((client * 7919 + i) % queries.size());
                  long t0 = System.nanoTime();
                  try {
                    mode.search(q);
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e);
                  }
                  latencies[client][i] = System.nanoTime() - t0;
                }
              },
              "bench-client-" + c);
      t.start();
      threads.add(t);
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    long wall = System.nanoTime() - start;
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
    return new Run(all, wall);
  }

  record Run(long[] latenciesNanos, long wallNanos) {}

  /** Runs of one mode at one client count, pooled. */
  static final class Stats {
    private final List<long[]> latencies = new ArrayList<>();
    private long requests;
    private long wallNanos;

    void add(Run r) {
      latencies.add(r.latenciesNanos());
      requests += r.latenciesNanos().length;
      wallNanos += r.wallNanos();
    }

    double qps() {
      return requests / (wallNanos / 1e9);
    }

    double percentileMs(double p) {
      long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      int idx = (int) Math.ceil(p / 100 * all.length) - 1;
      return all[Math.max(0, Math.min(all.length - 1, idx))] / 1e6;
    }

    ObjectNode toJson(ObjectMapper json) {
      ObjectNode o = json.createObjectNode();
      o.put("requests", requests);
      o.put("seconds", HttpBenchCommand.round(wallNanos / 1e9, 3));
      o.put("qps", HttpBenchCommand.round(qps(), 1));
      o.put("p50_ms", HttpBenchCommand.round(percentileMs(50), 3));
      o.put("p99_ms", HttpBenchCommand.round(percentileMs(99), 3));
      return o;
    }
  }
}
