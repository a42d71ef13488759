package dev.bindery.server.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP error the server means to send: status, a problem type, a one-line title and a detail
 * naming the input and the reason. {@link ProblemMapper} turns it (and every other exception) into
 * an {@code application/problem+json} response, in one place.
 */
public final class ApiProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String title;
  private final transient Map<String, Object> extensions;
  private final transient Map<String, String> headers;

  private ApiProblem(
      int status,
      String type,
      String title,
      String detail,
      Map<String, Object> extensions,
      Map<String, String> headers,
      Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.type = Objects.requireNonNull(type, "type");
    this.title = Objects.requireNonNull(title, "title");
    this.extensions = Map.copyOf(extensions);
    this.headers = Map.copyOf(headers);
  }

  /** A problem of the given status and type slug (see docs/server.md, "Errors"). */
  public static ApiProblem of(int status, String type, String title, String detail) {
    return new ApiProblem(status, type, title, detail, Map.of(), Map.of(), null);
  }

  /** 400: the request is malformed or names something invalid. */
  public static ApiProblem badRequest(String detail) {
    return of(400, "bad-request", "Bad request", detail);
  }

  /** 404: the collection or item does not exist. */
  public static ApiProblem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  /** 409: the thing to create exists. */
  public static ApiProblem conflict(String detail) {
    return of(409, "conflict", "Conflict", detail);
  }

  /** 422: well-formed, but the content cannot be used (a corrupt image, an unknown model). */
  public static ApiProblem unprocessable(String detail, Throwable cause) {
    return new ApiProblem(
        422, "unprocessable", "Unprocessable content", detail, Map.of(), Map.of(), cause);
  }

  /** 503 with Retry-After: the server is busy or the work took too long; try again later. */
  public static ApiProblem unavailable(String type, String title, String detail, int retryAfterS) {
    return of(503, type, title, detail)
        .withHeader("Retry-After", Integer.toString(retryAfterS))
        .with("retry_after_s", retryAfterS);
  }

  /** This problem with one more member in its JSON body. */
  public ApiProblem with(String member, Object value) {
    Map<String, Object> ext = new LinkedHashMap<>(extensions);
    ext.put(member, value);
    return new ApiProblem(status, type, title, getMessage(), ext, headers, getCause());
  }

  /** This problem with one more response header. */
  public ApiProblem withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new ApiProblem(status, type, title, getMessage(), extensions, h, getCause());
  }

  public int status() {
    return status;
  }

  /** The type slug; the JSON {@code type} is {@code urn:bindery:problem:<slug>}. */
  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  /** The detail: what was wrong with which input. */
  public String detail() {
    return getMessage();
  }

  public Map<String, Object> extensions() {
    return extensions;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
