package dev.bindery.server.http;

import dev.bindery.indexer.BadArgumentException;
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

  /** Slowest average body rate accepted once {@link #RATE_GRACE_S} have passed. */
  static final int MIN_BYTES_PER_SECOND = 1024;

  /** Seconds of reading before the rate is checked. */
  static final int RATE_GRACE_S = 10;

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
      throw new BodyTooLargeException(
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
      long start = System.nanoTime();
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        checkRate(total, System.nanoTime() - start);
        if (total > maxBodyBytes) {
          throw new BodyTooLargeException(
              maxBodyBytes,
              "request body is larger than the " + maxBodyBytes + " bytes this server accepts");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      // The client went away or sent a broken chunked body.
      throw new BadArgumentException("cannot read the request body: " + e.getMessage());
    }
  }

  /**
   * 408 for a body trickled in: after {@value #RATE_GRACE_S} s of reading, at least {@value
   * #MIN_BYTES_PER_SECOND} bytes a second on average. Measured from the first read of the body (not
   * the start of the request, which would fail small bodies read after slow work), so only a client
   * that keeps a connection busy on purpose meets it; Jetty's idle timeout covers one that sends
   * nothing at all.
   */
  static void checkRate(long bytes, long nanos) {
    double seconds = nanos / 1e9;
    if (seconds > RATE_GRACE_S && bytes / seconds < MIN_BYTES_PER_SECOND) {
      throw ApiProblem.of(
          408,
          "request-timeout",
          "Request timeout",
          String.format(
              java.util.Locale.ROOT,
              "the request body arrived at %.0f bytes/s; this server needs at least %d after the"
                  + " first %d s",
              bytes / seconds,
              MIN_BYTES_PER_SECOND,
              RATE_GRACE_S));
    }
  }

  /** Writes {@code value} as JSON with {@code status}. */
  void json(Context ctx, int status, Object value) {
    written(ctx, status, json.write(value));
  }

  /** Sends {@code body}, a value already written by {@link Json#write}, with {@code status}. */
  void written(Context ctx, int status, byte[] body) {
    ctx.status(status);
    ctx.contentType(JSON);
    ctx.result(body);
  }
}
