package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A real HTTP client for a test server, with JSON helpers and problem+json assertions. */
final class HttpTestClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
  private final URI base;
  private final List<String> headers;

  HttpTestClient(URI base, String... headers) {
    this.base = base;
    this.headers = List.of(headers);
  }

  /** The same server with other default headers (e.g. another API key). */
  HttpTestClient with(String... headers) {
    return new HttpTestClient(base, headers);
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  Res get(String path) {
    return send(request(path).GET().build());
  }

  Res delete(String path) {
    return send(request(path).DELETE().build());
  }

  Res post(String path, Object json) {
    try {
      return post(path, JSON.writeValueAsBytes(json), "application/json");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Res post(String path, byte[] body, String contentType) {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  Res postRaw(String path, String json) {
    return post(path, json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(5));
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    return b;
  }

  Res send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Res(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The item count of a collection, as the API reports it. */
  long count(String collection) {
    Res r = get("/v1/collections/" + collection);
    assertEquals(200, r.status(), r.text());
    return r.json().get("count").asLong();
  }

  /** Asserts that the server is up and healthy. */
  void assertHealthy() {
    Res r = get("/v1/health");
    assertEquals(200, r.status(), r.text());
    assertEquals("ok", r.json().get("status").asText());
  }

  /** A multipart/form-data body. */
  static final class Multipart {
    final String boundary = "bindery-" + UUID.randomUUID();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Multipart field(String name, byte[] value) {
      head("form-data; name=\"" + name + "\"", null);
      out.writeBytes(value);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    Multipart field(String name, String value) {
      return field(name, value.getBytes(StandardCharsets.UTF_8));
    }

    Multipart file(String name, String filename, String type, byte[] bytes) {
      head("form-data; name=\"" + name + "\"; filename=\"" + filename + "\"", type);
      out.writeBytes(bytes);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    private void head(String disposition, String type) {
      StringBuilder h = new StringBuilder("--").append(boundary).append("\r\n");
      h.append("Content-Disposition: ").append(disposition).append("\r\n");
      if (type != null) {
        h.append("Content-Type: ").append(type).append("\r\n");
      }
      h.append("\r\n");
      out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
    }

    String contentType() {
      return "multipart/form-data; boundary=" + boundary;
    }

    byte[] bytes() {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(out.toByteArray());
      all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
      return all.toByteArray();
    }
  }

  /** A response. */
  record Res(int status, HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + text(), e);
      }
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    List<String> ids() {
      List<String> ids = new ArrayList<>();
      json().get("hits").forEach(h -> ids.add(h.get("id").asText()));
      return ids;
    }

    /** Asserts an RFC 9457 problem of this status, and returns its body. */
    JsonNode assertProblem(int expected) {
      assertEquals(expected, status, text());
      String type = header("Content-Type");
      assertTrue(
          type != null && type.startsWith("application/problem+json"),
          "content type " + type + " for " + text());
      JsonNode p = json();
      assertEquals(expected, p.get("status").asInt(), text());
      assertTrue(p.get("type").asText().startsWith("urn:bindery:problem:"), text());
      assertFalse(p.get("title").asText().isBlank(), text());
      assertFalse(p.get("detail").asText().isBlank(), text());
      return p;
    }
  }
}
