package dev.bindery.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.fusion.query.QuerySyntaxException;
import dev.bindery.generator.GeneratorException;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.TooLargeException;
import dev.bindery.indexer.UnprocessableException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP errors: every failure leaves the server as {@code
 * application/problem+json} with a status that says whose fault it was. Caller mistakes are 4xx
 * with the thrower's message as detail, the status chosen by the exception's type: {@link
 * NotFoundException} 404, {@link ConflictException} 409, {@link TooLargeException} 413, {@link
 * UnprocessableException} 422, any other {@link IllegalArgumentException} (the facade's convention,
 * {@link dev.bindery.indexer.BadArgumentException} among them) 400. Code that detects a case throws
 * the fitting type and lets it travel here; nothing in between catches it to change the status.
 * Anything unexpected is a 500 whose detail carries an error id that is logged with the stack
 * trace.
 */
final class ProblemMapper {
  static final String PROBLEM_JSON = "application/problem+json";
  static final String TYPE_PREFIX = "urn:bindery:problem:";

  private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);

  private final Json json;
  private final List<Pattern> serverPaths;

  /**
   * @param json writes the bodies
   * @param serverPaths folders of this server (data, uploads, temp, home) whose paths a detail must
   *     not disclose: a path under one is cut to its file name
   */
  ProblemMapper(Json json, List<Path> serverPaths) {
    this.json = json;
    List<String> roots = new ArrayList<>();
    for (Path p : serverPaths) {
      if (p != null) {
        String s = p.toAbsolutePath().normalize().toString();
        if (s.length() > 1) {
          roots.add(s);
        }
      }
    }
    // Longest first, so a path under the uploads folder is not first cut at the data folder.
    roots.sort(Comparator.comparingInt(String::length).reversed());
    this.serverPaths =
        roots.stream()
            .distinct()
            .map(
                r ->
                    Pattern.compile(
                        Pattern.quote(r) + "(?=$|[/\\s'\",;()\\[\\]:])(?:/[^\\s'\",;()\\[\\]]*)?"))
            .toList();
  }

  /** The problem an exception stands for. */
  ApiProblem map(Throwable e) {
    return switch (e) {
      case ApiProblem p -> p;
      case QuerySyntaxException q ->
          ApiProblem.of(400, "query-syntax", "Query syntax error", q.getMessage())
              .with("column", q.column());
      case IndexUnavailableException u ->
          ApiProblem.unavailable("index-unavailable", "Index unavailable", u.getMessage(), 30);
      case RejectedExecutionException r ->
          ApiProblem.unavailable(
              "busy", "Server busy", "the server is shutting down or overloaded", 1);
      case HttpResponseException h -> fromJavalin(h);
      case org.eclipse.jetty.http.BadMessageException b when b.getCode() < 500 ->
          ApiProblem.of(
              b.getCode(),
              "bad-request",
              HttpStatus.forStatus(b.getCode()).getMessage(),
              "the request could not be read: " + b.getReason());
      case GeneratorException g ->
          ApiProblem.of(502, "generator-failed", "Answer generator failed", g.getMessage())
              .with("generator_failure", g.kind().name().toLowerCase(java.util.Locale.ROOT));
      case BodyTooLargeException b ->
          ApiProblem.of(413, "body-too-large", "Request body too large", b.getMessage())
              .with("limit_bytes", b.limitBytes());
      case TooLargeException t ->
          ApiProblem.of(413, "too-large", "Content too large", t.getMessage());
      case NotFoundException n -> ApiProblem.notFound(n.getMessage());
      case ConflictException c -> ApiProblem.conflict(c.getMessage());
      case UnprocessableException u -> ApiProblem.unprocessable(u.getMessage(), u);
      // BadArgumentException and every other IllegalArgumentException: the facade's convention
      // for a caller mistake.
      case IllegalArgumentException a -> ApiProblem.badRequest(a.getMessage());
      default -> null;
    };
  }

  /**
   * What a refusal from below (index, encoders, generator) means for a request whose input was
   * well-formed: the refusal itself when its type already says (not found, conflict, too large,
   * unprocessable), else a 422 naming {@code context} with the refusal's message and cause.
   */
  static IllegalArgumentException unprocessable(String context, IllegalArgumentException e) {
    return switch (e) {
      case NotFoundException n -> n;
      case ConflictException c -> c;
      case TooLargeException t -> t;
      case UnprocessableException u -> u;
      default -> new UnprocessableException(context + ": " + e.getMessage(), e);
    };
  }

  /**
   * Runs a call into the layers below (index, encoders, generator) with a well-formed request, and
   * maps its refusal as {@link #unprocessable(String, IllegalArgumentException)}: the one place a
   * controller's call gains that context, instead of a catch at each call.
   */
  static <T, E extends Exception> T unprocessable(String context, Call<T, E> call) throws E {
    try {
      return call.call();
    } catch (IllegalArgumentException e) {
      throw unprocessable(context, e);
    }
  }

  /** A call into the layers below; {@code E}: the checked exception it may throw, if any. */
  @FunctionalInterface
  interface Call<T, E extends Exception> {
    T call() throws E;
  }

  /** Writes the problem for {@code e} as the response. */
  void write(Context ctx, Throwable e) {
    ApiProblem p = map(e);
    if (p == null) {
      String id = UUID.randomUUID().toString();
      LOG.error("error {} handling {} {}: {}", id, ctx.method(), ctx.path(), e.toString(), e);
      p =
          ApiProblem.of(
                  500,
                  "internal",
                  "Internal server error",
                  "the server failed on this request; the log has the details under error id " + id)
              .with("error_id", id);
    }
    ctx.status(p.status());
    p.headers().forEach(ctx::header);
    ctx.contentType(PROBLEM_JSON);
    ctx.result(json.write(body(p, ctx.path())));
  }

  /** The JSON body of a problem. */
  ObjectNode body(ApiProblem p, String instance) {
    ObjectNode o = json.mapper().createObjectNode();
    o.put("type", TYPE_PREFIX + p.type());
    o.put("title", p.title());
    o.put("status", p.status());
    o.put("detail", p.detail() == null ? p.title() : detail(p.detail()));
    if (instance != null) {
      o.put("instance", instance);
    }
    for (Map.Entry<String, Object> e : p.extensions().entrySet()) {
      o.set(e.getKey(), json.mapper().valueToTree(e.getValue()));
    }
    return o;
  }

  /**
   * A detail as it may leave the server: no folder of the server's (a file keeps its name, which
   * the client gave or can see in the item), and no longer than {@link Excerpt#MAX_DETAIL_CHARS}.
   */
  String detail(String detail) {
    String d = Excerpt.of(detail, 4 * Excerpt.MAX_DETAIL_CHARS);
    for (Pattern root : serverPaths) {
      d =
          root.matcher(d)
              .replaceAll(
                  m -> {
                    String path = m.group();
                    int slash = path.lastIndexOf('/');
                    String name = slash < 0 ? "" : path.substring(slash + 1);
                    return Matcher.quoteReplacement(
                        name.isEmpty() || slash == 0 ? "<server folder>" : name);
                  });
    }
    return Excerpt.of(d, Excerpt.MAX_DETAIL_CHARS);
  }

  private static ApiProblem fromJavalin(HttpResponseException h) {
    int status = h.getStatus();
    String detail = h.getMessage();
    return switch (status) {
      case 404 -> ApiProblem.notFound(detail);
      case 405 ->
          ApiProblem.of(
              405, "method-not-allowed", "Method not allowed", detail + "; see /openapi.json");
      case 413 -> ApiProblem.of(413, "body-too-large", "Request body too large", detail);
      default ->
          ApiProblem.of(
              status,
              status >= 500 ? "internal" : "bad-request",
              HttpStatus.forStatus(status).getMessage(),
              detail);
    };
  }
}
