package dev.bindery.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.BadArgumentException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 *       storage host, resumed with {@code Range} ({@link ResumableDownload}).
 * </ul>
 *
 * This class builds those URLs and reads the listing; the exchange itself (redirects with the token
 * kept to the hub's own origin, retries of 429, 5xx and dropped connections that honour {@code
 * Retry-After}, the {@link HubException} messages that name the repository, the status and what to
 * do) is {@link HubTransport}'s. The model layout and the pull's staging live in {@link
 * ModelPuller}. Thread-safe.
 */
public final class HubClient {
  private static final Pattern REPO =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?");
  private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final int MAX_LISTING_PAGES = 1000;

  private final HubSettings settings;
  private final HubTransport transport;
  private final ResumableDownload downloads;
  private final ObjectMapper json = new ObjectMapper();

  public HubClient(HubSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.transport = new HubTransport(settings);
    this.downloads = new ResumableDownload(transport);
  }

  public HubSettings settings() {
    return settings;
  }

  /**
   * Checks a repository id: {@code owner/name} (or a bare legacy {@code name}).
   *
   * @throws BadArgumentException naming the id
   */
  public static String checkRepo(String repo) {
    if (repo == null || !REPO.matcher(repo).matches() || repo.contains("..")) {
      throw new BadArgumentException(
          "'" + repo + "' is not a repository id such as immich-app/ViT-B-32__openai");
    }
    return repo;
  }

  /** The page of a repository on the hub, for messages. */
  public String page(String repo) {
    return transport.page(repo);
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
          transport.get(what, repo, page, HttpResponse.BodyHandlers.ofString());
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
    return downloads.fetch(what, repo, uri, file, part, progress);
  }

  private JsonNode getJson(String what, String repo, URI uri) {
    HttpResponse<String> r = transport.get(what, repo, uri, HttpResponse.BodyHandlers.ofString());
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
