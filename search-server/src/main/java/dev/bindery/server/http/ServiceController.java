package dev.bindery.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.Api.Health;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.function.Supplier;

/** {@code /v1/health}, {@code /metrics} and {@code /openapi.json}. */
final class ServiceController {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Bindery bindery;
  private final HttpIo io;
  private final ServerMetrics metrics;
  private final String version;
  private final boolean keysOn;
  private final Supplier<ObjectNode> openApi;

  ServiceController(
      Bindery bindery,
      HttpIo io,
      ServerMetrics metrics,
      String version,
      boolean keysOn,
      Supplier<ObjectNode> openApi) {
    this.bindery = bindery;
    this.io = io;
    this.metrics = metrics;
    this.version = version;
    this.keysOn = keysOn;
    this.openApi = openApi;
  }

  List<Route> routes() {
    return List.of(
        Route.of(HandlerType.GET, "/v1/health", "health")
            .summary("Liveness: 200 while the server can answer (no key needed)")
            .responds(200, Health.class)
            .handler(this::health),
        Route.of(HandlerType.GET, "/metrics", "metrics")
            .summary(
                "Prometheus metrics: requests, search latency, ingests, JVM (an admin key not"
                    + " limited to collections)")
            .scope(Scope.ADMIN)
            .respondsWith(200, "text/plain")
            .handler(this::metrics),
        Route.of(HandlerType.GET, "/openapi.json", "openApi")
            .summary("This API as an OpenAPI 3.1 document, generated from the server's routes")
            .respondsWith(200, "application/json")
            .handler(this::openApi));
  }

  private void health(Context ctx, Caller caller) {
    // Without keys the server is loopback-only, so the collection count tells no stranger anything.
    Integer collections = keysOn ? null : bindery.listCollections().size();
    io.json(ctx, 200, new Health("ok", version, collections));
  }

  private void metrics(Context ctx, Caller caller) {
    // The counters are labelled by collection, so a key limited to some collections would learn
    // the names and traffic of the others.
    caller
        .key()
        .filter(k -> !k.collections().isEmpty())
        .ifPresent(
            k -> {
              throw ApiProblem.of(
                  403,
                  "forbidden",
                  "Forbidden",
                  "key '"
                      + k.name()
                      + "' is limited to collections "
                      + k.collections()
                      + "; /metrics shows every collection and needs an admin key for all of them");
            });
    ctx.contentType(PROMETHEUS_TEXT);
    ctx.result(metrics.scrape());
  }

  private void openApi(Context ctx, Caller caller) {
    io.json(ctx, 200, openApi.get());
  }
}
