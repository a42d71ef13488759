package dev.bindery.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client for the parts of the Hugging Face Hub's HTTP interface a model download needs, and for
 * any server that answers the same URLs (a mirror named by {@code HF_ENDPOINT}):
 *
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{revision}}: the commit a revision points at ({@code
 *       sha}) and the card's license;
 *   <li>{@code GET /api/models/{repo}/tree/{commit}?recursive=true}: every file with its size, git
 *       blob id and, for LFS files, {@code lfs.oid} (the SHA-256 of the content), paged by {@code
 *       Link: <...>; rel="next"};
 *   <li>{@code GET /{repo}/resolve/{commit}/{path}}: the file, usually through a redirect to a
 *       storage host, resumed with {@code Range}.
 * </ul>
 *
 * Redirects are followed here (at most 10), so the token goes to the endpoint's own host only,
 * never to the storage host. 429 and 5xx answers and dropped connections are retried with
 * exponential backoff that honours {@code Retry-After}; other failures are {@link HubException}s
 * that name the repository, the status and what to do. Thread-safe.
 *
 * <p>Why the retry loops are written here rather than run through Failsafe's {@code RetryPolicy}
 * (as the generator's chat retry is): every wait goes through {@link HubSettings#sleeper()}, so the
 * tests against a local hub record the waits (a {@code Retry-After: 7} must give two 7 s waits)
 * instead of sleeping them; a synchronous Failsafe execution sleeps the calling thread itself and
 * takes no sleeper. And a download attempt is not a pure function of its inputs: it re-reads the
 * partial file to resume from, a 416 deletes that file and retries at once while still spending an
 * attempt, and the last failure's message depends on which kind of answer it was (a status, a
 * dropped connection, a refused range); with a policy those would travel as a result object through
 * {@code handleIf}, {@code withDelayFn} and a second switch after the call, which is longer than
 * the loop it replaces.
 *
 * <p>Why one class of about 600 lines: it is the one place that speaks the hub's HTTP (redirects
 * with the token kept to the hub's own origin, paging, ranges, status messages), and its three
 * public calls share that exchange and the retry waits; the model layout and the pull's staging
 * live in {@link ModelPuller}.
 */
public final class HubClient {
  private static final Pattern REPO =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?");
  private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final int MAX_REDIRECTS = 10;
  private static final int MAX_LISTING_PAGES = 1000;

  private final HubSettings settings;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  public HubClient(HubSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(settings.proxies())
            .connectTimeout(Duration.ofSeconds(30))
            .build();
  }

  public HubSettings settings() {
    return settings;
  }

  /**
   * Checks a repository id: {@code owner/name} (or a bare legacy {@code name}).
   *
   * @throws IllegalArgumentException naming the id
   */
  public static String checkRepo(String repo) {
    if (repo == null || !REPO.matcher(repo).matches() || repo.contains("..")) {
      throw new IllegalArgumentException(
          "'" + repo + "' is not a repository id such as immich-app/ViT-B-32__openai");
    }
    return repo;
  }

  /** The page of a repository on the hub, for messages. */
  public String page(String repo) {
    return settings.endpoint() + "/" + repo;
  }

