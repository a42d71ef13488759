package dev.bindery.eval.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection that sends a POST and reads its response on the calling
 * thread, as curl, Python's requests or a classic blocking Java client do: request line, headers
 * and body go out in one write on a socket with TCP_NODELAY, and the response is read where it was
 * asked for. {@code java.net.http.HttpClient} instead hands each exchange to its selector thread
 * and completes it on an executor thread: on a loaded 2-core machine each of those wake-ups waited
 * for a time slice, which the bench measured as server overhead. Not thread-safe: one per client
 * thread.
 */
final class BlockingHttpClient implements AutoCloseable {
  /** A response: status, headers (names lower-cased) and body. */
  record Response(int status, Map<String, String> headers, byte[] body) {}

  private final URI base;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  BlockingHttpClient(URI base) {
    if (!"http".equals(base.getScheme()) || base.getPort() < 0) {
      throw new IllegalArgumentException(
          "expected http://host:port, got '" + base + "' (no TLS, an explicit port)");
    }
    this.base = base;
  }

  /** POSTs {@code body} to {@code path} and reads the whole response. */
  Response post(String path, String contentType, byte[] body) throws IOException {
    byte[] head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: "
                + base.getHost()
                + ":"
                + base.getPort()
                + "\r\nContent-Type: "
                + contentType
                + "\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    boolean fresh = socket == null;
    if (fresh) {
      connect();
    }
    try {
      return exchange(request);
    } catch (IOException e) {
      close();
      if (fresh) {
        throw e;
      }
      // The server closed an idle keep-alive connection: one retry on a new one (a search is
      // safe to send twice).
      connect();
      return exchange(request);
    }
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
    out = s.getOutputStream();
  }

  private Response exchange(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    String status = line();
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: '" + status + "'");
    }
    int code;
    try {
      code = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("status line without a status code: '" + status + "'", e);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line: '" + h + "'");
      }
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunked();
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      throw new IOException("response has neither Content-Length nor chunked encoding");
    }
    if ("close".equalsIgnoreCase(headers.get("connection"))) {
      close();
    }
    return new Response(code, headers, body);
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line();
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers: none expected, skipped
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line(); // the CRLF after the chunk
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new EOFException("connection closed in the middle of a response");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    Socket s = socket;
    socket = null;
    if (s != null) {
      s.close();
    }
  }
}
