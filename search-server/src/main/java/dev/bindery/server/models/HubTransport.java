package dev.bindery.server.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP exchange with a model hub: one GET that follows redirects (at most 10) with the token
 * sent to the endpoint's own origin only, never to a storage host; API requests retried on 429, 5xx
 * and dropped connections ({@link HubBackoff}); and the {@link HubException} each refusal becomes,
 * naming the repository, the status and what to do. Thread-safe.
 */
final class HubTransport {
  private static final int MAX_REDIRECTS = 10;

  private final HubSettings settings;
  private final HttpClient http;

  HubTransport(HubSettings settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(settings.proxies())
            .connectTimeout(Duration.ofSeconds(30))
            .build();
  }

  HubSettings settings() {
    return settings;
  }

  /** The page of a repository on the hub, for messages. */
  String page(String repo) {
    return settings.endpoint() + "/" + repo;
  }

  /**
   * A final answer and the checksum header of the first hop (the hub's, not the storage's).
   *
   * @param etag {@code X-Linked-Etag} or {@code ETag}, unquoted, if the hub sent one
   */
  record Exchange<T>(HttpResponse<T> response, Optional<String> etag) {}

  /** One request, following redirects; the token goes only to the endpoint's own origin. */
  <T> Exchange<T> exchange(URI uri, String range, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    Optional<String> etag = Optional.empty();
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(current)
              .timeout(Duration.ofSeconds(60))
              .header("User-Agent", "bindery-models/1")
              .GET();
      if (range != null) {
        b.header("Range", range);
      }
      if (settings.token() != null && sameOrigin(current, settings.endpoint())) {
        b.header("Authorization", "Bearer " + settings.token());
      }
      HttpResponse<T> r;
      try {
        r = http.send(b.build(), handler);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (hop == 0) {
        etag =
            r.headers()
                .firstValue("x-linked-etag")
                .or(() -> r.headers().firstValue("etag"))
                .map(HubTransport::unquote);
      }
      int s = r.statusCode();
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        String location = r.headers().firstValue("location").orElse(null);
        if (r.body() instanceof InputStream in) {
          in.close();
        }
        if (location == null) {
          throw new IOException(current + " answered " + s + " without a Location");
        }
        if (hop >= MAX_REDIRECTS) {
          throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
        }
        current = current.resolve(location);
        continue;
      }
      return new Exchange<>(r, etag);
    }
  }

  /** A small request (API), retried; a 2xx answer or a {@link HubException}. */
  <T> HttpResponse<T> get(String what, String repo, URI uri, HttpResponse.BodyHandler<T> handler) {
    HubBackoff backoff = new HubBackoff(settings);
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> r;
      try {
        r = exchange(uri, null, handler).response();
      } catch (IOException e) {
        if (attempt >= settings.maxAttempts()) {
          throw new HubException(
              0,
              "cannot reach "
                  + settings.endpoint()
                  + " for "
                  + what
                  + " after "
                  + attempt
                  + " tries: "
                  + describe(e)
                  + " (set HF_ENDPOINT for a mirror, https_proxy for a proxy)",
              e);
        }
        backoff.afterFailure();
        continue;
      }
      int s = r.statusCode();
      if (s / 100 == 2) {
        return r;
      }
      if (retryable(s) && attempt < settings.maxAttempts()) {
        backoff.after(r);
        continue;
      }
      String body = r.body() instanceof String str ? str : "";
      throw failure(
          what, repo, s, attempt, r.headers().firstValue("retry-after").orElse(null), body);
    }
  }

  /** Whether an answer with this status is worth another try. */
  static boolean retryable(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  /**
   * What a refusal means for the user: a gated or private repository, a missing one, a rate limit,
   * or the hub's own words.
   */
  HubException failure(
      String what, String repo, int status, int attempts, String retryAfter, String body) {
    String host = settings.endpoint().getHost();
    String msg =
        switch (status) {
          case 401 ->
              settings.token() == null
                  ? what
                      + ": "
                      + host
                      + " answered 401 Unauthorized: "
                      + repo
                      + " does not exist, or is private or gated and needs an access token. Check"
                      + " the name; for a gated model accept its conditions at "
                      + page(repo)
                      + " and set HF_TOKEN to a token from "
                      + settings.endpoint()
                      + "/settings/tokens"
                  : what
                      + ": "
                      + host
                      + " answered 401 Unauthorized: HF_TOKEN was not accepted, or "
                      + repo
                      + " does not exist. Check the token and the name";
          case 403 ->
              what
                  + ": "
                  + host
                  + " answered 403 Forbidden: "
                  + (settings.token() == null
                      ? "no HF_TOKEN is set and "
                      : "the token in HF_TOKEN has no access: ")
                  + repo
                  + " is gated or private. Accept its conditions at "
                  + page(repo)
                  + (settings.token() == null
                      ? " and set HF_TOKEN"
                      : " or use a token with read access");
          case 404 ->
              what
                  + ": "
                  + host
                  + " answered 404 Not Found: no such repository, revision or file (check the"
                  + " name and --revision)";
          case 429 ->
              what
                  + ": "
                  + host
                  + " answered 429 Too Many Requests "
                  + attempts
                  + " times"
                  + (retryAfter == null ? "" : " (it asks to wait " + retryAfter + " s)")
                  + "; try again later"
                  + (settings.token() == null
                      ? ", or set HF_TOKEN (signed-in users get higher limits)"
                      : "");
          default ->
              what
                  + ": "
                  + host
                  + " answered HTTP "
                  + status
                  + (status >= 500 ? " " + attempts + " times" : "")
                  + (body == null || body.isBlank()
                      ? ""
                      : ": " + body.substring(0, Math.min(200, body.length())).strip());
        };
    return new HubException(status, msg);
  }

  /** A connection error for a message; they often carry none ("ConnectException"). */
  static String describe(Throwable e) {
    if (e instanceof java.net.ConnectException) {
      return "connection refused or unreachable";
    }
    if (e instanceof java.net.http.HttpConnectTimeoutException) {
      return "connection timed out";
    }
    String m = e.getMessage();
    String s = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    if (e.getCause() != null && e.getCause() != e && (m == null || m.isBlank())) {
      s += " (" + describe(e.getCause()) + ")";
    }
    return s;
  }

  private static String unquote(String etag) {
    String e = etag.startsWith("W/") ? etag.substring(2) : etag;
    return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")
        ? e.substring(1, e.length() - 1)
        : e;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }
}
