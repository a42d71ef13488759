package dev.bindery.server.http;

import dev.bindery.fusion.query.TextEmbeddingCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics: requests by method, route template and status with their
 * latency; search latency by collection (with a histogram for quantiles); items and requests
 * ingested by collection and outcome; ingests in flight; a few JVM gauges. Route templates (not raw
 * paths) keep the label count bounded. Thread-safe.
 */
final class ServerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // The timers of each request label set and collection, looked up once: building and registering
  // a Timer per request (an id, sorted tags, the registry's lookup) showed in the search profile.
  private final ConcurrentHashMap<RequestLabels, Timer> requestTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> searchTimers = new ConcurrentHashMap<>();

  private record RequestLabels(String method, String route, int status) {}

  ServerMetrics(Supplier<Number> ingestsInFlight) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Gauge.builder("bindery.ingest.in_flight", ingestsInFlight)
        .description("Item-write requests being handled")
        .register(registry);
  }

  /**
   * Hits and misses of the text-query embedding cache ({@code bindery_text_embedding_cache_*}),
   * read from {@code stats} at each scrape.
   */
  void textEmbeddingCache(Supplier<TextEmbeddingCache.Stats> stats) {
    FunctionCounter.builder("bindery.text_embedding_cache.hits", stats, s -> s.get().hits())
        .description("Text-query embeddings answered from the cache")
        .register(registry);
    FunctionCounter.builder("bindery.text_embedding_cache.misses", stats, s -> s.get().misses())
        .description("Text-query embeddings computed by the text tower")
        .register(registry);
    Gauge.builder("bindery.text_embedding_cache.size", stats, s -> s.get().size())
        .description("Text-query embeddings held (bounded by the cache's capacity)")
        .register(registry);
  }

  /** One finished HTTP request. */
  void request(String method, String route, int status, long nanos) {
    requestTimers
        .computeIfAbsent(
            new RequestLabels(method, route, status),
            l ->
                Timer.builder("http.server.requests")
                    .description("HTTP requests by method, route template and status")
                    .tag("method", l.method())
                    .tag("route", l.route())
                    .tag("status", Integer.toString(l.status()))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One search that returned hits (or none) in the engine. */
  void search(String collection, long nanos) {
    searchTimers
        .computeIfAbsent(
            collection,
            c ->
                Timer.builder("bindery.search")
                    .description("Search latency in the engine (embedding included), by collection")
                    .tag("collection", c)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One item-write request and how many items it wrote. */
  void ingest(String collection, String outcome, int items) {
    Counter.builder("bindery.ingest.requests")
        .description("Item-write requests by collection and outcome")
        .tag("collection", collection)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    if (items > 0) {
      Counter.builder("bindery.ingest.items")
          .description("Items written, by collection")
          .tag("collection", collection)
          .register(registry)
          .increment(items);
    }
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }

  void close() {
    registry.close();
  }
}
