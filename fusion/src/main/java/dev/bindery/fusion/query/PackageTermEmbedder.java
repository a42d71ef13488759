package dev.bindery.fusion.query;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.audio.AudioDecoder;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Embeds query terms with a model package's towers: text with the text tower, images through {@link
 * ImageDecoder} and the image tower, audio through {@link AudioDecoder} and the audio tower, video
 * with the video tower's item vector. Media come as file paths (resolved against {@code baseDir})
 * or as {@link MediaSource}s, bytes included. Does not own the package (the caller closes it).
 * Thread-safe.
 */
public final class PackageTermEmbedder implements TermEmbedder {
  private final ModelPackage pkg;
  private final ImageDecoder images;
  private final AudioDecoder audio;
  private final Path baseDir;
  private final Map<Modality, String> spaces;

  public PackageTermEmbedder(
      ModelPackage pkg, ImageDecoder images, AudioDecoder audio, Path baseDir) {
    this.pkg = Objects.requireNonNull(pkg, "pkg");
    this.images = Objects.requireNonNull(images, "images");
    this.audio = Objects.requireNonNull(audio, "audio");
    this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    Map<Modality, String> s = new EnumMap<>(Modality.class);
    for (Modality m : pkg.modalities()) {
      s.put(m, pkg.encoder(m).space());
    }
    this.spaces = java.util.Collections.unmodifiableMap(s);
  }

  /** An embedder with default decoders, resolving paths against the working directory. */
  public PackageTermEmbedder(ModelPackage pkg) {
    this(pkg, new ImageDecoder(), new AudioDecoder(), Path.of(""));
  }

  @Override
  public Map<Modality, String> spaces() {
    return spaces;
  }

  @Override
  public String describe() {
    return "model package " + pkg.name() + " (towers " + spaces.keySet() + ")";
  }

  @Override
  public float[] embed(Modality modality, String value) {
    Objects.requireNonNull(value, "value");
    requireTower(modality, "'" + value + "'");
    if (modality == Modality.TEXT) {
      return pkg.textEncoder().encode(value);
    }
    return embedMedia(modality, MediaSource.of(baseDir.resolve(value)));
  }

  @Override
  public float[] embed(Modality modality, MediaSource media) {
    Objects.requireNonNull(media, "media");
    requireTower(modality, media.describe());
    return embedMedia(modality, media);
  }

  private void requireTower(Modality modality, String what) {
    if (!spaces.containsKey(modality)) {
      throw new IllegalArgumentException(
          "the "
              + describe()
              + " has no "
              + modality
              + " tower, so "
              + what
              + " cannot be embedded");
    }
  }

  private float[] embedMedia(Modality modality, MediaSource media) {
    return switch (modality) {
      case IMAGE -> pkg.imageEncoder().encode(images.decode(media));
      case AUDIO -> pkg.audioEncoder().encode(audio.decode(media));
      case VIDEO -> pkg.videoEncoder().encode(media);
      default -> {
        Encoder<?> e = pkg.encoder(modality);
        throw new IllegalArgumentException(
            "query terms of modality " + modality + " are not supported (tower " + e + ")");
      }
    };
  }
}
