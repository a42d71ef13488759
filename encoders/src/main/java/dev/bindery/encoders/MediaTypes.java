package dev.bindery.encoders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tells what a piece of media is: which tower reads it and its MIME type. Decoder knowledge, so it
 * lives beside the decoders; the library, the ingestor and the server all ask here.
 *
 * <p>{@link #detect} decides in this order:
 *
 * <ol>
 *   <li>a declared MIME type (bytes sent with one, such as a data URL), unless it is the generic
 *       {@code application/octet-stream}: it must be one of {@link #mimeTypes};
 *   <li>else the name's extension, if it is one of the known ones;
 *   <li>the first bytes are then checked against the magic numbers of the formats the decoders
 *       read: content that is recognisably another modality (a WAV named {@code cat.png}) is an
 *       error naming both, rather than a confusing decoder failure;
 *   <li>with neither a MIME type nor a known extension, the magic number alone decides;
 *   <li>else an {@link IllegalArgumentException} listing the known extensions.
 * </ol>
 *
 * Content that matches no magic number does not contradict a name: the decoder reads it and says
 * what is wrong (an empty file, a truncated PNG). Containers that hold sound or pictures (MP4,
 * Matroska/WebM, Ogg) agree with either an audio or a video name. Stateless and thread-safe.
 */
public final class MediaTypes {
  /** File extensions read as images. */
  public static final Set<String> IMAGE_EXTENSIONS =
      Set.of("png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff");

  /** File extensions read as audio. */
  public static final Set<String> AUDIO_EXTENSIONS =
      Set.of("wav", "flac", "mp3", "ogg", "oga", "opus", "m4a", "aac");

  /** File extensions read as video. */
  public static final Set<String> VIDEO_EXTENSIONS =
      Set.of("mp4", "m4v", "mkv", "webm", "mov", "avi");

  /** File extensions read as UTF-8 text. */
  public static final Set<String> TEXT_EXTENSIONS = Set.of("txt", "md", "text");

  /** How many leading bytes {@link #sniff} looks at. */
  public static final int HEAD_BYTES = 64;

  private static final String OCTET_STREAM = "application/octet-stream";

  /** The MIME types a caller may declare, each with the extension its bytes are read as. */
  private static final Map<String, String> EXTENSION_OF_MIME =
      Map.ofEntries(
          Map.entry("image/png", "png"),
          Map.entry("image/jpeg", "jpg"),
          Map.entry("image/jpg", "jpg"),
          Map.entry("image/gif", "gif"),
          Map.entry("image/bmp", "bmp"),
          Map.entry("image/webp", "webp"),
          Map.entry("image/tiff", "tiff"),
          Map.entry("audio/wav", "wav"),
          Map.entry("audio/x-wav", "wav"),
          Map.entry("audio/wave", "wav"),
          Map.entry("audio/mpeg", "mp3"),
          Map.entry("audio/mp3", "mp3"),
          Map.entry("audio/flac", "flac"),
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

  /** The MIME type an extension stands for (the IANA name where there is one). */
  private static final Map<String, String> MIME_OF_EXTENSION =
      Map.ofEntries(
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("gif", "image/gif"),
          Map.entry("bmp", "image/bmp"),
          Map.entry("webp", "image/webp"),
          Map.entry("tif", "image/tiff"),
          Map.entry("tiff", "image/tiff"),
          Map.entry("wav", "audio/wav"),
          Map.entry("flac", "audio/flac"),
          Map.entry("mp3", "audio/mpeg"),
          Map.entry("ogg", "audio/ogg"),
          Map.entry("oga", "audio/ogg"),
          Map.entry("opus", "audio/opus"),
          Map.entry("m4a", "audio/mp4"),
          Map.entry("aac", "audio/aac"),
          Map.entry("mp4", "video/mp4"),
          Map.entry("m4v", "video/mp4"),
          Map.entry("mkv", "video/x-matroska"),
          Map.entry("webm", "video/webm"),
          Map.entry("mov", "video/quicktime"),
          Map.entry("avi", "video/x-msvideo"),
          Map.entry("txt", "text/plain"),
          Map.entry("md", "text/markdown"),
          Map.entry("text", "text/plain"));

  /** A format recognised by its magic number, with the modalities its container can hold. */
  public enum Format {
    PNG("image/png", "png", Modality.IMAGE),
    JPEG("image/jpeg", "jpg", Modality.IMAGE),
    GIF("image/gif", "gif", Modality.IMAGE),
    BMP("image/bmp", "bmp", Modality.IMAGE),
    WEBP("image/webp", "webp", Modality.IMAGE),
    TIFF("image/tiff", "tiff", Modality.IMAGE),
    WAV("audio/wav", "wav", Modality.AUDIO),
    FLAC("audio/flac", "flac", Modality.AUDIO),
    MP3("audio/mpeg", "mp3", Modality.AUDIO),
    AAC("audio/aac", "aac", Modality.AUDIO),
    /** Ogg Vorbis/Opus, rarely Theora video: read as audio when nothing else tells. */
    OGG("audio/ogg", "ogg", Modality.AUDIO, Modality.VIDEO),
    /** ISO base media (MP4, MOV, M4A): video unless its brand says audio. */
    MP4("video/mp4", "mp4", Modality.VIDEO, Modality.AUDIO),
    /** Matroska and WebM. */
    MATROSKA("video/x-matroska", "mkv", Modality.VIDEO, Modality.AUDIO),
    AVI("video/x-msvideo", "avi", Modality.VIDEO);

    private final String mimeType;
    private final String extension;
    private final Modality primary;
    private final Set<Modality> modalities;

    Format(String mimeType, String extension, Modality first, Modality... more) {
      this.mimeType = mimeType;
      this.extension = extension;
      this.primary = first;
      this.modalities = EnumSet.of(first, more);
    }

    /** The modalities content of this format can be. */
    public Set<Modality> modalities() {
      return modalities;
    }

    /** The modality content of this format is read as when nothing else tells. */
    public Modality primary() {
      return primary;
    }
  }

  private MediaTypes() {}

  /**
   * What {@code media} is; see the class comment for the order of evidence.
   *
   * @throws IllegalArgumentException naming the media when its declared MIME type is not a known
   *     one, its name and content disagree on the modality, or neither tells what it is
   */
  public static MediaType detect(MediaSource media) {
    String name = media.name();
    String declared = media.declaredMimeType();
    MediaType claimed;
    String claimedBy;
    if (declared != null && !declared.equalsIgnoreCase(OCTET_STREAM)) {
      claimed = byMimeType(declared, media.describe());
      claimedBy = "by its declared type '" + declared + "'";
    } else {
      claimed = byExtension(name).orElse(null);
      claimedBy = "by its extension '" + extension(name) + "'";
    }
    byte[] head;
    try {
      head = media.head(HEAD_BYTES);
    } catch (IllegalArgumentException unreadable) {
      if (claimed != null) {
        return claimed; // the decoder reports the missing or unreadable file in its own words
      }
      // The extension is what the caller can fix first; say why the content did not help either.
      throw new IllegalArgumentException(
          unknown(media, "its content cannot be read (" + unreadable.getMessage() + ")"),
          unreadable);
    }
    Optional<Sniffed> sniffed = sniff(head);
    if (claimed != null) {
      if (sniffed.isPresent()
          && !sniffed.get().format().modalities().contains(claimed.modality())) {
        Sniffed s = sniffed.get();
        throw new IllegalArgumentException(
            "'"
                + media.describe()
                + "' is "
                + claimed.modality()
                + " "
                + claimedBy
                + ", but its content is "
                + s.format()
                + " ("
                + s.type().modality()
                + "); fix the "
                + (declared != null ? "MIME type" : "file extension"));
      }
      return claimed;
    }
    if (sniffed.isPresent()) {
      return sniffed.get().type();
    }
    throw new IllegalArgumentException(unknown(media, "its content (no known magic number)"));
  }

  private static String unknown(MediaSource media, String content) {
    return "cannot tell what '"
        + media.describe()
        + "' is from its extension '"
        + extension(media.name())
        + "' or "
        + content
        + "; known: images "
        + new TreeSet<>(IMAGE_EXTENSIONS)
        + ", audio "
        + new TreeSet<>(AUDIO_EXTENSIONS)
        + ", video "
        + new TreeSet<>(VIDEO_EXTENSIONS)
        + ", text "
        + new TreeSet<>(TEXT_EXTENSIONS);
  }

  /**
   * The modality a file name's extension calls for.
   *
   * @throws IllegalArgumentException for an unknown extension, listing the known ones
   */
  public static Modality modalityOf(String name) {
    return byExtension(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "cannot tell what '"
                        + name
                        + "' is from its extension '"
                        + extension(name)
                        + "'; known: images "
                        + new TreeSet<>(IMAGE_EXTENSIONS)
                        + ", audio "
                        + new TreeSet<>(AUDIO_EXTENSIONS)
                        + ", video "
                        + new TreeSet<>(VIDEO_EXTENSIONS)
                        + ", text "
                        + new TreeSet<>(TEXT_EXTENSIONS)))
        .modality();
  }

  /** The type a file name's extension stands for, or empty for an unknown extension. */
  public static Optional<MediaType> byExtension(String name) {
    String ext = extension(name);
    Modality m;
    if (IMAGE_EXTENSIONS.contains(ext)) {
      m = Modality.IMAGE;
    } else if (AUDIO_EXTENSIONS.contains(ext)) {
      m = Modality.AUDIO;
    } else if (VIDEO_EXTENSIONS.contains(ext)) {
      m = Modality.VIDEO;
    } else if (TEXT_EXTENSIONS.contains(ext)) {
      m = Modality.TEXT;
    } else {
      return Optional.empty();
    }
    return Optional.of(new MediaType(m, MIME_OF_EXTENSION.get(ext), ext));
  }

  /**
   * The type a declared MIME type stands for (parameters such as {@code ;charset=} ignored).
   *
   * @param where names the media in the error
   * @throws IllegalArgumentException if it is not one of {@link #mimeTypes}, listing them
   */
  public static MediaType byMimeType(String mimeType, String where) {
    String mime = baseMime(mimeType);
    String ext = EXTENSION_OF_MIME.get(mime);
    if (ext == null) {
      throw new IllegalArgumentException(
          "'"
              + where
              + "' is declared as '"
              + mimeType
              + "', which is not a supported media type; known: "
              + new TreeSet<>(EXTENSION_OF_MIME.keySet()));
    }
    // The canonical name: image/jpg and audio/x-wav are read as image/jpeg and audio/wav.
    return byExtension("x." + ext).orElseThrow();
  }

  /** Every extension {@link #byExtension} knows, sorted. */
  public static Set<String> extensions() {
    return new TreeSet<>(MIME_OF_EXTENSION.keySet());
  }

  /** Every MIME type a caller may declare, sorted. */
  public static Set<String> mimeTypes() {
    return new TreeSet<>(EXTENSION_OF_MIME.keySet());
  }

  /** The MIME types a caller may declare for media of one modality, sorted. */
  public static Set<String> mimeTypes(Modality modality) {
    Set<String> out = new TreeSet<>();
    EXTENSION_OF_MIME.forEach(
        (mime, ext) -> {
          if (byExtension("x." + ext).orElseThrow().modality() == modality) {
            out.add(mime);
          }
        });
    return out;
  }

  /** The lower-case extension of a file name, without the dot; empty if it has none. */
  public static String extension(String name) {
    int dot = name.lastIndexOf('.');
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    return dot <= slash ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * A format recognised from leading bytes, with the type it stands for on its own.
   *
   * @param format the container or codec
   * @param type the type when nothing else tells (an MP4 whose brand is M4A is audio)
   */
  public record Sniffed(Format format, MediaType type) {}

  /**
   * Recognises the formats the decoders read from their first bytes ({@link #HEAD_BYTES} is
   * enough); empty when none matches. Text has no magic number and is never recognised.
   */
  public static Optional<Sniffed> sniff(byte[] head) {
    Format f = format(head);
    if (f == null) {
      return Optional.empty();
    }
    // Not modalities' first element: an EnumSet iterates in declaration order, not ours.
    Modality m = f.primary;
    String mime = f.mimeType;
    String ext = f.extension;
    if (f == Format.MP4 && isAudioBrand(head)) {
      m = Modality.AUDIO;
      mime = "audio/mp4";
      ext = "m4a";
    } else if (f == Format.MATROSKA && contains(head, "webm")) {
      mime = "video/webm";
      ext = "webm";
    }
    return Optional.of(new Sniffed(f, new MediaType(m, mime, ext)));
  }

  private static Format format(byte[] h) {
    if (startsWith(h, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return Format.PNG;
    }
    if (startsWith(h, 0, 0xFF, 0xD8, 0xFF)) {
      return Format.JPEG;
    }
    if (ascii(h, 0, "GIF87a") || ascii(h, 0, "GIF89a")) {
      return Format.GIF;
    }
    if (ascii(h, 0, "BM") && h.length >= 18 && isBmpInfoHeader(le32(h, 14))) {
      return Format.BMP;
    }
    if (startsWith(h, 0, 'I', 'I', 0x2A, 0x00) || startsWith(h, 0, 'M', 'M', 0x00, 0x2A)) {
      return Format.TIFF;
    }
    if ((ascii(h, 0, "RIFF") || ascii(h, 0, "RF64")) && h.length >= 12) {
      if (ascii(h, 8, "WAVE")) {
        return Format.WAV;
      }
      if (ascii(h, 8, "WEBP")) {
        return Format.WEBP;
      }
      if (ascii(h, 8, "AVI ")) {
        return Format.AVI;
      }
    }
    if (ascii(h, 0, "fLaC")) {
      return Format.FLAC;
    }
    if (ascii(h, 0, "OggS")) {
      return Format.OGG;
    }
    // ID3v2 tag: "ID3", a major version 2..4, then a size of four 7-bit bytes.
    if (ascii(h, 0, "ID3")
        && h.length >= 10
        && h[3] >= 2
        && h[3] <= 4
        && (h[6] | h[7] | h[8] | h[9]) >= 0) {
      return Format.MP3;
    }
    if (h.length >= 2 && (h[0] & 0xFF) == 0xFF) {
      int b1 = h[1] & 0xFF;
      if ((b1 & 0xF6) == 0xF0) {
        return Format.AAC; // ADTS: sync, layer 00
      }
      if ((b1 & 0xE0) == 0xE0 && (b1 & 0x06) != 0) {
        return Format.MP3; // MPEG audio frame sync with a layer
      }
    }
    if (ascii(h, 4, "ftyp")) {
      return Format.MP4;
    }
    if (startsWith(h, 0, 0x1A, 0x45, 0xDF, 0xA3)) {
      return Format.MATROSKA;
    }
    return null;
  }

  private static boolean isBmpInfoHeader(long size) {
    return size == 12
        || size == 40
        || size == 52
        || size == 56
        || size == 64
        || size == 108
        || size == 124;
  }

  private static boolean isAudioBrand(byte[] h) {
    if (h.length < 12) {
      return false;
    }
    String brand = new String(h, 8, 4, StandardCharsets.ISO_8859_1);
    return brand.equals("M4A ") || brand.equals("M4B ") || brand.equals("M4P ");
  }

  private static String baseMime(String mime) {
    int semi = mime.indexOf(';');
    return (semi < 0 ? mime : mime.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static boolean startsWith(byte[] h, int at, int... bytes) {
    if (h.length < at + bytes.length) {
      return false;
    }
    for (int i = 0; i < bytes.length; i++) {
      if ((h[at + i] & 0xFF) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean ascii(byte[] h, int at, String s) {
    if (h.length < at + s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (h[at + i] != (byte) s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(byte[] h, String s) {
    byte[] needle = s.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i + needle.length <= h.length; i++) {
      if (Arrays.equals(h, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }

  private static long le32(byte[] h, int at) {
    return (h[at] & 0xFFL)
        | (h[at + 1] & 0xFFL) << 8
        | (h[at + 2] & 0xFFL) << 16
        | (h[at + 3] & 0xFFL) << 24;
  }
}
