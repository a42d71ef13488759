package dev.bindery.server.http;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.MediaType;
import dev.bindery.encoders.Modality;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.UnprocessableException;
import dev.bindery.server.http.MultipartItemReader.Upload;
import dev.bindery.server.http.MultipartItemReader.UploadedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds the items of a multipart upload and writes them all or nothing: each file's media type
 * from its name and content, its copy staged in the {@link UploadStore} (when the server keeps
 * uploads) so the item's source is a file the server can serve, the item embedded from that copy
 * (else from the bytes in memory: no temporary file, video included). After the write the staged
 * files are committed; after a failure they are discarded, so a refused upload leaves nothing.
 */
final class ItemUploads {
  private final Bindery bindery;
  private final UploadStore uploads;
  private final DecodeGate decodes;

  ItemUploads(Bindery bindery, UploadStore uploads, DecodeGate decodes) {
    this.bindery = bindery;
    this.uploads = uploads;
    this.decodes = decodes;
  }

  /** A file staged in the upload store for item {@code id}; {@code path} null when none is kept. */
  private record Staged(String id, Path path) {}

  /**
   * Embeds the upload's files and hands the items to {@code write} (which writes and commits them
   * all or nothing).
   *
   * @return the ids written, in upload order
   */
  List<String> add(String collection, Upload upload, Consumer<List<Item>> write)
      throws IOException {
    List<Staged> staged = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean written = false;
    try {
      for (UploadedFile f : upload.files()) {
        String where = "file '" + f.name() + "'";
        String itemId = upload.id() != null ? upload.id() : f.name();
        ItemIds.checkWrite(itemId, where);
        if (!seen.add(itemId)) {
          throw new BadArgumentException(where + ": id '" + itemId + "' appears twice");
        }
        byte[] bytes = f.bytes();
        // In memory from the request to the decoder; what it is comes from its name and content.
        MediaSource media = MediaSource.of(bytes, f.name(), null);
        MediaType type = RequestInput.at(where, media::type);
        Staged s = stage(collection, itemId, type.extension(), bytes);
        staged.add(s);
        Map<String, Object> meta = upload.metadata();
        if (s.path() != null) {
          // What .../content checks the stored file against before sending it.
          meta = new LinkedHashMap<>(meta);
          meta.put(Ingestor.SOURCE_HASH, HexFormat.of().formatHex(sha256(bytes)));
          meta.put(Ingestor.SOURCE_BYTES, (long) bytes.length);
        }
        items.add(embed(collection, where, type.modality(), s, media, meta));
      }
      write.accept(items);
      written = true;
    } finally {
      for (Staged s : staged) {
        if (s.path() == null) {
          continue;
        }
        if (written) {
          uploads.commit(collection, s.id(), s.path(), () -> currentSource(collection, s));
        } else {
          uploads.discard(s.path());
        }
      }
    }
    return items.stream().map(Item::id).toList();
  }

  /**
   * The item, embedded from the staged file when there is one (so the item's source is the file the
   * server can serve), else from the bytes in memory; media that need decoding wait for the {@link
   * DecodeGate}. The file was named and typed by the request, so a refusal now is about its
   * content: 422.
   */
  private Item embed(
      String collection,
      String where,
      Modality modality,
      Staged staged,
      MediaSource media,
      Map<String, Object> metadata) {
    MediaSource from = staged.path() != null ? MediaSource.of(staged.path()) : media;
    try {
      return modality == Modality.TEXT
          ? bindery.embed(collection, staged.id(), from, metadata)
          : decodes.run(where, () -> bindery.embed(collection, staged.id(), from, metadata));
    } catch (IllegalArgumentException e) {
      throw new UnprocessableException(where + " cannot be ingested: " + e.getMessage(), e);
    }
  }

  private Staged stage(String collection, String id, String extension, byte[] bytes) {
    if (!uploads.enabled()) {
      return new Staged(id, null);
    }
    return new Staged(id, uploads.stage(collection, id, extension, bytes));
  }

  /** The item's source as the index holds it now (another write may have replaced ours). */
  private String currentSource(String collection, Staged s) {
    try {
      return bindery.backend().get(collection, s.id()).map(Item::source).orElse(null);
    } catch (RuntimeException e) {
      // Dropped or deleted meanwhile: keep the new file rather than guess.
      return s.path().toString();
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
