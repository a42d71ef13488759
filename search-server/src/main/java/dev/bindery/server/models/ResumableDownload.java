package dev.bindery.server.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file fetched from a hub into a partial file, resumed from the bytes already there with an
 * HTTP {@code Range} request (and started over when the server ignores it or refuses the range),
 * retried with {@link HubBackoff} on 429, 5xx, dropped and short connections. It never holds more
 * than one buffer of the file; the caller verifies the content.
 */
final class ResumableDownload {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final HubTransport transport;

  ResumableDownload(HubTransport transport) {
    this.transport = transport;
  }

  /**
   * Fetches {@code uri} until {@code part} holds {@code file.size()} bytes.
   *
   * @param what the repository and file, for messages
   * @param progress told the number of bytes each time some arrive (negative when a partial file
   *     had to be discarded)
   * @return the checksum the hub sent with the file, if any
   * @throws HubException when the hub refuses, or keeps failing after every retry
   */
  Optional<String> fetch(
      String what, String repo, URI uri, RepoFile file, Path part, LongConsumer progress) {
    HubSettings settings = transport.settings();
    Optional<String> etag = Optional.empty();
    HubBackoff backoff = new HubBackoff(settings);
    for (int attempt = 1; ; attempt++) {
      try {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > file.size()) {
          Files.delete(part);
          progress.accept(-have);
          have = 0;
        }
        if (have == file.size() && file.size() > 0) {
          return etag;
        }
        HubTransport.Exchange<InputStream> ex =
            transport.exchange(
                uri,
                have > 0 ? "bytes=" + have + "-" : null,
                HttpResponse.BodyHandlers.ofInputStream());
        if (ex.etag().isPresent()) {
          etag = ex.etag();
        }
        HttpResponse<InputStream> r = ex.response();
        int s = r.statusCode();
        boolean append;
        if (s == 200) {
          append = false;
          if (have > 0) {
            progress.accept(-have); // the server sends the whole file again
          }
        } else if (s == 206) {
          long start = rangeStart(r);
          if (start != have) {
            r.body().close();
            throw new HubException(
                s, what + ": asked for bytes from " + have + ", the server sent from " + start);
          }
          append = true;
        } else if (s == 416) {
          r.body().close();
          Files.deleteIfExists(part);
          progress.accept(-have);
          if (attempt >= settings.maxAttempts()) {
            throw new HubException(s, what + ": the server refused every range request (416)");
          }
          continue;
        } else if (HubTransport.retryable(s)) {
          r.body().close();
          if (attempt >= settings.maxAttempts()) {
            throw transport.failure(
                what, repo, s, attempt, r.headers().firstValue("retry-after").orElse(null), "");
          }
          backoff.after(r);
          continue;
        } else {
          String body;
          try (InputStream in = r.body()) {
            body = new String(in.readNBytes(400), java.nio.charset.StandardCharsets.UTF_8);
          }
          throw transport.failure(what, repo, s, attempt, null, body);
        }
        copy(what, s, r, file, part, append, append ? have : 0, progress);
        if (Files.size(part) == file.size()) {
          return etag;
        }
        // The connection ended early without an error: resume like a dropped connection.
        throw new IOException(
            "connection closed after " + Files.size(part) + " of " + file.size() + " bytes");
      } catch (IOException e) {
        if (attempt >= settings.maxAttempts()) {
          throw new HubException(
              0,
              what
                  + ": download failed "
                  + attempt
                  + " times, last: "
                  + HubTransport.describe(e)
                  + ". Run the same pull again to resume from the bytes already fetched.",
              e);
        }
        backoff.afterFailure();
      }
    }
  }

  /** Writes the answer's body to {@code part}, never past the listed size. */
  private static void copy(
      String what,
      int status,
      HttpResponse<InputStream> r,
      RepoFile file,
      Path part,
      boolean append,
      long written,
      LongConsumer progress)
      throws IOException {
    Files.createDirectories(part.toAbsolutePath().getParent());
    try (InputStream in = r.body();
        OutputStream out =
            Files.newOutputStream(
                part,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (written + n > file.size()) {
          throw new HubException(
              status, what + ": the server sent more than the listed " + file.size() + " bytes");
        }
        out.write(buf, 0, n);
        written += n;
        progress.accept(n);
      }
    }
  }

  private static long rangeStart(HttpResponse<?> r) {
    String cr = r.headers().firstValue("content-range").orElse("");
    Matcher m = CONTENT_RANGE.matcher(cr);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
