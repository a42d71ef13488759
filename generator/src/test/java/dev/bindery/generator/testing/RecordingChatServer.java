package dev.bindery.generator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on the loopback interface for protocol tests: it records every request and
 * answers with canned replies in the order they were queued. Replies can be split into pieces
 * written (and flushed) separately, so a client sees them as separate TCP writes; they can wait
 * before the headers, or stall mid-body until the server closes.
 */
public final class RecordingChatServer implements AutoCloseable {

  /** One request as the server saw it. */
  public record Recorded(
      String method, String path, Map<String, List<String>> headers, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body as JSON. */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("request body is not JSON: " + body, e);
      }
    }

    /** A header's first value, or null. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /**
   * A canned reply.
   *
   * @param status HTTP status
   * @param headers extra response headers
   * @param pieces body pieces, each written and flushed on its own, {@code pauseMillis} apart
   * @param delayMillis wait before sending the headers
   * @param stall after the pieces, keep the connection open without ending the body until close
   */
  public record Reply(
      int status,
      Map<String, String> headers,
      List<byte[]> pieces,
      long pauseMillis,
      long delayMillis,
      boolean stall) {

    /** A whole JSON body. */
    public static Reply json(int status, String body) {
      return new Reply(
          status,
          Map.of("Content-Type", "application/json"),
          List.of(body.getBytes(StandardCharsets.UTF_8)),
          0,
          0,
          false);
    }

    /** A body with a content type, split into pieces at the given character offsets. */
    public static Reply split(String contentType, String body, int... cuts) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      List<byte[]> pieces = new ArrayList<>();
      int from = 0;
      for (int cut : cuts) {
        // Cuts are byte offsets, so a multi-byte character can be split across writes.
        pieces.add(java.util.Arrays.copyOfRange(bytes, from, cut));
        from = cut;
      }
      pieces.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
      return new Reply(200, Map.of("Content-Type", contentType), pieces, 15, 0, false);
    }

    /** A body split into pieces of {@code size} bytes. */
    public static Reply everyNBytes(String contentType, String body, int size) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      List<byte[]> pieces = new ArrayList<>();
      for (int i = 0; i < bytes.length; i += size) {
        pieces.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
      }
      return new Reply(200, Map.of("Content-Type", contentType), pieces, 2, 0, false);
    }

    public Reply withHeader(String name, String value) {
      Map<String, String> h = new java.util.LinkedHashMap<>(headers);
      h.put(name, value);
      return new Reply(status, h, pieces, pauseMillis, delayMillis, stall);
    }

    /** This reply after a wait before the headers. */
    public Reply delayed(long millis) {
      return new Reply(status, headers, pieces, pauseMillis, millis, stall);
    }

    /** This reply, then no more bytes and no end of body until the server closes. */
    public Reply thenStall() {
      return new Reply(status, headers, pieces, pauseMillis, delayMillis, true);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  public RecordingChatServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test server", e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://"
        + server.getAddress().getAddress().getHostAddress()
        + ":"
        + server.getAddress().getPort();
  }

  /** Queues replies, answered in order; without one left the server answers 599. */
  public RecordingChatServer enqueue(Reply... rs) {
    replies.addAll(List.of(rs));
    return this;
  }

  /** The requests so far, in arrival order. */
  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** A loopback URL on which nothing listens (a port that was just free). */
  public static String refusingUrl() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] in = ex.getRequestBody().readAllBytes();
      requests.add(
          new Recorded(
              ex.getRequestMethod(),
              ex.getRequestURI().getPath(),
              Map.copyOf(ex.getRequestHeaders()),
              new String(in, StandardCharsets.UTF_8)));
      Reply r = replies.poll();
      if (r == null) {
        r = Reply.json(599, "{\"error\":\"the test queued no reply for this request\"}");
      }
      if (r.delayMillis() > 0 && closing.await(r.delayMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
      r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      // 0 = chunked: every flush below leaves as its own chunk.
      ex.sendResponseHeaders(r.status(), 0);
      OutputStream out = ex.getResponseBody();
      for (byte[] piece : r.pieces()) {
        out.write(piece);
        out.flush();
        if (r.pauseMillis() > 0 && closing.await(r.pauseMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      }
      if (r.stall()) {
        closing.await(60, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away (a timeout test cancelled the exchange): nothing to answer.
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
