package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.TooLargeException;
import dev.bindery.indexer.UnprocessableException;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each typed request error, thrown by a handler, leaves the server through the one {@link
 * ProblemMapper} as the status and problem type its type stands for: real Jetty, real HTTP, the
 * mapper the server installs. (Which code throws which type is tested with the code: the API tests
 * send the requests that make the server, fusion and the index throw them.)
 */
class TypedErrorMappingTest {
  private static final Map<String, Supplier<RuntimeException>> THROWERS = new LinkedHashMap<>();

  static {
    THROWERS.put("bad", () -> new BadArgumentException("request body at /k: k must be >= 1"));
    THROWERS.put("plain", () -> new IllegalArgumentException("a library's own complaint"));
    THROWERS.put("missing", () -> new NotFoundException("collection 'c' has no item 'x'"));
    THROWERS.put("collection", () -> new CollectionNotFoundException("nope", List.of("a")));
    THROWERS.put("exists", () -> new ConflictException("collection 'c' already exists"));
    THROWERS.put("large", () -> new TooLargeException("audio of 900 s exceeds the 600 s limit"));
    THROWERS.put("body", () -> new BodyTooLargeException(2048, "request body is 4096 bytes"));
    THROWERS.put("corrupt", () -> new UnprocessableException("picture 'x.png' cannot be decoded"));
    THROWERS.put("bug", () -> new IllegalStateException("an invariant broke"));
  }

  private static Javalin app;
  private static HttpTestClient http;

  @BeforeAll
  static void start() {
    ProblemMapper problems = new ProblemMapper(new Json(), List.of(Path.of("/nonexistent-root")));
    app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.jetty.host = "127.0.0.1";
              cfg.jetty.port = 0;
              THROWERS.forEach(
                  (name, thrower) ->
                      cfg.routes.addHttpHandler(
                          HandlerType.GET,
                          "/throw/" + name,
                          ctx -> {
                            throw thrower.get();
                          }));
              cfg.routes.exception(Exception.class, (e, ctx) -> problems.write(ctx, e));
            });
    app.start();
    http = new HttpTestClient(URI.create("http://127.0.0.1:" + app.port()));
  }

  @AfterAll
  static void stop() {
    app.stop();
  }

  private static JsonNode problem(String name, int status, String type) {
    JsonNode p = http.get("/throw/" + name).assertProblem(status);
    assertEquals("urn:bindery:problem:" + type, p.get("type").asText(), p.toString());
    assertEquals("/throw/" + name, p.get("instance").asText(), p.toString());
    return p;
  }

  @Test
  void eachTypeMapsToItsStatus() {
    assertEquals(
        "request body at /k: k must be >= 1",
        problem("bad", 400, "bad-request").get("detail").asText());
    assertEquals(
        "a library's own complaint", problem("plain", 400, "bad-request").get("detail").asText());
    assertEquals("Not found", problem("missing", 404, "not-found").get("title").asText());
    assertEquals(
        "unknown collection 'nope'; there are [a]",
        problem("collection", 404, "not-found").get("detail").asText());
    assertEquals("Conflict", problem("exists", 409, "conflict").get("title").asText());
    JsonNode large = problem("large", 413, "too-large");
    assertEquals("audio of 900 s exceeds the 600 s limit", large.get("detail").asText());
    assertFalse(large.has("limit_bytes"), "only a body over --max-body knows its byte limit");
    assertEquals(2048, problem("body", 413, "body-too-large").get("limit_bytes").asLong());
    assertEquals(
        "picture 'x.png' cannot be decoded",
        problem("corrupt", 422, "unprocessable").get("detail").asText());
    JsonNode bug = problem("bug", 500, "internal");
    assertFalse(bug.get("detail").asText().contains("invariant"), "no internals in the body");
  }

  @Test
  void aRefusalFromBelowKeepsItsTypeAndAnUntypedOneIsUnprocessable() {
    NotFoundException missing = new NotFoundException("no item 'x'");
    assertEquals(missing, ProblemMapper.unprocessable("the index refused the items", missing));
    IllegalArgumentException wrapped =
        ProblemMapper.unprocessable(
            "the index refused the items", new IllegalArgumentException("dimension 3 != 4"));
    assertEquals(UnprocessableException.class, wrapped.getClass());
    assertEquals("the index refused the items: dimension 3 != 4", wrapped.getMessage());
    assertEquals("dimension 3 != 4", wrapped.getCause().getMessage());
  }
}
