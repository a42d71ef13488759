package dev.bindery.encoders.pkg;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.SegmentingEncoder;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An opened model package: its manifest and one loaded encoder per modality. Opening reads {@code
 * bindery-model.json} (or recognizes a CLIP export without one, see {@link ClipExportLayouts}),
 * checks that every file it names exists, and builds each tower through a {@link TowerRegistry},
 * which loads the models and checks their inputs and outputs; any failure closes what was already
 * built. The encoders are thread-safe; {@link #close()} closes them all.
 */
public final class ModelPackage implements AutoCloseable {
  /** Location of the default text tower (all-MiniLM-L6-v2, fp32) inside this module's jar. */
  public static final String DEFAULT_TEXT = "classpath:/models/minilm-l6-v2";

  /**
   * Location of the default model, bindery-mini (text: all-MiniLM-L6-v2; image: a compact tower
   * trained by this project into MiniLM's space; see models/bindery-mini/README.md), inside this
   * module's jar.
   */
  public static final String DEFAULT = "classpath:/models/bindery-mini";

  private final String location;
  private final ModelManifest manifest;
  private final Map<Modality, Encoder<?>> encoders;

  private ModelPackage(
      String location, ModelManifest manifest, Map<Modality, Encoder<?>> encoders) {
    this.location = location;
    this.manifest = manifest;
    this.encoders = Collections.unmodifiableMap(encoders);
  }

  /**
   * Opens a package with the default registry and ONNX Runtime's default threading.
   *
   * @param location a directory path or {@code classpath:/prefix}
   */
  public static ModelPackage open(String location) {
    return open(PackageFiles.of(location, 0), TowerRegistry.defaults());
  }

  /** Opens a package directory with the default registry and ONNX Runtime's default threading. */
  public static ModelPackage open(Path directory) {
    return open(PackageFiles.directory(directory, 0), TowerRegistry.defaults());
  }

  /** Opens the default text tower: all-MiniLM-L6-v2 (fp32) read from the jar's resources. */
  public static ModelPackage defaultText() {
    return open(DEFAULT_TEXT);
  }

  /**
   * Reads the manifest of a package (or synthesizes it for a CLIP export) without loading models.
   *
   * @throws IllegalArgumentException if there is neither a manifest nor a recognized export
   */
  public static ModelManifest readManifest(PackageFiles files) {
    if (files.exists(ModelManifest.FILE_NAME)) {
      return ModelManifest.parse(
          files.read(ModelManifest.FILE_NAME), files.describe(ModelManifest.FILE_NAME));
    }
    Optional<ModelManifest> detected = ClipExportLayouts.detect(files);
    return detected.orElseThrow(
        () ->
            new IllegalArgumentException(
                "no model package at "
                    + files.root()
                    + ": "
                    + files.describe(ModelManifest.FILE_NAME)
                    + " does not exist, and it is no CLIP export Bindery reads: Hugging Face ("
                    + ClipExportLayouts.HF_TEXT
                    + " / "
                    + ClipExportLayouts.HF_VISION
                    + "), transformers.js ("
                    + ClipExportLayouts.JS_TEXT
                    + " / "
                    + ClipExportLayouts.JS_VISION
                    + ", or _quantized), immich ("
                    + ClipExportLayouts.IMMICH_TEXT
                    + " / "
                    + ClipExportLayouts.IMMICH_VISION
                    + " with "
                    + ClipExportLayouts.IMMICH_CONFIG
                    + ") or open_clip ("
                    + ClipExportLayouts.OPEN_CLIP_CONFIG
                    + ")"));
  }

  /**
   * Opens a package: reads its manifest, checks its files, builds every tower.
   *
   * @throws IllegalArgumentException naming the package, the tower and the reason when anything is
   *     wrong; towers built before the failure are closed
   */
  public static ModelPackage open(PackageFiles files, TowerRegistry registry) {
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(registry, "registry");
    ModelManifest manifest = readManifest(files);
    for (TowerSpec spec : manifest.towers().values()) {
      String at = "towers." + spec.modality().wireName();
      files.requireExists(spec.onnx(), at + ".onnx");
      if (spec.tokenizer() != null) {
        files.requireExists(spec.tokenizer(), at + ".tokenizer");
      }
    }
    Map<Modality, Encoder<?>> built = new EnumMap<>(Modality.class);
    try {
      for (TowerSpec spec : manifest.towers().values()) {
        Encoder<?> encoder;
        try {
          encoder = registry.create(spec, files);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "model package "
                  + files.root()
                  + ", "
                  + spec.modality()
                  + " tower: "
                  + e.getMessage(),
              e);
        }
        built.put(spec.modality(), encoder);
        checkBuilt(spec, encoder);
      }
    } catch (RuntimeException | Error e) {
      closeAll(built.values(), e);
      throw e;
    }
    return new ModelPackage(files.root(), manifest, built);
  }

  private static void checkBuilt(TowerSpec spec, Encoder<?> encoder) {
    if (encoder.modality() != spec.modality()
        || encoder.dimension() != spec.dimension()
        || !encoder.space().equals(spec.space())) {
      throw new IllegalStateException(
          "the "
              + spec.format()
              + " factory built "
              + encoder.modality()
              + "/"
              + encoder.space()
              + "/"
              + encoder.dimension()
              + " for a tower declared "
              + spec.modality()
              + "/"
              + spec.space()
              + "/"
              + spec.dimension());
    }
  }

  private static void closeAll(java.util.Collection<Encoder<?>> encoders, Throwable primary) {
    for (Encoder<?> e : encoders) {
      try {
        e.close();
      } catch (RuntimeException suppressed) {
        primary.addSuppressed(suppressed);
      }
    }
  }

  /** Where the package was opened from. */
  public String location() {
    return location;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public String name() {
    return manifest.name();
  }

  public String version() {
    return manifest.version();
  }

  public String license() {
    return manifest.license();
  }

  /** The package's default embedding space (a tower may declare its own). */
  public String space() {
    return manifest.space();
  }

  /** The package's default embedding dimension (a tower may declare its own). */
  public int dimension() {
    return manifest.dimension();
  }

  /** The modalities this package has towers for. */
  public Set<Modality> modalities() {
    return encoders.keySet();
  }

  /**
   * The encoder of one modality.
   *
   * @throws IllegalArgumentException if the package has no tower for it, listing those it has
   */
  public Encoder<?> encoder(Modality modality) {
    Encoder<?> e = encoders.get(Objects.requireNonNull(modality, "modality"));
    if (e == null) {
      throw new IllegalArgumentException(
          "model package "
              + manifest.name()
              + " has no "
              + modality
              + " tower; it has "
              + encoders.keySet());
    }
    return e;
  }

  /** The text tower. */
  @SuppressWarnings("unchecked")
  public Encoder<String> textEncoder() {
    return (Encoder<String>) encoder(Modality.TEXT);
  }

  /** The image tower (decoded images in, see {@link Encoder}). */
  @SuppressWarnings("unchecked")
  public Encoder<BufferedImage> imageEncoder() {
    return (Encoder<BufferedImage>) encoder(Modality.IMAGE);
  }

  /** The audio tower (decoded mono audio in). */
  @SuppressWarnings("unchecked")
  public Encoder<AudioSignal> audioEncoder() {
    return (Encoder<AudioSignal>) encoder(Modality.AUDIO);
  }

  /**
   * The video tower: reads a video ({@link MediaSource}: a file or bytes), samples its clips, and
   * returns the item vector ({@link Encoder#encode}) or one vector per clip ({@link
   * SegmentingEncoder#encodeSegments}).
   */
  @SuppressWarnings("unchecked")
  public SegmentingEncoder<MediaSource> videoEncoder() {
    Encoder<?> e = encoder(Modality.VIDEO);
    if (!(e instanceof SegmentingEncoder<?>)) {
      throw new IllegalStateException(
          "the video tower of " + manifest.name() + " does not return clip segments: " + e);
    }
    return (SegmentingEncoder<MediaSource>) e;
  }

  /** Closes every tower; later calls do nothing. */
  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    for (Encoder<?> e : encoders.values()) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        failures.add(ex);
      }
    }
    if (!failures.isEmpty()) {
      IllegalStateException ise =
          new IllegalStateException(
              "closing model package " + location + " failed", failures.get(0));
      failures.subList(1, failures.size()).forEach(ise::addSuppressed);
      throw ise;
    }
  }

  @Override
  public String toString() {
    return "ModelPackage["
        + manifest.name()
        + " "
        + manifest.version()
        + " at "
        + location
        + ", towers="
        + encoders.keySet()
        + "]";
  }
}
