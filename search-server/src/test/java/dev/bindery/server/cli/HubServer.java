package dev.bindery.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A loopback HTTP server that answers like the Hugging Face Hub for model downloads: {@code
 * /api/models/{repo}/revision/{rev}} (commit and card license), {@code
 * /api/models/{repo}/tree/{commit}?recursive=true} (files with size, git blob id and, for {@code
 * .onnx} files, {@code lfs.oid} = SHA-256, paged with a {@code Link: rel="next"} header), and
 * {@code /{repo}/resolve/{rev}/{path}}: LFS files redirect (302) to {@code /storage/{sha256}} on a
 * second port (another origin, like the Hub's CDN) with {@code X-Linked-Etag}, {@code
 * X-Linked-Size} and {@code X-Repo-Commit}, small files are answered directly with their git blob
 * id as ETag; both honour {@code Range}. Faults can be injected: connections cut after some bytes,
 * statuses (429 with {@code Retry-After}, 5xx, 403), corrupted content, a required token. Records
 * the requests it saw.
 */
final class HubServer implements AutoCloseable {
  private record Blob(byte[] bytes, String sha256, String gitOid, boolean lfs) {}

  private record Repo(String commit, String license, Map<String, Blob> files) {}

  /** A request as the server saw it. */
  record Seen(String path, String range, String authorization, int status) {}

  private final HttpServer server;
  // The hub redirects file downloads to another origin, as huggingface.co does to its CDN.
  private final HttpServer storageServer;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, Blob> storage = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> cuts = new ConcurrentHashMap<>();
  private final Map<String, Integer> cutAt = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final Map<String, Integer> failStatus = new ConcurrentHashMap<>();
  private final Map<String, String> retryAfter = new ConcurrentHashMap<>();
  private final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile String token;
  private volatile int pageSize = 4;

  HubServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    storageServer =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    storageServer.createContext("/", this::handle);
    storageServer.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Serves every file under {@code dir} as repository {@code repo}; returns its commit. */
  String addRepo(String repo, Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return addRepo(repo, files);
  }

