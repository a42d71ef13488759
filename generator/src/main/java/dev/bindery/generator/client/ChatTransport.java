package dev.bindery.generator.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.GeneratorException;
import dev.bindery.generator.GeneratorException.Kind;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One JSON-over-HTTP call with the policy of {@link GeneratorConfig}: connect and request timeouts,
 * bounded retries with exponential backoff after failed connects, 429 and 5xx (a Failsafe {@link
 * RetryPolicy} whose delay grows as {@link GeneratorConfig#backoffBefore} says, stretched to a
 * {@code Retry-After}), and errors that name the URL. The body is handed to a {@link BodyReader}
 * line by line. Thread-safe.
 */
final class ChatTransport implements AutoCloseable {

  /** The most response bytes read; a generator that sends more is sending garbage. */
  static final long MAX_RESPONSE_BYTES = 16L << 20;

  /** The most bytes of an error body quoted in a message. */
  private static final int ERROR_SNIPPET_CHARS = 300;

  /** Reads a successful response. */
  interface BodyReader<T> {
    /**
     * @param body the body's lines, each waited for under the transport's timeout policy
     * @param contentType the response's Content-Type, lower-cased, or "" if absent
     * @param attempts attempts it took, for the result
     */
    T read(Lines body, String contentType, int attempts);
  }

  private final GeneratorConfig config;
  private final URI url;
  private final HttpClient client;
  private final ObjectMapper json;

  ChatTransport(GeneratorConfig config, URI url, ObjectMapper json) {
    this.config = Objects.requireNonNull(config, "config");
    this.url = Objects.requireNonNull(url, "url");
    this.json = Objects.requireNonNull(json, "json");
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            // HTTP/2 upgrade attempts confuse some local servers; every generator speaks 1.1.
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  URI url() {
    return url;
  }

  /** A failed attempt: what to report, and whether another attempt may help. */
  private record Failure(
      Kind kind,
      int status,
      String detail,
      Throwable cause,
      boolean retryable,
      Duration retryAfter) {
    GeneratorException toException(URI url, int attempts) {
      return new GeneratorException(kind, url, status, attempts, detail, cause);
    }
  }

  /** One attempt's outcome: a result, or a failure. */
  private record Attempt<T>(T result, Failure failure) {
    static <T> Attempt<T> failed(
        Kind kind, int status, String detail, Throwable cause, boolean retryable, Duration after) {
      return new Attempt<>(null, new Failure(kind, status, detail, cause, retryable, after));
    }
  }

  /**
   * POSTs {@code body} and reads the answer.
   *
   * @param stream true when the answer streams: the request timeout then bounds each line's wait
   *     instead of the whole body
   */
  <T> T post(byte[] body, boolean stream, BodyReader<T> reader) {
    AtomicInteger attempts = new AtomicInteger();
    RetryPolicy<Attempt<T>> retries =
        RetryPolicy.<Attempt<T>>builder()
            // Only an attempt that failed in a way another may help (a failed connect, 429, 5xx)
            // is retried; an exception (an interrupt, a reader's malformed-response error) ends
            // the call at once.
            .handleIf(
                (a, thrown) -> thrown == null && a.failure() != null && a.failure().retryable())
            .withMaxRetries(config.maxRetries())
            .withDelayFn(
                ctx -> delayBefore(attempts.get(), ctx.getLastResult().failure().retryAfter()))
            .build();
    Attempt<T> last;
    try {
      last =
          Failsafe.with(retries)
              .get(() -> attempt(body, stream, reader, attempts.incrementAndGet()));
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException interrupted) {
        // Failsafe has set the thread's interrupt flag again.
        throw new GeneratorException(
            Kind.INTERRUPTED,
            url,
            -1,
            attempts.get(),
            "interrupted while waiting to retry",
            interrupted);
      }
      throw e;
    }
    if (last.failure() != null) {
      throw last.failure().toException(url, attempts.get());
    }
    return last.result();
  }

  /** Backoff before retry {@code retry} (1-based), stretched to Retry-After, capped. */
  private Duration delayBefore(int retry, Duration retryAfter) {
    Duration delay = config.backoffBefore(retry);
    if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
      delay = retryAfter;
    }
    return delay.compareTo(GeneratorConfig.MAX_BACKOFF) > 0 ? GeneratorConfig.MAX_BACKOFF : delay;
  }

  private <T> Attempt<T> attempt(byte[] body, boolean stream, BodyReader<T> reader, int attempt) {
    long start = System.nanoTime();
    long timeoutMs = config.requestTimeout().toMillis();
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(url)
            .timeout(config.requestTimeout())
            .header("Content-Type", "application/json")
            .header(
                "Accept", stream ? "text/event-stream, application/x-ndjson" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.apiKey() != null) {
      rb.header("Authorization", "Bearer " + config.apiKey());
    }
    LineBodySubscriber lines = new LineBodySubscriber(MAX_RESPONSE_BYTES);
    CompletableFuture<HttpResponse<LineBodySubscriber>> future =
        client.sendAsync(rb.build(), info -> lines);
    HttpResponse<LineBodySubscriber> response;
    try {
      response = future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      lines.cancel();
      return Attempt.failed(
          Kind.TIMEOUT, -1, "no response within " + config.requestTimeout(), e, false, null);
    } catch (InterruptedException e) {
      future.cancel(true);
      lines.cancel();
      Thread.currentThread().interrupt();
      throw new GeneratorException(Kind.INTERRUPTED, url, -1, attempt, "interrupted", e);
    } catch (ExecutionException e) {
      lines.cancel();
      return sendFailure(e.getCause() == null ? e : e.getCause());
    }

    int status = response.statusCode();
    String contentType =
        response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    Lines received =
        new Lines(lines, stream ? -1 : start + TimeUnit.MILLISECONDS.toNanos(timeoutMs), attempt);
    if (status >= 200 && status < 300) {
      try {
        return new Attempt<>(reader.read(received, contentType, attempt), null);
      } finally {
        lines.cancel();
      }
    }
    String snippet;
    try {
      snippet = errorSnippet(received);
    } finally {
      lines.cancel();
    }
    String detail = "HTTP " + status + (snippet.isEmpty() ? "" : ": " + snippet);
    if (status == 429) {
      return Attempt.failed(Kind.RATE_LIMITED, status, detail, null, true, retryAfter(response));
    }
    if (status >= 500) {
      return Attempt.failed(Kind.SERVER_ERROR, status, detail, null, true, retryAfter(response));
    }
    return Attempt.failed(Kind.REJECTED, status, detail, null, false, null);
  }

  private <T> Attempt<T> sendFailure(Throwable cause) {
    if (cause instanceof HttpConnectTimeoutException) {
      return Attempt.failed(
          Kind.UNREACHABLE,
          -1,
          "connect timed out after " + config.connectTimeout(),
          cause,
          true,
          null);
    }
    if (cause instanceof HttpTimeoutException) {
      return Attempt.failed(
          Kind.TIMEOUT, -1, "no response within " + config.requestTimeout(), cause, false, null);
    }
    if (cause instanceof IOException || cause instanceof UnresolvedAddressException) {
      return Attempt.failed(Kind.UNREACHABLE, -1, describeConnectFailure(cause), cause, true, null);
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    throw new IllegalStateException("unexpected failure calling " + url + ": " + cause, cause);
  }

  private static String describeConnectFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return "connection refused (is the server running?)";
      }
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "unknown host";
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String m = cause.getMessage();
    return "cannot reach it: " + (m == null ? cause.getClass().getSimpleName() : m);
  }

  /** The error's message from a JSON error body, else the body's start; "" if unreadable. */
  private String errorSnippet(Lines body) {
    StringBuilder sb = new StringBuilder();
    try {
      String line;
      while (sb.length() < 4 * ERROR_SNIPPET_CHARS && (line = body.next()) != null) {
        sb.append(line).append('\n');
      }
    } catch (GeneratorException e) {
      // The status says enough; a body that does not arrive is not worth another error.
    }
    String text = sb.toString().strip();
    try {
      JsonNode root = json.readTree(text);
      JsonNode error = root == null ? null : root.get("error");
      if (error != null && error.isTextual()) {
        return truncate(error.asText());
      }
      if (error != null && error.isObject() && error.path("message").isTextual()) {
        return truncate(error.path("message").asText());
      }
    } catch (IOException e) {
      // Not JSON: quote the text.
    }
    return truncate(text.replaceAll("\\s+", " "));
  }

  static String truncate(String s) {
    return s.length() <= ERROR_SNIPPET_CHARS ? s : s.substring(0, ERROR_SNIPPET_CHARS) + "...";
  }

  private static Duration retryAfter(HttpResponse<?> response) {
    String v = response.headers().firstValue("Retry-After").orElse(null);
    if (v == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(v.trim());
      return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException e) {
      return null; // An HTTP date: our own backoff is as good.
    }
  }

  /** Builds a malformed-response error for readers. */
  GeneratorException malformed(int attempts, String detail, Throwable cause) {
    return new GeneratorException(Kind.MALFORMED_RESPONSE, url, 200, attempts, detail, cause);
  }

  /** Builds an error for an error object inside a successful response. */
  GeneratorException errorInBody(int attempts, String message) {
    return new GeneratorException(
        Kind.SERVER_ERROR,
        url,
        200,
        attempts,
        "the response is an error: " + truncate(message),
        null);
  }

  ObjectMapper json() {
    return json;
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * The lines of a response body. A non-streamed body must be complete by its deadline; a stream
   * must deliver each line within the request timeout.
   */
  final class Lines {
    private final LineBodySubscriber source;
    private final long deadlineNanos;
    private final int attempt;
    private int count;

    /**
     * @param deadlineNanos {@link System#nanoTime()} by which the whole body must be read, or -1
     *     for a per-line idle timeout
     */
    Lines(LineBodySubscriber source, long deadlineNanos, int attempt) {
      this.source = source;
      this.deadlineNanos = deadlineNanos;
      this.attempt = attempt;
    }

    /** Lines read so far. */
    int count() {
      return count;
    }

    /**
     * The next line, or null at the end of the body.
     *
     * @throws GeneratorException TIMEOUT, UNREACHABLE (connection lost), MALFORMED_RESPONSE (too
     *     large) or INTERRUPTED
     */
    String next() {
      long wait =
          deadlineNanos < 0
              ? config.requestTimeout().toMillis()
              : TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      LineBodySubscriber.Event e;
      try {
        e = source.poll(wait);
      } catch (InterruptedException ie) {
        source.cancel();
        Thread.currentThread().interrupt();
        throw new GeneratorException(Kind.INTERRUPTED, url, -1, attempt, "interrupted", ie);
      }
      return switch (e) {
        case LineBodySubscriber.Line l -> {
          count++;
          yield l.text();
        }
        case LineBodySubscriber.End end -> null;
        case LineBodySubscriber.Idle idle -> {
          source.cancel();
          throw new GeneratorException(
              Kind.TIMEOUT,
              url,
              200,
              attempt,
              deadlineNanos < 0
                  ? "the stream stalled: no data for "
                      + config.requestTimeout()
                      + " after "
                      + count
                      + " lines"
                  : "the response did not complete within " + config.requestTimeout(),
              null);
        }
        case LineBodySubscriber.Overflow o ->
            throw new GeneratorException(
                Kind.MALFORMED_RESPONSE,
                url,
                200,
                attempt,
                "the response is larger than " + (o.limit() >> 20) + " MiB",
                null);
        case LineBodySubscriber.Failure f ->
            throw new GeneratorException(
                Kind.UNREACHABLE,
                url,
                200,
                attempt,
                "connection lost after "
                    + source.received()
                    + " bytes of the response: "
                    + f.error(),
                f.error());
      };
    }
  }
}