  /**
   * The repository's files at the commit {@code revision} points to.
   *
   * @throws HubException for 401/403/404/429/5xx and unreadable answers
   */
  public RepoListing listing(String repo, String revision) {
    checkRepo(repo);
    String what = repo + "@" + revision;
    URI info =
        URI.create(settings.endpoint() + "/api/models/" + repo + "/revision/" + encode(revision));
    JsonNode meta = getJson(what, repo, info);
    String commit = meta.path("sha").asText("");
    if (!commit.matches("[0-9a-f]{40}")) {
      throw new HubException(
          200,
          info
              + " named no commit ('sha') for "
              + what
              + "; is "
              + settings.endpoint()
              + " a model hub?");
    }
    String license = license(meta);
    List<RepoFile> files = new ArrayList<>();
    URI page =
        URI.create(
            settings.endpoint() + "/api/models/" + repo + "/tree/" + commit + "?recursive=true");
    for (int n = 0; page != null; n++) {
      if (n >= MAX_LISTING_PAGES) {
        throw new HubException(200, "the listing of " + what + " has over " + n + " pages");
      }
      HttpResponse<String> r =
          withRetries(what, repo, page, null, HttpResponse.BodyHandlers.ofString());
      JsonNode items = parse(page, r.body());
      if (!items.isArray()) {
        throw new HubException(r.statusCode(), page + " did not answer a JSON array of files");
      }
      for (JsonNode item : items) {
        if (!"file".equals(item.path("type").asText("file"))) {
          continue;
        }
        JsonNode lfs = item.path("lfs");
        String sha256 = lfs.isObject() ? lfs.path("oid").asText(null) : null;
        long size =
            lfs.isObject()
                ? lfs.path("size").asLong(item.path("size").asLong())
                : item.path("size").asLong();
        files.add(
            new RepoFile(item.path("path").asText(), size, sha256, item.path("oid").asText(null)));
      }
      page = next(page, r);
    }
    return new RepoListing(repo, revision, commit, license, files);
  }

  private static String license(JsonNode meta) {
    JsonNode card = meta.path("cardData").path("license");
    if (card.isTextual() && !card.asText().isBlank()) {
      return card.asText();
    }
    for (JsonNode tag : meta.path("tags")) {
      if (tag.asText().startsWith("license:")) {
        return tag.asText().substring("license:".length());
      }
    }
    return null;
  }

  private static URI next(URI current, HttpResponse<?> r) {
    for (String link : r.headers().allValues("link")) {
      Matcher m = LINK_NEXT.matcher(link);
      if (m.find()) {
        return current.resolve(m.group(1));
      }
    }
    return null;
  }

