package dev.bindery.server.http;

import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One endpoint of the HTTP API with everything the server and the OpenAPI document need: method,
 * path, who may call it, the request and response records, the errors it can answer with, and the
 * handler. {@link BinderyServer} registers exactly these routes, and {@link OpenApiDocument}
 * describes exactly these, so the document lists every route the server has.
 *
 * @param method HTTP method
 * @param path Javalin/OpenAPI path template, e.g. {@code /v1/collections/{name}}
 * @param operationId unique camelCase name of the operation
 * @param summary one line for the document
 * @param scope the API-key scope needed, or null for a public route
 * @param requestBodies JSON request records (several: any one of them), empty for none
 * @param multipart a multipart/form-data record accepted besides JSON, or null
 * @param status the success status
 * @param response the success response record, or null for none ({@code 204}) or non-JSON
 * @param responseType the success media type when it is not JSON, else null
 * @param errors the error statuses this route answers with (problem+json)
 * @param query the query parameters it reads
 * @param responseHeaders the headers a success response carries besides the usual ones
 * @param handler the controller method
 */
public record Route(
    HandlerType method,
    String path,
    String operationId,
    String summary,
    Scope scope,
    List<Class<?>> requestBodies,
    Class<?> multipart,
    int status,
    Class<?> response,
    String responseType,
    List<Integer> errors,
    List<QueryParam> query,
    List<ResponseHeader> responseHeaders,
    RouteHandler handler) {

  /** A controller method: parses, validates, calls the facade and serializes. */
  @FunctionalInterface
  public interface RouteHandler {
    void handle(Context ctx, Caller caller) throws Exception;
  }

  /**
   * A query parameter.
   *
   * @param name as in the URL
   * @param type {@code boolean}, {@code integer} or {@code string}
   * @param description one line
   */
  public record QueryParam(String name, String type, String description) {}

  /**
   * A header a success response carries, for the document.
   *
   * @param name as sent, e.g. {@code Server-Timing}
   * @param description one line: what its value says
   */
  public record ResponseHeader(String name, String description) {}

  public Route {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(operationId, "operationId");
    Objects.requireNonNull(summary, "summary");
    requestBodies = List.copyOf(requestBodies);
    errors = List.copyOf(new TreeSet<>(errors));
    query = List.copyOf(query);
    responseHeaders = List.copyOf(responseHeaders);
    Objects.requireNonNull(handler, "handler");
  }

  /** Starts a route. */
  public static Builder of(HandlerType method, String path, String operationId) {
    return new Builder(method, path, operationId);
  }

  /** True if the path names a collection ({@code {name}}), whose access the key must allow. */
  public boolean perCollection() {
    return path.contains("{name}");
  }

  /** "POST /v1/collections/{name}/items", for messages. */
  public String describe() {
    return method + " " + path;
  }

  /** Builder for {@link Route}. */
  public static final class Builder {
    private final HandlerType method;
    private final String path;
    private final String operationId;
    private String summary = "";
    private Scope scope;
    private final List<Class<?>> requestBodies = new ArrayList<>();
    private Class<?> multipart;
    private int status = 200;
    private Class<?> response;
    private String responseType;
    private final List<Integer> errors = new ArrayList<>();
    private final List<QueryParam> query = new ArrayList<>();
    private final List<ResponseHeader> responseHeaders = new ArrayList<>();

    private Builder(HandlerType method, String path, String operationId) {
      this.method = method;
      this.path = path;
      this.operationId = operationId;
    }

    public Builder summary(String s) {
      summary = s;
      return this;
    }

    /** Needs a key of this scope (when keys are on); also adds 401 and 403 to the errors. */
    public Builder scope(Scope s) {
      scope = s;
      errors.add(401);
      errors.add(403);
      return this;
    }

    /**
     * Takes a JSON body of one of these records; also adds 400, 413 and 415 (any other content
     * type) to the errors.
     */
    public Builder body(Class<?>... types) {
      requestBodies.addAll(List.of(types));
      errors.add(400);
      errors.add(413);
      errors.add(415);
      return this;
    }

    public Builder multipart(Class<?> type) {
      multipart = type;
      return this;
    }

    public Builder responds(int s, Class<?> type) {
      status = s;
      response = type;
      return this;
    }

    public Builder respondsWith(int s, String mediaType) {
      status = s;
      responseType = mediaType;
      return this;
    }

    public Builder errors(Integer... statuses) {
      errors.addAll(List.of(statuses));
      return this;
    }

    public Builder query(String name, String type, String description) {
      query.add(new QueryParam(name, type, description));
      return this;
    }

    /** A header the success response carries (documented, not enforced). */
    public Builder responseHeader(String name, String description) {
      responseHeaders.add(new ResponseHeader(name, description));
      return this;
    }

    public Route handler(RouteHandler h) {
      return new Route(
          method,
          path,
          operationId,
          summary,
          scope,
          requestBodies,
          multipart,
          status,
          response,
          responseType,
          errors,
          query,
          responseHeaders,
          h);
    }
  }
}
