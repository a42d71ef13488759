package dev.bindery.server.http;

import dev.bindery.indexer.BadArgumentException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code data:<mime>;base64,<bytes>} URL, the only way media reach the server inside JSON: paths
 * would read the server's files and remote URLs would make it fetch for the caller (SSRF).
 *
 * @param mime the media type, lower case
 * @param bytes the decoded bytes
 * @param extension the file extension the media type maps to, which picks the decoder
 */
record DataUrl(String mime, byte[] bytes, String extension) {

  /** Media types Bindery decodes, with the extension each maps to. */
  static final Map<String, String> EXTENSIONS =
      Map.ofEntries(
          Map.entry("image/png", "png"),
          Map.entry("image/jpeg", "jpg"),
          Map.entry("image/gif", "gif"),
          Map.entry("image/bmp", "bmp"),
          Map.entry("image/webp", "webp"),
          Map.entry("image/tiff", "tiff"),
          Map.entry("audio/wav", "wav"),
          Map.entry("audio/wave", "wav"),
          Map.entry("audio/x-wav", "wav"),
          Map.entry("audio/flac", "flac"),
          Map.entry("audio/mpeg", "mp3"),
          Map.entry("audio/ogg", "ogg"),
          Map.entry("audio/opus", "opus"),
          Map.entry("audio/mp4", "m4a"),
          Map.entry("audio/aac", "aac"),
          Map.entry("video/mp4", "mp4"),
          Map.entry("video/webm", "webm"),
          Map.entry("video/quicktime", "mov"),
          Map.entry("video/x-matroska", "mkv"),
          Map.entry("video/x-msvideo", "avi"),
          Map.entry("text/plain", "txt"));

  /**
   * Parses a data URL.
   *
   * @param what the input, for messages ("image term", "items[2].image")
   * @throws ApiProblem 400 for a path, a remote URL, a media type Bindery does not decode, or bad
   *     base64
   */
  static DataUrl parse(String value, String what) {
    String lower = value.length() > 16 ? value.substring(0, 16).toLowerCase(Locale.ROOT) : value;
    if (lower.startsWith("http:") || lower.startsWith("https:") || lower.startsWith("ftp:")) {
      throw new BadArgumentException(
          what + ": remote URLs are not fetched by this server; send the bytes as a data: URL");
    }
    if (!lower.startsWith("data:")) {
      throw new BadArgumentException(
          what
              + " must be a data: URL (data:image/png;base64,...) over HTTP; file paths are not"
              + " read, got '"
              + abbreviate(value)
              + "'");
    }
    int comma = value.indexOf(',');
    if (comma < 0) {
      throw new BadArgumentException(what + ": data URL has no ',' before its data");
    }
    String header = value.substring(5, comma).toLowerCase(Locale.ROOT);
    if (!header.endsWith(";base64")) {
      throw new BadArgumentException(
          what + ": data URL must be base64 (data:<type>;base64,...), got 'data:" + header + "'");
    }
    String mime = header.substring(0, header.length() - ";base64".length());
    int semi = mime.indexOf(';');
    if (semi >= 0) {
      mime = mime.substring(0, semi); // parameters such as charset do not change the decoder
    }
    String ext = EXTENSIONS.get(mime);
    if (ext == null) {
      throw new BadArgumentException(
          what
              + ": media type '"
              + mime
              + "' is not one Bindery decodes; known: "
              + new java.util.TreeSet<>(EXTENSIONS.keySet()));
    }
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(value.substring(comma + 1));
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException(what + ": data URL is not valid base64: " + e.getMessage());
    }
    if (bytes.length == 0) {
      throw new BadArgumentException(what + ": data URL holds no bytes");
    }
    return new DataUrl(mime, bytes, ext);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
