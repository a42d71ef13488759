package dev.bindery.server.http;

import dev.bindery.encoders.MediaType;
import dev.bindery.encoders.MediaTypes;
import dev.bindery.encoders.Modality;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.NotFoundException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which item files the server may send back, and as what. A file is served only through an item:
 * its path comes from the item's stored {@code source} (set when the item was ingested from that
 * file, or by the upload store), never from the request, and it must still be a regular file with a
 * media extension Bindery ingests. So a request can reach only files that were ingested.
 *
 * <p>The file must also still be the one that was ingested: an item embedded from a file records
 * its size and SHA-256 ({@link Ingestor#SOURCE_BYTES}, {@link Ingestor#SOURCE_HASH}), and {@link
 * #verified} compares them with the file now (the hash is cached per file by modification time,
 * size and identity, so an unchanged file is hashed once). A file that is gone is 410, one that
 * changed (replaced, or a link pointed elsewhere) is 409. Items written before these fields existed
 * carry no hash and are served unchecked. Thread-safe.
 */
final class ContentFiles {
  private static final Map<String, String> MEDIA_TYPES = mediaTypes();

  /** Cache entries kept; past this the cache starts over (hashing again is only slower). */
  private static final int MAX_CACHED = 10_000;

  private record Hashed(Object fileKey, long modified, long size, String sha256) {}

  private final Map<Path, Hashed> hashes = new ConcurrentHashMap<>();

  /**
   * A file to send.
   *
   * @param path the file
   * @param mediaType its Content-Type
   * @param size its length in bytes
   */
  record Servable(Path path, String mediaType, long size) {}

  /** The file behind an item's source, if the server may send it. */
  Optional<Servable> servable(String source) {
    if (source == null || source.isEmpty() || source.startsWith("data:")) {
      return Optional.empty();
    }
    Path p;
    try {
      p = Path.of(source);
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    if (!p.isAbsolute()) {
      return Optional.empty();
    }
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String type =
        dot < 0 ? null : MEDIA_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    if (type == null || !Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Servable(p, type, Files.size(p)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The item's file if it may be sent and is still what was ingested.
   *
   * @throws ApiProblem 404 if the item has no servable file, 410 if its file is gone, 409 if the
   *     file is no longer the one that was ingested
   */
  Servable verified(Item item) {
    String source = item.source();
    Optional<Servable> s = servable(source);
    if (s.isEmpty()) {
      if (mediaPath(source) != null) {
        throw ApiProblem.of(
            410,
            "content-gone",
            "Content gone",
            "item '" + item.id() + "' was ingested from a file that no longer exists");
      }
      throw new NotFoundException(
          "item '"
              + item.id()
              + "' has no file this server can serve (it was not ingested from a file)");
    }
    Servable file = s.get();
    Object expectedHash = item.metadata().get(Ingestor.SOURCE_HASH);
    Object expectedBytes = item.metadata().get(Ingestor.SOURCE_BYTES);
    if (expectedHash == null) {
      return file;
    }
    boolean sizeDiffers = expectedBytes instanceof Number n && n.longValue() != file.size();
    if (sizeDiffers || !expectedHash.toString().equalsIgnoreCase(sha256(file.path()))) {
      throw ApiProblem.of(
          409,
          "content-changed",
          "Content changed",
          "item '"
              + item.id()
              + "': its file changed after it was ingested (size or SHA-256 differ), so the"
              + " server will not send it as this item's content; ingest it again");
    }
    return file;
  }

  private String sha256(Path file) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return "";
    }
    Hashed h = hashes.get(file);
    if (h != null
        && h.modified() == a.lastModifiedTime().toMillis()
        && h.size() == a.size()
        && Objects.equals(h.fileKey(), a.fileKey())) {
      return h.sha256();
    }
    String sha = Ingestor.sourceDigest(file).get(Ingestor.SOURCE_HASH).toString();
    if (hashes.size() >= MAX_CACHED) {
      hashes.clear();
    }
    hashes.put(file, new Hashed(a.fileKey(), a.lastModifiedTime().toMillis(), a.size(), sha));
    return sha;
  }

  /** The path of a source that names a media file (whether or not it exists), else null. */
  private static Path mediaPath(String source) {
    if (source == null || source.isEmpty() || source.startsWith("data:")) {
      return null;
    }
    try {
      Path p = Path.of(source);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      int dot = name.lastIndexOf('.');
      return p.isAbsolute()
              && dot >= 0
              && MEDIA_TYPES.containsKey(name.substring(dot + 1).toLowerCase(Locale.ROOT))
          ? p
          : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /** The URL of an item's file when it can be served, else null. */
  String url(String collection, String id, String source) {
    if (servable(source).isEmpty()) {
      return null;
    }
    return "/v1/collections/" + collection + "/items/" + encode(id) + "/content";
  }

  /** Percent-encodes a path segment (URLEncoder is for forms: it writes '+' for space). */
  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Map<String, String> mediaTypes() {
    // Only what Bindery ingests: anything else was never an item's file.
    Map<String, String> m = new HashMap<>();
    for (String ext : MediaTypes.extensions()) {
      MediaType t = MediaTypes.byExtension("x." + ext).orElseThrow();
      m.put(ext, t.modality() == Modality.TEXT ? t.mimeType() + "; charset=utf-8" : t.mimeType());
    }
    return Map.copyOf(m);
  }
}
