package dev.bindery.fusion;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.MediaTypes;
import dev.bindery.encoders.Modality;
import dev.bindery.indexer.BadArgumentException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code data:<mime>;base64,<bytes>} URL: how media arrive inside JSON (API items, query terms,
 * manifest lines). Paths would read the server's files and remote URLs would make it fetch for the
 * caller (SSRF), so both are refused with a message saying what to send instead. The one parser of
 * the ingestor and the server.
 *
 * @param mime the media type, lower case, without parameters
 * @param bytes the decoded bytes (not copied)
 * @param extension the file extension the media type maps to, which picks the decoder
 */
public record DataUrl(String mime, byte[] bytes, String extension) {

  /**
   * Parses a data URL of any media type Bindery decodes.
   *
   * @param what the input, for messages ("image term", "items[2].image")
   * @throws BadArgumentException naming {@code what}, for a path, a remote URL, a malformed URL, a
   *     media type Bindery does not decode, bad base64, or no bytes
   */
  public static DataUrl parse(String value, String what) {
    return parse(value, what, null, Long.MAX_VALUE);
  }

  /**
   * Parses a data URL that must hold {@code modality} (null: any) of at most {@code maxBytes}
   * decoded bytes; the size is checked from the URL's length before anything is decoded.
   *
   * @throws BadArgumentException as {@link #parse(String, String)}, and for another modality's
   *     media type or a payload above the limit
   */
  public static DataUrl parse(String value, String what, Modality modality, long maxBytes) {
    String lower = value.substring(0, Math.min(16, value.length())).toLowerCase(Locale.ROOT);
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
    if (modality != null) {
      Set<String> known = MediaTypes.mimeTypes(modality);
      if (!known.contains(mime)) {
        throw new BadArgumentException(
            what
                + ": data URL type '"
                + mime
                + "' is not a supported "
                + modality.wireName()
                + " type; known: "
                + known);
      }
    }
    long approx = (long) (value.length() - comma - 1) * 3 / 4;
    if (approx > maxBytes) {
      throw new BadArgumentException(
          what + ": data URL holds about " + approx + " bytes, above the limit " + maxBytes);
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
  public MediaSource media(String stem) {
    return MediaSource.of(bytes, stem + "." + extension, mime);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
