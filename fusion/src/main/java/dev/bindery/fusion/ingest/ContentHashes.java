package dev.bindery.fusion.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digests ingest records for one item: the SHA-256 of its content ({@link
 * Ingestor#CONTENT_HASH}: id, text, media bytes, vectors, metadata, model) and, for a media file,
 * its source digest ({@link Ingestor#SOURCE_HASH}, {@link Ingestor#SOURCE_BYTES}), both from one
 * pass over the media.
 *
 * @param content the content hash, hex
 * @param source the source digest of a media file, or null (no media, or media from a data URL)
 */
record ContentHashes(String content, Map<String, Object> source) {

  /**
   * The hashes of {@code spec} under {@code id}: the media's bytes already read, or its file
   * streamed once (audio and video are not held in memory).
   *
   * @param model the collection's model location ("" for none): a new model re-embeds everything
   */
  static ContentHashes of(ItemSpec spec, String id, MediaInput media, String model) {
    MessageDigest d = sha256();
    field(d, "id", id);
    field(d, "text", spec.text());
    Map<String, Object> source = null;
    if (media != null) {
      field(d, "kind", media.kind());
      field(d, "name", media.file() != null ? media.file().toString() : media.name());
      if (media.bytes() != null) {
        d.update(media.bytes());
        if (media.file() != null) {
          MessageDigest s = sha256();
          s.update(media.bytes());
          source = sourceDigest(s, media.bytes().length);
        }
      } else {
        MessageDigest s = sha256();
        source = sourceDigest(s, stream(media.file(), d, s));
      }
    }
    new TreeMap<>(spec.vectors())
        .forEach(
            (space, v) -> {
              field(d, "vector", space);
              ByteBuffer b = ByteBuffer.allocate(v.length * 4);
              b.asFloatBuffer().put(v);
              d.update(b.array());
            });
    new TreeMap<>(spec.metadata()).forEach((k, v) -> field(d, "meta:" + k, String.valueOf(v)));
    field(d, "model", model);
    return new ContentHashes(HexFormat.of().formatHex(d.digest()), source);
  }

  /** {@value Ingestor#SOURCE_HASH} and {@value Ingestor#SOURCE_BYTES} of a file. */
  static Map<String, Object> sourceDigest(Path file) {
    MessageDigest d = sha256();
    return sourceDigest(d, stream(file, d));
  }

  /** Feeds {@code file} to every digest in one pass; returns its size in bytes. */
  private static long stream(Path file, MessageDigest... digests) {
    long size = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        for (MessageDigest d : digests) {
          d.update(buf, 0, n);
        }
        size += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return size;
  }

  private static Map<String, Object> sourceDigest(MessageDigest d, long size) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(Ingestor.SOURCE_HASH, HexFormat.of().formatHex(d.digest()));
    m.put(Ingestor.SOURCE_BYTES, size);
    return m;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  // A name and a value, each ended by a zero byte: no two different fields hash alike.
  private static void field(MessageDigest d, String name, String value) {
    d.update(name.getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
    if (value != null) {
      d.update(value.getBytes(StandardCharsets.UTF_8));
    }
    d.update((byte) 0);
  }
}
