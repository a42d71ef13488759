package dev.bindery.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.generator.rag.RagPipeline;
import dev.bindery.indexer.Names;
import dev.bindery.server.http.auth.Caller;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.plugin.bundled.CorsPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * Bindery's HTTP server: the {@code /v1} API, {@code /metrics}, {@code /openapi.json} and the web
 * page, built by {@link #create} from a {@link Bindery} facade and a {@link ServerConfig}.
 * Controllers only parse, validate and serialize; errors become problem+json in {@link
 * ProblemMapper}; every route is declared once as a {@link Route}, which the router, the key checks
 * and the OpenAPI document all read.
 *
 * <pre>{@code
 * try (Bindery bindery = Bindery.open(dataDir);
 *     BinderyServer server = BinderyServer.start(bindery, ServerConfig.builder().port(0).build())) {
 *   System.out.println("listening on " + server.uri());
 *   server.join();
 * }
 * }</pre>
 *
 * <p>The server does not own the facade: {@link #close()} stops serving and leaves the facade open.
 */
public final class BinderyServer implements AutoCloseable {
  private static final String START_NANOS = "bindery.start";
  private static final String ROUTE = "bindery.route";

  /** How long a connection may send nothing before it is closed. */
  static final long IDLE_TIMEOUT_MS = 30_000;

  private final ServerConfig config;
  private final Javalin app;
  private final List<Route> routes;
  private final SearchPool pool;
  private final ServerMetrics metrics;
  private final Object lifecycle = new Object();
  private final String version;
  private volatile ObjectNode openApi;
  private boolean started;
  private boolean closed;

  private BinderyServer(Bindery bindery, ServerConfig config, RagPipeline rag) {
    this.config = config;
    Json json = new Json();
    HttpIo io = new HttpIo(json, config.maxBodyBytes());
    ProblemMapper problems = new ProblemMapper(json, serverPaths(config));
    AccessControl access = new AccessControl(config.keys(), config.keysFile());
    BrowserGuard guard = new BrowserGuard(config);
    Semaphore ingests = new Semaphore(config.maxConcurrentIngests());
    this.metrics =
        new ServerMetrics(() -> config.maxConcurrentIngests() - ingests.availablePermits());
    metrics.textEmbeddingCache(bindery::textEmbeddingCacheStats);
    this.pool =
        new SearchPool(config.searchThreads(), config.searchQueue(), config.requestTimeout());
    UploadStore uploads = new UploadStore(config.uploadsDir());
    ContentFiles content = new ContentFiles();
    DecodeGate decodes = new DecodeGate(config.maxConcurrentDecodes(), config.requestTimeout());
    String version = version();

    List<Route> all = new ArrayList<>();
    all.addAll(new CollectionsController(bindery, config, io, uploads).routes());
    all.addAll(
        new ItemsController(
                bindery,
                io,
                uploads,
                content,
                metrics,
                ingests,
                config.maxConcurrentIngests(),
                decodes)
            .routes());
    all.addAll(
        new SearchController(bindery, config, io, pool, metrics, content, rag, decodes).routes());
    all.addAll(new EmbeddingsController(bindery, config, io, pool, problems).routes());
    all.addAll(
        new ServiceController(
                bindery, io, metrics, version, access.enabled(), this::openApiDocument)
            .routes());
    checkUnique(all);
    this.routes = List.copyOf(all);
    this.version = version;

    this.app =
        Javalin.create(
            cfg -> {
              configure(cfg, problems);
              for (Route r : routes) {
                cfg.routes.addHttpHandler(r.method(), r.path(), handler(r, access, io));
                if (r.method() == HandlerType.GET) {
                  // HEAD answers what GET would, so it must pass the same key checks (without
                  // this, HEAD on a keyed route answered 200 to anyone).
                  cfg.routes.addHttpHandler(HandlerType.HEAD, r.path(), handler(r, access, io));
                }
              }
              cfg.routes.before(ctx -> ctx.attribute(START_NANOS, System.nanoTime()));
              cfg.routes.before(guard::before);
              cfg.routes.after(this::recordRequest);
              cfg.routes.exception(Exception.class, (e, ctx) -> problems.write(ctx, e));
              // Javalin's own errors (no such route, wrong method) have a default mapper of
              // their own; this one takes precedence over it.
              cfg.routes.exception(HttpResponseException.class, (e, ctx) -> problems.write(ctx, e));
            });
  }

  /**
   * Builds a server (not yet listening) whose {@code ask} uses the offline extractive answerer.
   *
   * @throws IllegalArgumentException if the host is not a loopback address and there are no API
   *     keys: such a server would let anyone on the network read and write
   */
  public static BinderyServer create(Bindery bindery, ServerConfig config) {
    return create(bindery, config, RagPipeline.extractive(Objects.requireNonNull(bindery)));
  }

  /**
   * Builds a server (not yet listening) whose {@code ask} goes through {@code rag}, e.g. a pipeline
   * with a model answerer over an OpenAI-compatible or Ollama endpoint.
   *
   * @throws IllegalArgumentException as {@link #create(Bindery, ServerConfig)}
   */
  public static BinderyServer create(Bindery bindery, ServerConfig config, RagPipeline rag) {
    Objects.requireNonNull(bindery, "bindery");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(rag, "rag");
    checkExposure(config);
    return new BinderyServer(bindery, config, rag);
  }

  /** Builds and starts a server; see {@link #create(Bindery, ServerConfig)}. */
  public static BinderyServer start(Bindery bindery, ServerConfig config) {
    return create(bindery, config).start();
  }

  /** Starts listening; returns this. */
  public BinderyServer start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("this server is closed");
      }
      if (!started) {
        try {
          app.start();
        } catch (RuntimeException e) {
          pool.close();
          metrics.close();
          closed = true;
          throw new IllegalStateException(
              "cannot listen on " + config.host() + ":" + config.port() + ": " + rootMessage(e), e);
        }
        started = true;
      }
    }
    return this;
  }

  /** The port the server listens on (the chosen one when configured with 0). */
  public int port() {
    return app.port();
  }

  /** The base URI, e.g. {@code http://127.0.0.1:7700}. */
  public URI uri() {
    String host = config.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port());
  }

  /** The configuration it was built with. */
  public ServerConfig config() {
    return config;
  }

  /** Every route the server registers, in registration order. */
  public List<Route> routes() {
    return routes;
  }

  /** Blocks until the server is closed (for the {@code serve} command). */
  public void join() throws InterruptedException {
    synchronized (lifecycle) {
      while (!closed) {
        lifecycle.wait();
      }
    }
  }

  /** Stops serving; searches still running finish on their own. The facade stays open. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      lifecycle.notifyAll();
    }
    try {
      app.stop();
    } finally {
      pool.close();
      metrics.close();
    }
  }

  // ------------------------------------------------------------------ wiring

  /** The OpenAPI document of {@link #routes}, built on first use. */
  private ObjectNode openApiDocument() {
    ObjectNode d = openApi;
    if (d == null) {
      d = OpenApiDocument.build(routes, version);
      openApi = d; // two threads may both build it; the documents are equal
    }
    return d;
  }

  private void configure(JavalinConfig cfg, ProblemMapper problems) {
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.jetty.host = config.host();
    cfg.jetty.port = config.port();
    cfg.http.maxRequestSize = config.maxBodyBytes();
    cfg.http.prefer405over404 = true;
    cfg.router.ignoreTrailingSlashes = true;
    cfg.jetty.multipartConfig.maxFileSize(config.maxBodyBytes(), SizeUnit.BYTES);
    cfg.jetty.multipartConfig.maxTotalRequestSize(config.maxBodyBytes(), SizeUnit.BYTES);
    // Uploads stay in memory up to the body limit: the items controller reads each part whole
    // anyway, and a part spilled to a temporary file would leave media on disk outside the upload
    // store (Jetty's threshold is an int, so a limit above 2 GiB keeps the largest int in memory).
    cfg.jetty.multipartConfig.maxInMemoryFileSize(
        (int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()), SizeUnit.BYTES);
    cfg.jetty.multipartConfig.cacheDirectory(System.getProperty("java.io.tmpdir"));
    cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyProblemHandler(problems)));
    // A connection that sends nothing for this long is closed, so a client that opens a request
    // and stalls holds a thread only that long. (Jetty's minimum request data rate is not used:
    // it measures from the start of the request, so a small body read after a slow first
    // request failed with 408.)
    cfg.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(IDLE_TIMEOUT_MS));
    if (config.webRoot() != null) {
      cfg.staticFiles.add(
          sf -> {
            sf.hostedPath = "/";
            sf.directory = config.webRoot().toAbsolutePath().toString();
            sf.location = Location.EXTERNAL;
          });
    } else {
      cfg.staticFiles.add(
          sf -> {
            sf.hostedPath = "/";
            sf.directory = "/web";
            sf.location = Location.CLASSPATH;
          });
    }
    if (!config.corsOrigins().isEmpty()) {
      cfg.registerPlugin(
          new CorsPlugin(
              cors ->
                  cors.addRule(
                      rule -> {
                        for (String origin : config.corsOrigins()) {
                          if (origin.equals("*")) {
                            rule.anyHost();
                          } else {
                            rule.allowHost(origin);
                          }
                        }
                        rule.exposeHeader("Retry-After");
                        rule.exposeHeader("Location");
                        rule.exposeHeader(ServerTiming.HEADER);
                      })));
    }
  }

  /** Wraps a controller method with what every route does first: keys, scope, collection, size. */
  private static Handler handler(Route r, AccessControl access, HttpIo io) {
    boolean hasBody = !r.requestBodies().isEmpty() || r.multipart() != null;
    return ctx -> {
      ctx.attribute(ROUTE, r.path());
      String collection = r.perCollection() ? ctx.pathParam("name") : null;
      if (collection != null) {
        Names.checkName("collection", collection);
      }
      Caller caller = Caller.unauthenticated();
      if (r.scope() != null) {
        caller = access.authenticate(ctx);
        access.require(caller, r.scope(), collection, r.describe());
      }
      if (hasBody) {
        BrowserGuard.checkContentType(ctx, r);
        io.checkDeclaredLength(ctx);
      }
      r.handler().handle(ctx, caller);
    };
  }

  /**
   * When the request's first handler ran ({@link System#nanoTime()}), for {@link ServerTiming}; now
   * if no handler recorded it.
   */
  static long startNanos(Context ctx) {
    Long start = ctx.attribute(START_NANOS);
    return start == null ? System.nanoTime() : start;
  }

  private void recordRequest(Context ctx) {
    Long start = ctx.attribute(START_NANOS);
    if (start == null) {
      return;
    }
    String route = ctx.attribute(ROUTE);
    if (route == null) {
      route = ctx.statusCode() == 404 ? "unmatched" : "static";
    }
    metrics.request(ctx.method().name(), route, ctx.statusCode(), System.nanoTime() - start);
  }

  private static void checkUnique(List<Route> routes) {
    Set<String> seen = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (Route r : routes) {
      if (!seen.add(r.describe())) {
        throw new IllegalStateException("route registered twice: " + r.describe());
      }
      if (!ids.add(r.operationId())) {
        throw new IllegalStateException("operation id used twice: " + r.operationId());
      }
    }
  }

  /**
   * Refuses a server reachable from other machines without keys.
   *
   * @throws IllegalArgumentException with what to do instead
   */
  static void checkExposure(ServerConfig config) {
    boolean hasKeys = config.keys() != null && !config.keys().isEmpty();
    if (hasKeys || isLoopback(config.host())) {
      return;
    }
    throw new IllegalArgumentException(
        "refusing to listen on "
            + config.host()
            + " without API keys: it is not a loopback address, so anyone who can reach this"
            + " machine could read and change every collection. Create a key with 'bindery serve"
            + " keys add --keys FILE --name NAME --scope read' and start with '--keys FILE', or"
            + " listen on 127.0.0.1");
  }

  static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "cannot resolve host '" + host + "': " + e.getMessage(), e);
    }
  }

  /** The folders whose paths error details must not show. */
  private static List<java.nio.file.Path> serverPaths(ServerConfig config) {
    List<java.nio.file.Path> out = new ArrayList<>();
    if (config.uploadsDir() != null) {
      out.add(config.uploadsDir());
      if (config.uploadsDir().toAbsolutePath().getParent() != null) {
        out.add(config.uploadsDir().toAbsolutePath().getParent()); // the data directory
      }
    }
    out.add(config.webRoot());
    out.add(config.keysFile());
    out.addAll(config.modelDirs());
    for (String property : List.of("java.io.tmpdir", "user.home", "user.dir")) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        out.add(java.nio.file.Path.of(value));
      }
    }
    return out;
  }

  private static String version() {
    Properties p = new Properties();
    try (InputStream in =
        BinderyServer.class.getResourceAsStream("/dev/bindery/server/cli/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read version.properties", e);
    }
    return p.getProperty("version", "unknown");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
