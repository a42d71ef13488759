package dev.bindery.server.models;

import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how {@link HubClient} talks to a model hub: the endpoint ({@code HF_ENDPOINT}, default
 * {@code https://huggingface.co}), the access token ({@code HF_TOKEN}, or the older {@code
 * HUGGING_FACE_HUB_TOKEN}), proxies from the environment, and the retry policy for 429 and 5xx
 * answers and dropped connections.
 *
 * @param endpoint base URI of the hub; API and resolve URLs are built under it
 * @param token bearer token sent to the endpoint's host only, or null
 * @param proxies proxy selection for every request
 * @param maxAttempts tries per request, including the first
 * @param initialBackoff wait before the first retry when the server names none; doubles per retry
 * @param maxBackoff the longest wait between tries, whatever the server asks
 * @param sleeper how waiting is done (tests record instead of sleeping)
 */
public record HubSettings(
    URI endpoint,
    String token,
    ProxySelector proxies,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Sleeper sleeper) {

  /** The public Hugging Face Hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  /** Waits between tries. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  public HubSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(proxies, "proxies");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(sleeper, "sleeper");
    String scheme = endpoint.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme) || endpoint.getHost() == null) {
      throw new IllegalArgumentException(
          "hub endpoint must be an http(s) URL with a host, got '" + endpoint + "'");
    }
    String s = endpoint.toString();
    if (s.endsWith("/")) {
      endpoint = URI.create(s.substring(0, s.length() - 1));
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
  }

  /** Settings from the process environment (see the class comment); 5 tries, backoff 1 s..60 s. */
  public static HubSettings fromEnvironment(Map<String, String> env) {
    String e = env.get("HF_ENDPOINT");
    URI endpoint;
    try {
      endpoint = e == null || e.isBlank() ? DEFAULT_ENDPOINT : URI.create(e.trim());
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException("HF_ENDPOINT '" + e + "' is not a URL", bad);
    }
    String token = env.get("HF_TOKEN");
    if (token == null || token.isBlank()) {
      token = env.get("HUGGING_FACE_HUB_TOKEN");
    }
    return new HubSettings(
        endpoint,
        token,
        EnvironmentProxySelector.fromEnvironment(env),
        5,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        d -> Thread.sleep(d.toMillis()));
  }

  public HubSettings withEndpoint(URI uri) {
    return new HubSettings(uri, token, proxies, maxAttempts, initialBackoff, maxBackoff, sleeper);
  }

  public HubSettings withRetries(int attempts, Duration initial, Duration max, Sleeper s) {
    return new HubSettings(endpoint, token, proxies, attempts, initial, max, s);
  }

  @Override
  public String toString() {
    // Never print the token.
    return "HubSettings[endpoint="
        + endpoint
        + ", token="
        + (token == null ? "none" : "set")
        + ", proxies="
        + proxies
        + ", maxAttempts="
        + maxAttempts
        + "]";
  }
}
