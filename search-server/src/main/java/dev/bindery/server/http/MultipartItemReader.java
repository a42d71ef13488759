package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.text.Utf8Text;
import dev.bindery.fusion.ingest.ItemSpec;
import dev.bindery.indexer.BadArgumentException;
import io.javalin.http.Context;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a multipart item upload: the file parts (each a plain file name and its bytes, within the
 * body limit, read from the request when the item is built), and the optional {@code id} and {@code
 * metadata} parts, decoded as strict UTF-8 and checked by the same rules as a JSON item's. Any
 * other part, a file without a name, or an {@code id} with several files is refused (400); a body
 * over the limit is a {@link BodyTooLargeException} (413). Nothing is written anywhere.
 */
final class MultipartItemReader {
  /** Jetty's wording for its multipart size limits; see {@link #tooLarge}. */
  private static final Pattern JETTY_SIZE_LIMIT = Pattern.compile("(?i)\\bexceed(s|ed)\\b");

  /**
   * One uploaded file: its client-side name (a plain name), its bytes read when asked for, so one
   * upload's files are not all held at once.
   */
  final class UploadedFile {
    private final String name;
    private final Part part;

    private UploadedFile(String name, Part part) {
      this.name = name;
      this.part = part;
    }

    String name() {
      return name;
    }

    /** The file's bytes, within the body limit. */
    byte[] bytes() throws IOException {
      if (part.getSize() > io.maxBodyBytes()) {
        throw new BodyTooLargeException(
            io.maxBodyBytes(), "an uploaded file is larger than the limit");
      }
      try (InputStream in = part.getInputStream()) {
        return in.readAllBytes();
      }
    }
  }

  /**
   * What a multipart upload asks for.
   *
   * @param id the item id for the single file, or null (each file's name is its id)
   * @param metadata the metadata every uploaded item gets (may be empty)
   * @param files at least one
   */
  record Upload(String id, Map<String, Object> metadata, List<UploadedFile> files) {}

  private final HttpIo io;

  MultipartItemReader(HttpIo io) {
    this.io = io;
  }

  /** Reads the request's parts. */
  Upload read(Context ctx) throws IOException {
    io.checkDeclaredLength(ctx);
    List<Part> files = new ArrayList<>();
    String id = null;
    Map<String, Object> metadata = Map.of();
    for (Part p : parts(ctx)) {
      if (p.getSubmittedFileName() != null) {
        files.add(p);
      } else if (p.getName().equals("id")) {
        id = utf8(p, "the 'id' part");
      } else if (p.getName().equals("metadata")) {
        metadata = metadata(utf8(p, "the 'metadata' part"));
      } else {
        throw new BadArgumentException(
            "multipart part '"
                + p.getName()
                + "' is not understood; send file parts, and optionally 'id' and 'metadata'");
      }
    }
    if (files.isEmpty()) {
      throw new BadArgumentException("the multipart body has no file part");
    }
    if (id != null && files.size() > 1) {
      throw new BadArgumentException(
          "'id' names one item, but " + files.size() + " files were uploaded; upload one file");
    }
    List<UploadedFile> uploaded = new ArrayList<>(files.size());
    for (Part p : files) {
      String name = baseName(p.getSubmittedFileName());
      uploaded.add(new UploadedFile(name, p));
    }
    return new Upload(id, metadata, uploaded);
  }

  private Collection<Part> parts(Context ctx) {
    try {
      ctx.uploadedFiles(); // lets Javalin apply its multipart limits to the request
      return ctx.req().getParts();
    } catch (IOException | ServletException | IllegalStateException e) {
      if (tooLarge(e)) {
        throw new BodyTooLargeException(
            io.maxBodyBytes(),
            "the multipart body is larger than the "
                + io.maxBodyBytes()
                + " bytes this server accepts");
      }
      throw new BadArgumentException("the multipart body cannot be read: " + e.getMessage());
    }
  }

  /**
   * Whether Jetty refused the multipart body for its size. Jetty's multipart parser reports its
   * {@code maxTotalRequestSize}/{@code maxFileSize} limits as a 413 {@code HttpException} or only
   * as a bare {@link IllegalStateException} ("max length exceeded: N", "max file size exceeded:
   * N"), so that wording is recognised here, once, where Jetty's failure becomes our typed {@link
   * BodyTooLargeException}; no code of ours decides a status from a message.
   */
  private static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.eclipse.jetty.http.HttpException h && h.getCode() == 413) {
        return true;
      }
      if (t.getMessage() != null && JETTY_SIZE_LIMIT.matcher(t.getMessage()).find()) {
        return true;
      }
    }
    return false;
  }

  private static String utf8(Part p, String what) throws IOException {
    try (InputStream in = p.getInputStream()) {
      return Utf8Text.decode(in.readAllBytes(), what);
    }
  }

  private Map<String, Object> metadata(String json) {
    JsonNode tree =
        io.json().readTree(json.getBytes(StandardCharsets.UTF_8), "the 'metadata' part");
    // The same rules as an item's metadata in JSON: the upload is an item whose content is a file.
    return ItemSpec.metadataFromJson(tree, "the 'metadata' part");
  }

  /**
   * A client's file name, which must be a plain name: browsers send only that, and a name with a
   * path in it is refused rather than guessed at (its extension picks the modality, and without an
   * id it becomes the item id).
   */
  private static String baseName(String submitted) {
    if (submitted.isBlank()) {
      throw new BadArgumentException(
          "an uploaded file has no name; its extension picks its modality");
    }
    if (submitted.indexOf('/') >= 0 || submitted.indexOf('\\') >= 0 || submitted.contains("..")) {
      throw new BadArgumentException(
          "uploaded file name '" + submitted + "' must be a plain file name, without a path");
    }
    return submitted;
  }
}
