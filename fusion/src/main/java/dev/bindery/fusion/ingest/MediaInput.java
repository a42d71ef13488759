package dev.bindery.fusion.ingest;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.fusion.DataUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An item's media as ingest reads it, once: a file (with its bytes when it is an image, read once
 * for the content hash, the source digest, the format check and the decoder), or the bytes of a
 * data URL with their declared MIME type.
 *
 * @param kind the manifest key the media came under ({@code image}, {@code audio}, ...)
 * @param file the resolved file, or null for a data URL
 * @param bytes the media's bytes, or null for an audio or video file (streamed, not held)
 * @param name the file name, or {@code upload.<ext>} for a data URL
 * @param mimeType the data URL's declared type, or null for a file
 */
record MediaInput(String kind, Path file, byte[] bytes, String name, String mimeType) {

  /** What the decoders read: the bytes in memory, or the file. */
  MediaSource source() {
    if (file == null) {
      return MediaSource.of(bytes, name, mimeType);
    }
    // Named by the full path, as the file itself would be: the item's source and messages stay
    // the path.
    return bytes != null ? MediaSource.of(bytes, file.toString(), null) : MediaSource.of(file);
  }

  /**
   * The media {@code spec} names, or null when it names none.
   *
   * @throws IllegalArgumentException for a file path where {@code options} allow none, a missing or
   *     oversized file, a file whose kind is not the key it came under, or a bad data URL
   */
  static MediaInput read(ItemSpec spec, IngestOptions options) {
    String ref = spec.media();
    if (ref == null) {
      return null;
    }
    String kind = spec.mediaKind();
    if (ref.startsWith("data:")) {
      DataUrl parsed = DataUrl.parse(ref, kind, Modality.fromName(kind), options.maxMediaBytes());
      return new MediaInput(
          kind, null, parsed.bytes(), "upload." + parsed.extension(), parsed.mime());
    }
    if (!options.allowsFiles()) {
      throw new IllegalArgumentException(
          kind + ": file paths are not accepted here; send the content as a data: URL");
    }
    Path file = options.baseDir().resolve(ref).normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(kind + " '" + ref + "': no such file (" + file + ")");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (size > options.maxMediaBytes()) {
      throw new IllegalArgumentException(
          kind
              + " '"
              + ref
              + "' is "
              + size
              + " bytes, above the limit "
              + options.maxMediaBytes());
    }
    byte[] bytes = null;
    if (kind.equals(Modality.IMAGE.wireName())) {
      // An image is decoded whole anyway: read it once, and check its format from those bytes.
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    MediaInput media = new MediaInput(kind, file, bytes, file.getFileName().toString(), null);
    Modality m = media.source().modality();
    if (!m.wireName().equals(kind)) {
      throw new IllegalArgumentException(
          kind
              + " '"
              + ref
              + "' is not "
              + kind
              + " by its extension (it reads as "
              + m.wireName()
              + ")");
    }
    return media;
  }
}
