package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bench http}'s measured path: POST /search with the expression, the hit ids read back from
 * the JSON answer and each response's {@code Server-Timing} header added to {@code phases}. With a
 * {@code shared} {@code java.net.http.HttpClient} every search goes through it; without one (null),
 * each client thread has its own keep-alive connection ({@link BlockingHttpClient}).
 */
record HttpSearch(
    HttpClient shared,
    URI base,
    String collection,
    int k,
    ObjectMapper json,
    ServerPhases phases,
    Map<String, byte[]> bodies)
    implements SearchLoad.Mode {
  /**
   * The load generator shares the cores with the server it measures, so it formats each distinct
   * request body once ({@code bodies}, by expression; the load's queries are a fixed list), as load
   * tools such as wrk send prepared requests: its CPU goes to the exchange, not to re-encoding a
   * 4,700-character vector literal.
   */
  HttpSearch(
      HttpClient shared,
      URI base,
      String collection,
      int k,
      ObjectMapper json,
      ServerPhases phases) {
    this(shared, base, collection, k, json, phases, new ConcurrentHashMap<>());
  }

  @Override
  public SearchLoad.Searcher open() {
    String path = "/v1/collections/" + collection + "/search";
    if (shared == null) {
      BlockingHttpClient http = new BlockingHttpClient(base);
      return new SearchLoad.Searcher() {
        @Override
        public List<String> search(String expression) throws IOException {
          BlockingHttpClient.Response res = http.post(path, "application/json", body(expression));
          return answer(res.status(), res.headers().get("server-timing"), res.body());
        }

        @Override
        public void close() throws IOException {
          http.close();
        }
      };
    }
    HttpClient http = shared;
    return new SearchLoad.Searcher() {
      @Override
      public List<String> search(String expression) throws IOException, InterruptedException {
        HttpRequest req =
            HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(expression)))
                .build();
        HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        return answer(
            res.statusCode(), res.headers().firstValue("Server-Timing").orElse(null), res.body());
      }

      @Override
      public void close() {} // shared by every client thread, closed with the bench
    };
  }

  private byte[] body(String expression) throws IOException {
    byte[] known = bodies.get(expression);
    if (known != null) {
      return known;
    }
    ObjectNode body = json.createObjectNode();
    body.put("query", expression);
    body.put("k", k);
    byte[] bytes = json.writeValueAsBytes(body);
    bodies.put(expression, bytes);
    return bytes;
  }

  private List<String> answer(int status, String timing, byte[] body) throws IOException {
    if (status != 200) {
      throw new IllegalStateException(
          "search answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
    }
    if (timing != null) {
      phases.add(timing);
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode h : json.readTree(body).get("hits")) {
      ids.add(h.get("id").asText());
    }
    return ids;
  }
}
