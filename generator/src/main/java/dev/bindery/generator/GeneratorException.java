package dev.bindery.generator;

import java.net.URI;
import java.util.Objects;

/**
 * A generator call that failed, with what kind of failure it was and the endpoint it was talking
 * to. The message always names the endpoint URL.
 */
public final class GeneratorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The endpoint could not be reached (refused, unknown host, connect timeout, reset). */
    UNREACHABLE,
    /** No response, or no next piece of a stream, within the request timeout. */
    TIMEOUT,
    /** HTTP 429 on every attempt. */
    RATE_LIMITED,
    /** HTTP 5xx on every attempt, or an error object inside a stream. */
    SERVER_ERROR,
    /** HTTP 4xx other than 429: the request (model name, key, payload) was refused. */
    REJECTED,
    /** The response was not what the protocol says: not JSON, missing fields, cut short. */
    MALFORMED_RESPONSE,
    /** The calling thread was interrupted while waiting. */
    INTERRUPTED
  }

  private final Kind kind;
  private final URI endpoint;
  private final int status;
  private final int attempts;

  /**
   * @param kind what went wrong
   * @param endpoint the URL that was called
   * @param status the HTTP status, or -1 when there was none
   * @param attempts attempts made, >= 1
   * @param detail what happened, without the endpoint (it is prepended)
   * @param cause the underlying exception, or null
   */
  public GeneratorException(
      Kind kind, URI endpoint, int status, int attempts, String detail, Throwable cause) {
    super(
        "generator at "
            + endpoint
            + ": "
            + detail
            + (attempts > 1 ? " (after " + attempts + " attempts)" : ""),
        cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.status = status;
    this.attempts = attempts;
  }

  public Kind kind() {
    return kind;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** The HTTP status, or -1 when the failure came before or without one. */
  public int status() {
    return status;
  }

  /** HTTP attempts made. */
  public int attempts() {
    return attempts;
  }
}