  /**
   * Downloads one file into {@code part}, resuming from the bytes already there with an HTTP {@code
   * Range} request (and starting over if the server ignores it). Returns when {@code part} holds
   * {@code file.size()} bytes; the caller verifies the content.
   *
   * @param progress told the number of bytes each time some arrive (negative when a partial file
   *     had to be discarded)
   * @return the checksum the hub sent with the file ({@code X-Linked-Etag} or {@code ETag},
   *     unquoted), if any
   * @throws HubException when the hub refuses, or keeps failing after every retry
   */
  public Optional<String> download(
      String repo, String commit, RepoFile file, Path part, LongConsumer progress) {
    checkRepo(repo);
    String what = repo + ": " + file.path();
    URI uri =
        URI.create(
            settings.endpoint()
                + "/"
                + repo
                + "/resolve/"
                + commit
                + "/"
                + encodePath(file.path()));
    Optional<String> etag = Optional.empty();
    Duration wait = settings.initialBackoff();
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
        Exchange<InputStream> ex =
            exchange(
                uri,
                have > 0 ? "bytes=" + have + "-" : null,
                HttpResponse.BodyHandlers.ofInputStream());
        if (ex.etag.isPresent()) {
          etag = ex.etag;
        }
        HttpResponse<InputStream> r = ex.response;
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
        } else if (retryable(s)) {
          r.body().close();
          if (attempt >= settings.maxAttempts()) {
            throw failure(
                what, repo, s, attempt, r.headers().firstValue("retry-after").orElse(null), "");
          }
          wait = pause(wait, r);
          continue;
        } else {
          String body;
          try (InputStream in = r.body()) {
            body = new String(in.readNBytes(400), StandardCharsets.UTF_8);
          }
          throw failure(what, repo, s, attempt, null, body);
        }
        Files.createDirectories(part.toAbsolutePath().getParent());
        try (InputStream in = r.body();
            OutputStream out =
                Files.newOutputStream(
                    part,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
          byte[] buf = new byte[1 << 16];
          long written = append ? have : 0;
          int n;
          while ((n = in.read(buf)) > 0) {
            if (written + n > file.size()) {
              throw new HubException(
                  s, what + ": the server sent more than the listed " + file.size() + " bytes");
            }
            out.write(buf, 0, n);
            written += n;
            progress.accept(n);
          }
        }
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
                  + describe(e)
                  + ". Run the same pull again to resume from the bytes already fetched.",
              e);
        }
        wait = sleep(wait, null);
      }
    }
  }

  // Connection errors often carry no message ("ConnectException"); name the class and the cause.
  private static String describe(Throwable e) {
    if (e instanceof java.net.ConnectException) {
      return "connection refused or unreachable";
    }
    if (e instanceof java.net.http.HttpConnectTimeoutException) {
      return "connection timed out";
    }
    String m = e.getMessage();
    String s = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    if (e.getCause() != null && e.getCause() != e && (m == null || m.isBlank())) {
      s += " (" + describe(e.getCause()) + ")";
    }
    return s;
  }

  private static long rangeStart(HttpResponse<?> r) {
    String cr = r.headers().firstValue("content-range").orElse("");
    Matcher m = CONTENT_RANGE.matcher(cr);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private record Exchange<T>(HttpResponse<T> response, Optional<String> etag) {}

  /**
   * One request, following redirects; the token goes only to the endpoint's own origin. Returns the
   * final response and the checksum header of the first hop (the hub's, not the storage's).
   */
  private <T> Exchange<T> exchange(URI uri, String range, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    Optional<String> etag = Optional.empty();
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(current)
              .timeout(Duration.ofSeconds(60))
              .header("User-Agent", "bindery-models/1")
              .GET();
      if (range != null) {
        b.header("Range", range);
      }
      if (settings.token() != null && sameOrigin(current, settings.endpoint())) {
        b.header("Authorization", "Bearer " + settings.token());
      }
      HttpResponse<T> r;
      try {
        r = http.send(b.build(), handler);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (hop == 0) {
        etag =
            r.headers()
                .firstValue("x-linked-etag")
                .or(() -> r.headers().firstValue("etag"))
                .map(HubClient::unquote);
      }
      int s = r.statusCode();
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        String location = r.headers().firstValue("location").orElse(null);
        if (r.body() instanceof InputStream in) {
          in.close();
        }
        if (location == null) {
          throw new IOException(current + " answered " + s + " without a Location");
        }
        if (hop >= MAX_REDIRECTS) {
          throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
        }
        current = current.resolve(location);
        continue;
      }
      return new Exchange<>(r, etag);
    }
  }

  private static String unquote(String etag) {
    String e = etag.startsWith("W/") ? etag.substring(2) : etag;
    return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")
        ? e.substring(1, e.length() - 1)
        : e;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private JsonNode getJson(String what, String repo, URI uri) {
    HttpResponse<String> r =
        withRetries(what, repo, uri, null, HttpResponse.BodyHandlers.ofString());
    return parse(uri, r.body());
  }

  private JsonNode parse(URI uri, String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new HubException(
          200,
          uri
              + " did not answer JSON ("
              + e.getMessage()
              + "): "
              + body.substring(0, Math.min(200, body.length())));
    }
  }

  /** A small request (API), retried; a 2xx answer or a {@link HubException}. */
  private <T> HttpResponse<T> withRetries(
      String what, String repo, URI uri, String range, HttpResponse.BodyHandler<T> handler) {
    Duration wait = settings.initialBackoff();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> r;
      try {
        r = exchange(uri, range, handler).response;
      } catch (IOException e) {
        if (attempt >= settings.maxAttempts()) {
          throw new HubException(
              0,
              "cannot reach "
                  + settings.endpoint()
                  + " for "
                  + what
                  + " after "
                  + attempt
                  + " tries: "
                  + describe(e)
                  + " (set HF_ENDPOINT for a mirror, https_proxy for a proxy)",
              e);
        }
        wait = sleep(wait, null);
        continue;
      }
      int s = r.statusCode();
      if (s / 100 == 2) {
        return r;
      }
      if (retryable(s) && attempt < settings.maxAttempts()) {
        wait = pause(wait, r);
        continue;
      }
      String body = r.body() instanceof String str ? str : "";
      throw failure(
          what, repo, s, attempt, r.headers().firstValue("retry-after").orElse(null), body);
    }
  }

  private static boolean retryable(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  private HubException failure(
      String what, String repo, int status, int attempts, String retryAfter, String body) {
    String host = settings.endpoint().getHost();
    String msg =
        switch (status) {
          case 401 ->
              settings.token() == null
                  ? what
                      + ": "
                      + host
                      + " answered 401 Unauthorized: "
                      + repo
                      + " does not exist, or is private or gated and needs an access token. Check"
                      + " the name; for a gated model accept its conditions at "
                      + page(repo)
                      + " and set HF_TOKEN to a token from "
                      + settings.endpoint()
                      + "/settings/tokens"
                  : what
                      + ": "
                      + host
                      + " answered 401 Unauthorized: HF_TOKEN was not accepted, or "
                      + repo
                      + " does not exist. Check the token and the name";
          case 403 ->
              what
                  + ": "
                  + host
                  + " answered 403 Forbidden: "
                  + (settings.token() == null
                      ? "no HF_TOKEN is set and "
                      : "the token in HF_TOKEN has no access: ")
                  + repo
                  + " is gated or private. Accept its conditions at "
                  + page(repo)
                  + (settings.token() == null
                      ? " and set HF_TOKEN"
                      : " or use a token with read access");
          case 404 ->
              what
                  + ": "
                  + host
                  + " answered 404 Not Found: no such repository, revision or file (check the"
                  + " name and --revision)";
          case 429 ->
              what
                  + ": "
                  + host
                  + " answered 429 Too Many Requests "
                  + attempts
                  + " times"
                  + (retryAfter == null ? "" : " (it asks to wait " + retryAfter + " s)")
                  + "; try again later"
                  + (settings.token() == null
                      ? ", or set HF_TOKEN (signed-in users get higher limits)"
                      : "");
          default ->
              what
                  + ": "
                  + host
                  + " answered HTTP "
                  + status
                  + (status >= 500 ? " " + attempts + " times" : "")
                  + (body == null || body.isBlank()
                      ? ""
                      : ": " + body.substring(0, Math.min(200, body.length())).strip());
        };
    return new HubException(status, msg);
  }

  // Honour Retry-After (seconds or an HTTP date) up to maxBackoff; else the doubling backoff.
  private Duration pause(Duration wait, HttpResponse<?> r) {
    Duration asked = null;
    Optional<String> ra = r.headers().firstValue("retry-after");
    if (ra.isPresent()) {
      String v = ra.get().trim();
      try {
        asked = Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
      } catch (NumberFormatException notSeconds) {
        try {
          ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
          asked = Duration.between(ZonedDateTime.now(at.getZone()), at);
          if (asked.isNegative()) {
            asked = Duration.ZERO;
          }
        } catch (RuntimeException notDate) {
          asked = null; // unreadable: fall back to our own backoff
        }
      }
    }
    if (r.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException ignored) {
        // the response is discarded anyway
      }
    }
    return sleep(wait, asked);
  }

  private Duration sleep(Duration wait, Duration asked) {
    Duration d = asked != null ? asked : wait;
    if (d.compareTo(settings.maxBackoff()) > 0) {
      d = settings.maxBackoff();
    }
    try {
      settings.sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(0, "interrupted while waiting to retry", e);
    }
    Duration next = wait.multipliedBy(2);
    return next.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : next;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String path) {
    StringBuilder sb = new StringBuilder();
    for (String seg : path.split("/")) {
      if (!sb.isEmpty()) {
        sb.append('/');
      }
      sb.append(encode(seg));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "HubClient[" + settings + "]";
  }
}
