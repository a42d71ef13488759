package dev.bindery.client;

/**
 * A Bindery server answered a request with an error: an {@code application/problem+json} problem
 * (or, from {@code /v1/embeddings}, OpenAI's error shape). The message names the request (method
 * and path), the status, the problem type and the server's detail, e.g. {@code POST
 * /v1/collections/notes/items: 422 unprocessable: items[0] ('a') cannot be ingested: ...}.
 *
 * <p>4xx statuses are the caller's to fix ({@link #clientError()}); 503 answers carry the server's
 * {@code Retry-After} in {@link #retryAfterSeconds()}. The client never retries by itself.
 */
public final class BinderyApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final String path;
  private final int status;
  private final String problemType;
  private final String detail;
  private final long retryAfterSeconds;

  BinderyApiException(
      String method,
      String path,
      int status,
      String problemType,
      String detail,
      long retryAfterSeconds) {
    super(
        method
            + " "
            + path
            + ": "
            + status
            + " "
            + problemType
            + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.method = method;
    this.path = path;
    this.status = status;
    this.problemType = problemType;
    this.detail = detail;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The request's HTTP method. */
  public String method() {
    return method;
  }

  /** The request's path (without the server's base URL or query string). */
  public String path() {
    return path;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /**
   * The problem's type slug ({@code not-found}, {@code unprocessable}, {@code busy}, ...: the last
   * part of {@code urn:bindery:problem:<slug>}), OpenAI's error code or type for {@code
   * /v1/embeddings}, or {@code http-<status>} when the body was not a problem.
   */
  public String problemType() {
    return problemType;
  }

  /** The server's detail (what was wrong with which input), possibly empty. */
  public String detail() {
    return detail;
  }

  /** True for 4xx: the request was wrong, repeating it will not help. */
  public boolean clientError() {
    return status >= 400 && status < 500;
  }

  /** The server's {@code Retry-After} in seconds, or -1 when it sent none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
