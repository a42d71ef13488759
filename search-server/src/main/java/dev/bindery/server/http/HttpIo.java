package dev.bindery.server.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Request bodies in, JSON out. Bodies are read up to the configured limit and no further: a
 * declared length above it is refused before a byte is read (with {@code Expect: 100-continue} the
 * client never sends the body), and a chunked body is cut off at the limit.
 */
final class HttpIo {
  static final String JSON = "application/json";

  private final Json json;
  private final long maxBodyBytes;

  HttpIo(Json json, long maxBodyBytes) {
    this.json = json;
    this.maxBodyBytes = maxBodyBytes;
  }

  Json json() {
    return json;
  }

  long maxBodyBytes() {
    return maxBodyBytes;
  }

  /** 413 if the request declares a body larger than the limit. */
  void checkDeclaredLength(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw ApiProblem.tooLarge(
          maxBodyBytes,
          "request body is "
              + declared
              + " bytes; this server accepts at most "
              + maxBodyBytes
              + " (serve --max-body)");
    }
  }

  /** The body, at most the limit; 413 past it. */
  byte[] body(Context ctx) {
    checkDeclaredLength(ctx);
    try (InputStream in = ctx.req().getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > maxBodyBytes) {
          throw ApiProblem.tooLarge(
              maxBodyBytes,
              "request body is larger than the " + maxBodyBytes + " bytes this server accepts");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      // The client went away or sent a broken chunked body.
      throw ApiProblem.badRequest("cannot read the request body: " + e.getMessage());
    }
  }

  /** Writes {@code value} as JSON with {@code status}. */
  void json(Context ctx, int status, Object value) {
    ctx.status(status);
    ctx.contentType(JSON);
    ctx.result(json.write(value));
  }
}
