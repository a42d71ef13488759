package dev.bindery.server.http;

import dev.bindery.fusion.Bindery;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which item files the server may send back, and as what. A file is served only through an item:
 * its path comes from the item's stored {@code source} (set when the item was ingested from that
 * file, or by the upload store), never from the request, and it must still be a regular file with a
 * media extension Bindery ingests. So a request can reach only files that were ingested.
 */
final class ContentFiles {
  private static final Map<String, String> MEDIA_TYPES = mediaTypes();

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
    Map<String, String> m = new HashMap<>();
    DataUrl.EXTENSIONS.forEach((mime, ext) -> m.putIfAbsent(ext, mime));
    m.put("jpeg", "image/jpeg");
    m.put("tif", "image/tiff");
    m.put("wav", "audio/wav");
    m.put("oga", "audio/ogg");
    m.put("m4v", "video/mp4");
    m.put("txt", "text/plain; charset=utf-8");
    m.put("text", "text/plain; charset=utf-8");
    m.put("md", "text/markdown; charset=utf-8");
    // Only what Bindery ingests: anything else was never an item's file.
    m.keySet()
        .retainAll(
            union(
                Bindery.IMAGE_EXTENSIONS,
                Bindery.AUDIO_EXTENSIONS,
                Bindery.VIDEO_EXTENSIONS,
                Bindery.TEXT_EXTENSIONS));
    return Map.copyOf(m);
  }

  @SafeVarargs
  private static java.util.Set<String> union(java.util.Set<String>... sets) {
    java.util.Set<String> all = new java.util.HashSet<>();
    for (java.util.Set<String> s : sets) {
      all.addAll(s);
    }
    return all;
  }
}
