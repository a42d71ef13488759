package dev.bindery.generator;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a generator lives and how patiently to talk to it.
 *
 * <p>Timeouts: {@code connectTimeout} bounds each TCP connect. {@code requestTimeout} bounds the
 * wait for the response headers and, for a non-streamed call, the whole body; for a streamed call
 * it bounds the wait for each line of the stream (an idle timeout), since a long answer that keeps
 * streaming is healthy. Retries: at most {@code maxRetries} more attempts, only after a failed
 * connect, a 429 or a 5xx (never after a timeout, a 4xx or a malformed response); the delay before
 * retry {@code n} (1-based) is {@code backoff * 2^(n-1)}, at most {@link #MAX_BACKOFF}, or the
 * server's {@code Retry-After} seconds when that is longer (also capped).
 *
 * @param endpoint base URL, {@code http} or {@code https} with a host, e.g. {@code
 *     http://127.0.0.1:11434}; a trailing {@code /} or {@code /v1} is tolerated
 * @param model the model name the endpoint knows, not blank
 * @param apiKey bearer key, or null for none (local servers)
 * @param connectTimeout positive
 * @param requestTimeout positive
 * @param maxRetries 0..{@value #MAX_RETRIES_CEILING}
 * @param backoff delay before the first retry, >= 0
 */
public record GeneratorConfig(
    URI endpoint,
    String model,
    String apiKey,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    Duration backoff) {

  /** Longest delay between two attempts. */
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** Upper bound on {@link #maxRetries}. */
  public static final int MAX_RETRIES_CEILING = 10;

  /** Defaults: 5 s connect, 120 s request (a VLM on CPU is slow), 2 retries, 500 ms backoff. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);
  public static final int DEFAULT_MAX_RETRIES = 2;
  public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(500);

  public GeneratorConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    String scheme =
        endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "generator endpoint must be an http or https URL, got '" + endpoint + "'");
    }
    if (endpoint.getHost() == null || endpoint.getHost().isBlank()) {
      throw new IllegalArgumentException("generator endpoint has no host: '" + endpoint + "'");
    }
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "generator endpoint must be a base URL without query or fragment, got '"
              + endpoint
              + "'");
    }
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("generator model must not be blank");
    }
    if (apiKey != null
        && (apiKey.isBlank() || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw new IllegalArgumentException(
          "generator API key must be printable ASCII without spaces (or absent)");
    }
    checkPositive("connectTimeout", connectTimeout);
    checkPositive("requestTimeout", requestTimeout);
    if (maxRetries < 0 || maxRetries > MAX_RETRIES_CEILING) {
      throw new IllegalArgumentException(
          "maxRetries must be in 0.." + MAX_RETRIES_CEILING + ", got " + maxRetries);
    }
    Objects.requireNonNull(backoff, "backoff");
    if (backoff.isNegative()) {
      throw new IllegalArgumentException("backoff must be >= 0, got " + backoff);
    }
  }

  /** A config with the default timeouts and retries and no API key. */
  public static GeneratorConfig of(String endpoint, String model) {
    return new GeneratorConfig(
        parseEndpoint(endpoint),
        model,
        null,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_RETRIES,
        DEFAULT_BACKOFF);
  }

  /** Parses an endpoint URL, naming it when it is not one. */
  public static URI parseEndpoint(String endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    try {
      return new URI(endpoint.trim());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "generator endpoint '" + endpoint + "' is not a URL: " + e.getMessage(), e);
    }
  }

  public GeneratorConfig withApiKey(String key) {
    return new GeneratorConfig(
        endpoint, model, key, connectTimeout, requestTimeout, maxRetries, backoff);
  }

  public GeneratorConfig withTimeouts(Duration connect, Duration request) {
    return new GeneratorConfig(endpoint, model, apiKey, connect, request, maxRetries, backoff);
  }

  public GeneratorConfig withRetries(int retries, Duration delay) {
    return new GeneratorConfig(
        endpoint, model, apiKey, connectTimeout, requestTimeout, retries, delay);
  }

  /**
   * The URL of an API path under the endpoint: {@code path} is appended to the endpoint's path
   * without its trailing {@code /}, and a trailing {@code /v1} of the endpoint is dropped when
   * {@code path} starts with {@code /v1/} (so both {@code http://h:8000} and {@code
   * http://h:8000/v1} work).
   */
  public URI resolve(String path) {
    String base = endpoint.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    if (path.startsWith("/v1/") && base.endsWith("/v1")) {
      base = base.substring(0, base.length() - 3);
    }
    return URI.create(base + path);
  }

  /** The delay before retry {@code n} (1-based), without Retry-After. */
  public Duration backoffBefore(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("retry number must be >= 1, got " + n);
    }
    Duration d = backoff;
    for (int i = 1; i < n && d.compareTo(MAX_BACKOFF) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  @Override
  public String toString() {
    // Never print the key.
    return "GeneratorConfig[endpoint="
        + endpoint
        + ", model="
        + model
        + ", apiKey="
        + (apiKey == null ? "none" : "***")
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", maxRetries="
        + maxRetries
        + ", backoff="
        + backoff
        + "]";
  }

  private static void checkPositive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }
}
