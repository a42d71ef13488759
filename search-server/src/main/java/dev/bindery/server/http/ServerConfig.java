package dev.bindery.server.http;

import dev.bindery.indexer.KnnQuery;
import dev.bindery.server.http.auth.ApiKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the HTTP server listens, what it lets through and whom. Immutable; build one with {@link
 * #builder()} (which starts from {@link #defaults()}), or change what differs in an existing one
 * with {@link #toBuilder()}.
 *
 * @param host address to bind; anything but a loopback address needs {@link #keys}
 * @param port TCP port, 0 for any free port
 * @param maxBodyBytes largest request body (JSON or multipart) in bytes; bigger ones get 413 before
 *     they are read
 * @param maxK largest {@code k} a search may ask for, 1..{@value KnnQuery#MAX_K}
 * @param maxExpressionLength longest query expression string in characters
 * @param requestTimeout how long a search or ask may run before the client gets 503
 * @param maxConcurrentIngests item writes handled at once; more get 503 with Retry-After
 * @param searchThreads threads that run searches and asks
 * @param searchQueue searches waiting for a thread before more get 503 with Retry-After
 * @param keys API keys; null serves without authentication (loopback hosts only)
 * @param corsOrigins origins allowed to call the API from a browser ({@code https://x.example}, or
 *     {@code *}); empty turns CORS off
 * @param webRoot a directory to serve the web page from instead of the jar's {@code /web}, or null
 * @param uploadsDir where uploaded files are kept so {@code .../content} can serve them, or null to
 *     keep none
 * @param modelDirs directories whose sub-directories may be named as model packages when a
 *     collection is created over HTTP (besides the packages in the jar)
 * @param allowedHosts names the {@code Host} header may carry besides the loopback names and the
 *     bound address ({@code *.example.com} for sub-domains, {@code *} for any); other hosts get
 *     421, so a DNS-rebinding page cannot reach the server under its own name
 * @param keysFile the file {@link #keys} came from, read again when it changes (keys added or
 *     removed take effect without a restart), or null when the keys are fixed
 * @param maxConcurrentDecodes media decodes (images, audio, video) run at once across ingest and
 *     search; more wait, so N hostile files cannot each take a decode's worth of heap at once
 */
public record ServerConfig(
    String host,
    int port,
    long maxBodyBytes,
    int maxK,
    int maxExpressionLength,
    Duration requestTimeout,
    int maxConcurrentIngests,
    int searchThreads,
    int searchQueue,
    ApiKeys keys,
    List<String> corsOrigins,
    Path webRoot,
    Path uploadsDir,
    List<Path> modelDirs,
    List<String> allowedHosts,
    Path keysFile,
    int maxConcurrentDecodes) {

  /** The default port of {@code bindery serve} and {@code bindery demo}. */
  public static final int DEFAULT_PORT = 7700;

  // A DNS name, an IPv4 address, or an IPv6 address (bare or bracketed); a leading "*." allows
  // every sub-domain of a name.
  private static final Pattern HOST_NAME =
      Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[?[0-9A-Fa-f:.]+]?");

  /** 32 MiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 32L << 20;

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("max body must be >= 1024 bytes, got " + maxBodyBytes);
    }
    if (maxK < 1 || maxK > KnnQuery.MAX_K) {
      throw new IllegalArgumentException("max k must be in 1.." + KnnQuery.MAX_K + ", got " + maxK);
    }
    if (maxExpressionLength < 16 || maxExpressionLength > 1_000_000) {
      throw new IllegalArgumentException(
          "max expression length must be in 16..1000000, got " + maxExpressionLength);
    }
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
    }
    if (maxConcurrentIngests < 1) {
      throw new IllegalArgumentException(
          "max concurrent ingests must be >= 1, got " + maxConcurrentIngests);
    }
    if (searchThreads < 1) {
      throw new IllegalArgumentException("search threads must be >= 1, got " + searchThreads);
    }
    if (searchQueue < 0) {
      throw new IllegalArgumentException("search queue must be >= 0, got " + searchQueue);
    }
    corsOrigins = List.copyOf(corsOrigins);
    for (String origin : corsOrigins) {
      if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException(
            "CORS origin must be * or scheme://host[:port] without a path, got '" + origin + "'");
      }
    }
    modelDirs = List.copyOf(modelDirs);
    allowedHosts = List.copyOf(allowedHosts);
    for (String h : allowedHosts) {
      if (!h.equals("*") && !HOST_NAME.matcher(h).matches()) {
        throw new IllegalArgumentException(
            "allowed host must be a host name or address without scheme, port or path (or *), got '"
                + h
                + "'");
      }
    }
    if (maxConcurrentDecodes < 1) {
      throw new IllegalArgumentException(
          "max concurrent decodes must be >= 1, got " + maxConcurrentDecodes);
    }
  }

  /**
   * Loopback on port {@value #DEFAULT_PORT}, 32 MiB bodies, k up to 1000, expressions up to 4096
   * characters, 30 s per search, 4 concurrent ingests, searches on {@code 2 x cores} threads with
   * 256 waiting, no keys, no CORS, the jar's web page, no upload store.
   */
  public static ServerConfig defaults() {
    return builder().build();
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration, to change what differs. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.maxBodyBytes = maxBodyBytes;
    b.maxK = maxK;
    b.maxExpressionLength = maxExpressionLength;
    b.requestTimeout = requestTimeout;
    b.maxConcurrentIngests = maxConcurrentIngests;
    b.searchThreads = searchThreads;
    b.searchQueue = searchQueue;
    b.keys = keys;
    b.corsOrigins = corsOrigins;
    b.webRoot = webRoot;
    b.uploadsDir = uploadsDir;
    b.modelDirs = modelDirs;
    b.allowedHosts = allowedHosts;
    b.keysFile = keysFile;
    b.maxConcurrentDecodes = maxConcurrentDecodes;
    return b;
  }

  /**
   * Builds a {@link ServerConfig}; each setter names a record component (see the record's
   * parameters for what it means). {@link #build()} checks every value, so a bad one fails there
   * with the value in the message. Not thread-safe; a builder is for one configuration.
   */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxK = 1000;
    private int maxExpressionLength = 4096;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxConcurrentIngests = 4;
    private int searchThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private int searchQueue = 256;
    private ApiKeys keys;
    private List<String> corsOrigins = List.of();
    private Path webRoot;
    private Path uploadsDir;
    private List<Path> modelDirs = List.of();
    private List<String> allowedHosts = List.of();
    private Path keysFile;
    private int maxConcurrentDecodes = 2;

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder maxBodyBytes(long maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public Builder maxK(int maxK) {
      this.maxK = maxK;
      return this;
    }

    public Builder maxExpressionLength(int maxExpressionLength) {
      this.maxExpressionLength = maxExpressionLength;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder maxConcurrentIngests(int maxConcurrentIngests) {
      this.maxConcurrentIngests = maxConcurrentIngests;
      return this;
    }

    public Builder searchThreads(int searchThreads) {
      this.searchThreads = searchThreads;
      return this;
    }

    public Builder searchQueue(int searchQueue) {
      this.searchQueue = searchQueue;
      return this;
    }

    /** Fixed keys; null serves without authentication (loopback hosts only). */
    public Builder keys(ApiKeys keys) {
      this.keys = keys;
      return this;
    }

    public Builder corsOrigins(List<String> corsOrigins) {
      this.corsOrigins = corsOrigins;
      return this;
    }

    public Builder webRoot(Path webRoot) {
      this.webRoot = webRoot;
      return this;
    }

    public Builder uploadsDir(Path uploadsDir) {
      this.uploadsDir = uploadsDir;
      return this;
    }

    public Builder modelDirs(List<Path> modelDirs) {
      this.modelDirs = modelDirs;
      return this;
    }

    public Builder allowedHosts(List<String> allowedHosts) {
      this.allowedHosts = allowedHosts;
      return this;
    }

    /**
     * Keys read from {@code file} now and read again whenever the file changes (see {@link
     * ServerConfig#keysFile}); null turns keys off.
     */
    public Builder keysFile(Path file) {
      this.keys = file == null ? null : ApiKeys.load(file);
      this.keysFile = file;
      return this;
    }

    public Builder maxConcurrentDecodes(int maxConcurrentDecodes) {
      this.maxConcurrentDecodes = maxConcurrentDecodes;
      return this;
    }

    /** The configuration; every value is checked here. */
    public ServerConfig build() {
      return new ServerConfig(
          host,
          port,
          maxBodyBytes,
          maxK,
          maxExpressionLength,
          requestTimeout,
          maxConcurrentIngests,
          searchThreads,
          searchQueue,
          keys,
          corsOrigins,
          webRoot,
          uploadsDir,
          modelDirs,
          allowedHosts,
          keysFile,
          maxConcurrentDecodes);
    }
  }
}
