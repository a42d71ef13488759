package dev.bindery.encoders;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A piece of media to embed: a file, or bytes held in memory with a name and (optionally) a MIME
 * type. Decoders read either; what it is ({@link #type()}) is decided by {@link MediaTypes} from
 * the declared MIME type, the name's extension and the first bytes.
 *
 * <p>Nothing here touches the disk for {@link Bytes}: an upload or a question image goes from the
 * request to the decoder without a temporary file.
 */
public sealed interface MediaSource permits MediaSource.File, MediaSource.Bytes {

  /** The file name (for a file) or the given name (for bytes); used for the extension. */
  String name();

  /** How messages and an item's {@code source} name this media: the path, or the name. */
  String describe();

  /** The declared MIME type, or null when there is none (a file, or bytes sent without one). */
  String declaredMimeType();

  /**
   * Up to {@code n} bytes from the start, for format sniffing.
   *
   * @throws IllegalArgumentException if a file is missing or unreadable
   */
  byte[] head(int n);

  /**
   * All the bytes.
   *
   * @throws IllegalArgumentException if a file is missing or unreadable
   */
  byte[] readAllBytes();

  /**
   * What this media is (modality, MIME type, extension); see {@link MediaTypes#detect}.
   *
   * @throws IllegalArgumentException if it cannot be told, or the name or MIME type and the content
   *     disagree
   */
  default MediaType type() {
    return MediaTypes.detect(this);
  }

  /** The modality of {@link #type()}. */
  default Modality modality() {
    return type().modality();
  }

  /** A file on disk. */
  static MediaSource of(Path file) {
    return new File(file);
  }

  /**
   * Bytes in memory. The array is not copied: do not change it while this source is in use.
   *
   * @param name a file name whose extension may tell the format ({@code cat.png}); not blank
   * @param mimeType the declared type ({@code image/png}), or null to detect it
   */
  static MediaSource of(byte[] bytes, String name, String mimeType) {
    return new Bytes(bytes, name, mimeType);
  }

  /**
   * A media file.
   *
   * @param path the file; it is read when decoded, not when this is made
   */
  record File(Path path) implements MediaSource {
    public File {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String name() {
      Path n = path.getFileName();
      return n == null ? path.toString() : n.toString();
    }

    @Override
    public String describe() {
      return path.toString();
    }

    @Override
    public String declaredMimeType() {
      return null;
    }

    @Override
    public byte[] head(int n) {
      try (InputStream in = Files.newInputStream(path)) {
        return in.readNBytes(n);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException(path + ": no such file", e);
      } catch (IOException e) {
        throw new IllegalArgumentException(path + ": cannot read: " + e, e);
      }
    }

    @Override
    public byte[] readAllBytes() {
      try {
        return Files.readAllBytes(path);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException(path + ": no such file", e);
      } catch (IOException e) {
        throw new IllegalArgumentException(path + ": cannot read: " + e, e);
      }
    }
  }

  /**
   * Media held in memory (an upload, a data URL, a question image).
   *
   * @param bytes the content; not copied (see {@link MediaSource#of(byte[], String, String)})
   * @param name a file name for messages and for the extension; not blank
   * @param mimeType the declared MIME type, or null
   */
  record Bytes(byte[] bytes, String name, String mimeType) implements MediaSource {
    public Bytes {
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("media bytes need a non-blank name, got '" + name + "'");
      }
      if (mimeType != null && mimeType.isBlank()) {
        mimeType = null;
      }
    }

    @Override
    public String describe() {
      return name;
    }

    @Override
    public String declaredMimeType() {
      return mimeType;
    }

    @Override
    public byte[] head(int n) {
      return Arrays.copyOf(bytes, Math.min(n, bytes.length));
    }

    @Override
    public byte[] readAllBytes() {
      return bytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b
          && name.equals(b.name)
          && Objects.equals(mimeType, b.mimeType)
          && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * name.hashCode() + Objects.hashCode(mimeType)) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Bytes["
          + name
          + (mimeType == null ? "" : ", " + mimeType)
          + ", "
          + bytes.length
          + " bytes]";
    }
  }
}
