package dev.bindery.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP endpoint speaking the OpenAI chat-completions protocol (the JDK's HttpServer on
 * loopback), answering every request with one fixed message and recording what it was sent, for the
 * tests of the commands that take a model endpoint.
 */
final class ChatCompletionsEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final List<String> auth = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();

  private ChatCompletionsEndpoint(String content) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] reply =
        ("{\"choices\":[{\"message\":{\"content\":\""
                + content
                + "\"},\"finish_reason\":\"stop\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/v1/chat/completions",
        ex -> {
          auth.add(ex.getRequestHeaders().getFirst("Authorization"));
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, reply.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(reply);
          }
        });
    server.start();
  }

  /** Starts an endpoint whose every answer is {@code content} (no JSON escaping is done). */
  static ChatCompletionsEndpoint start(String content) throws IOException {
    return new ChatCompletionsEndpoint(content);
  }

  /** The base URL to pass as the endpoint. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The Authorization header of each request, in order. */
  List<String> auth() {
    return auth;
  }

  /** The body of each request, in order. */
  List<String> bodies() {
    return bodies;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
