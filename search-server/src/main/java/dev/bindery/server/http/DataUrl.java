package dev.bindery.server.http;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.MediaTypes;
import dev.bindery.indexer.BadArgumentException;
import java.util.Base64;
import java.util.Locale;

/**
 * A {@code data:<mime>;base64,<bytes>} URL, the only way media reach the server inside JSON: paths
 * would read the server's files and remote URLs would make it fetch for the caller (SSRF).
 *
 * @param mime the media type, lower case
 * @param bytes the decoded bytes
 * @param extension the file extension the media type maps to, which picks the decoder
 */
record DataUrl(String mime, byte[] bytes, String extension) {

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
    String ext;
    try {
      ext = MediaTypes.byMimeType(mime, what).extension();
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException(
          what
              + ": media type '"
              + mime
              + "' is not one Bindery decodes; known: "
              + MediaTypes.mimeTypes());
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

  /** The bytes as media named {@code <stem>.<extension>}, with their declared type. */
  MediaSource media(String stem) {
    return MediaSource.of(bytes, stem + "." + extension, mime);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