  String addRepo(String repo, Map<String, byte[]> files) {
    Map<String, Blob> blobs = new TreeMap<>();
    StringBuilder tree = new StringBuilder(repo);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      byte[] b = f.getValue();
      String sha = hex("SHA-256", null, b);
      String git = hex("SHA-1", "blob " + b.length + "\0", b);
      Blob blob = new Blob(b, sha, git, f.getKey().endsWith(".onnx"));
      blobs.put(f.getKey(), blob);
      storage.put(sha, blob);
      tree.append(f.getKey()).append(git);
    }
    String commit = hex("SHA-1", null, tree.toString().getBytes(StandardCharsets.UTF_8));
    repos.put(repo, new Repo(commit, "mit", blobs));
    return commit;
  }

  /** The next {@code times} downloads of {@code path} are cut after {@code bytes} bytes. */
  void cutAfter(String path, int bytes, int times) {
    cutAt.put(path, bytes);
    cuts.put(path, new AtomicInteger(times));
  }

  /**
   * The next {@code times} requests whose path contains {@code fragment} (or every request for
   * {@code "*"}) get {@code status}, with {@code Retry-After} if not null.
   */
  void fail(String fragment, int status, int times, String retryAfterValue) {
    failStatus.put(fragment, status);
    failures.put(fragment, new AtomicInteger(times));
    if (retryAfterValue != null) {
      retryAfter.put(fragment, retryAfterValue);
    }
  }

  /** Content of {@code path} is served with one byte flipped (same length). */
  void corrupt(String path) {
    corrupt.put(path, true);
  }

  /** Repository and API requests need {@code Authorization: Bearer <token>}. */
  void requireToken(String t) {
    token = t;
  }

  void pageSize(int n) {
    pageSize = n;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  long count(int status) {
    return seen.stream().filter(s -> s.status() == status).count();
  }

  @Override
  public void close() {
    server.stop(0);
    storageServer.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String range = ex.getRequestHeaders().getFirst("Range");
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    int status = -1; // -1: the connection was cut
    try (ex) {
      status = route(ex, URLDecoder.decode(path, StandardCharsets.UTF_8), range, auth);
    } finally {
      seen.add(new Seen(path, range, auth, status));
    }
  }

  private int route(HttpExchange ex, String path, String range, String auth) throws IOException {
    for (Map.Entry<String, AtomicInteger> f : failures.entrySet()) {
      if ((f.getKey().equals("*") || path.contains(f.getKey()))
          && f.getValue().getAndDecrement() > 0) {
        String ra = retryAfter.get(f.getKey());
        if (ra != null) {
          ex.getResponseHeaders().set("Retry-After", ra);
        }
        return send(ex, failStatus.get(f.getKey()), "{\"error\":\"injected\"}");
      }
    }
    if (path.startsWith("/storage/")) {
      Blob b = storage.get(path.substring("/storage/".length()));
      if (b == null) {
        return send(ex, 404, "no such object");
      }
      String file = fileOf(b);
      return content(ex, b, file, range);
    }
    if (token != null && !("Bearer " + token).equals(auth)) {
      return send(ex, 401, "{\"error\":\"Invalid credentials in Authorization header\"}");
    }
    if (path.startsWith("/api/models/")) {
      return api(ex, path.substring("/api/models/".length()));
    }
    int r = path.indexOf("/resolve/");
    if (r > 0) {
      String repo = path.substring(1, r);
      Repo rp = repos.get(repo);
      if (rp == null) {
        return send(ex, 404, "Repository not found");
      }
      String rest = path.substring(r + "/resolve/".length());
      int slash = rest.indexOf('/');
      String rev = rest.substring(0, slash);
      String file = rest.substring(slash + 1);
      Blob b = rp.files().get(file);
      if (b == null || !(rev.equals("main") || rev.equals(rp.commit()))) {
        return send(ex, 404, "Entry not found");
      }
      ex.getResponseHeaders().set("X-Repo-Commit", rp.commit());
      if (b.lfs()) {
        ex.getResponseHeaders().set("X-Linked-Etag", "\"" + b.sha256() + "\"");
        ex.getResponseHeaders().set("X-Linked-Size", String.valueOf(b.bytes().length));
        ex.getResponseHeaders().set("ETag", "\"" + b.gitOid() + "\"");
        ex.getResponseHeaders()
            .set(
                "Location",
                "http://127.0.0.1:"
                    + storageServer.getAddress().getPort()
                    + "/storage/"
                    + b.sha256()
                    + "?X-Amz-Signature=x");
        ex.sendResponseHeaders(302, -1);
        return 302;
      }
      ex.getResponseHeaders().set("ETag", "\"" + b.gitOid() + "\"");
      return content(ex, b, file, range);
    }
    return send(ex, 404, "not found");
  }

  private String fileOf(Blob b) {
    for (Repo r : repos.values()) {
      for (Map.Entry<String, Blob> f : r.files().entrySet()) {
        if (f.getValue() == b) {
          return f.getKey();
        }
      }
    }
    return "?";
  }

  private int api(HttpExchange ex, String rest) throws IOException {
    ObjectMapper m = new ObjectMapper();
    int rev = rest.indexOf("/revision/");
    int tree = rest.indexOf("/tree/");
    if (rev > 0) {
      Repo rp = repos.get(rest.substring(0, rev));
      String r = rest.substring(rev + "/revision/".length());
      if (rp == null || !(r.equals("main") || r.equals(rp.commit()))) {
        return send(ex, 404, "{\"error\":\"Repository not found\"}");
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("id", rest.substring(0, rev));
      body.put("sha", rp.commit());
      body.put("cardData", Map.of("license", rp.license()));
      body.put("siblings", rp.files().keySet().stream().map(f -> Map.of("rfilename", f)).toList());
      return send(ex, 200, m.writeValueAsString(body));
    }
    if (tree > 0) {
      Repo rp = repos.get(rest.substring(0, tree));
      String commit = rest.substring(tree + "/tree/".length());
      if (rp == null || !commit.equals(rp.commit())) {
        return send(ex, 404, "{\"error\":\"Revision not found\"}");
      }
      String query = ex.getRequestURI().getQuery();
      int cursor = 0;
      if (query != null && query.contains("cursor=")) {
        cursor = Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1"));
      }
      List<Map<String, Object>> items = new ArrayList<>();
      List<Map.Entry<String, Blob>> all = new ArrayList<>(rp.files().entrySet());
      for (int i = cursor; i < Math.min(all.size(), cursor + pageSize); i++) {
        Blob b = all.get(i).getValue();
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("type", "file");
        item.put("oid", b.gitOid());
        item.put("size", b.bytes().length);
        item.put("path", all.get(i).getKey());
        if (b.lfs()) {
          item.put("lfs", Map.of("oid", b.sha256(), "size", b.bytes().length, "pointerSize", 134));
        }
        items.add(item);
      }
      if (cursor + pageSize < all.size()) {
        ex.getResponseHeaders()
            .set(
                "Link",
                "<"
                    + endpoint()
                    + "/api/models/"
                    + rest
                    + "?recursive=true&cursor="
                    + (cursor + pageSize)
                    + ">; rel=\"next\"");
      }
      return send(ex, 200, m.writeValueAsString(items));
    }
    return send(ex, 404, "{\"error\":\"not found\"}");
  }

  private int content(HttpExchange ex, Blob b, String file, String range) throws IOException {
    byte[] bytes = b.bytes();
    if (corrupt.containsKey(file)) {
      bytes = bytes.clone();
      bytes[bytes.length / 2] ^= 0x5A;
    }
    int from = 0;
    int status = 200;
    if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      from = Integer.parseInt(range.substring(6, range.length() - 1));
      if (from >= bytes.length) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
        ex.sendResponseHeaders(416, -1);
        return 416;
      }
      status = 206;
      ex.getResponseHeaders()
          .set("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    ex.getResponseHeaders().set("Accept-Ranges", "bytes");
    int length = bytes.length - from;
    AtomicInteger cut = cuts.get(file);
    boolean cutNow = cut != null && cut.getAndDecrement() > 0;
    ex.sendResponseHeaders(status, length);
    OutputStream out = ex.getResponseBody();
    if (cutNow) {
      int n = Math.max(0, Math.min(length - 1, cutAt.get(file) - from));
      out.write(bytes, from, n);
      out.flush();
      // Drop the connection mid-body, as a flaky network does.
      throw new IOException("cut after " + (from + n) + " bytes (injected)");
    }
    out.write(bytes, from, length);
    return status;
  }

  private static int send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    return status;
  }

  private static String hex(String algorithm, String header, byte[] b) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      if (header != null) {
        md.update(header.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
