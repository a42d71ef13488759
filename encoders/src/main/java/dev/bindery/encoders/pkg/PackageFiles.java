package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.onnx.OnnxModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Resolves the file references of a model package (paths relative to the package, or {@code
 * classpath:/...} resources) to bytes, local paths or loaded ONNX models. A package lives either in
 * a directory or under a classpath prefix; {@code classpath:} references work from both. Immutable
 * and thread-safe.
 */
public final class PackageFiles {
  /** Prefix of a reference to a classpath resource. */
  public static final String CLASSPATH = "classpath:";

  private final Path dir;
  private final String classpathBase;
  private final ClassLoader loader;
  private final int onnxThreads;

  private PackageFiles(Path dir, String classpathBase, ClassLoader loader, int onnxThreads) {
    if (onnxThreads < 0) {
      throw new IllegalArgumentException("onnx threads must be >= 0, got " + onnxThreads);
    }
    this.dir = dir;
    this.classpathBase = classpathBase;
    this.loader = Objects.requireNonNull(loader, "loader");
    this.onnxThreads = onnxThreads;
  }

  /**
   * A package in a directory.
   *
   * @param onnxThreads intra-op threads of each ONNX session (0 lets ONNX Runtime choose)
   */
  public static PackageFiles directory(Path dir, int onnxThreads) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new IllegalArgumentException("model package directory " + abs + " does not exist");
    }
    return new PackageFiles(abs, null, PackageFiles.class.getClassLoader(), onnxThreads);
  }

  /**
   * A package under a classpath prefix such as {@code models/minilm-l6-v2}.
   *
   * @param onnxThreads intra-op threads of each ONNX session (0 lets ONNX Runtime choose)
   */
  public static PackageFiles classpath(String base, ClassLoader loader, int onnxThreads) {
    return new PackageFiles(null, stripSlashes(stripClasspath(base)), loader, onnxThreads);
  }

  /**
   * Opens a location: {@code classpath:/prefix} or a directory path.
   *
   * @param onnxThreads intra-op threads of each ONNX session (0 lets ONNX Runtime choose)
   */
  public static PackageFiles of(String location, int onnxThreads) {
    Objects.requireNonNull(location, "location");
    if (location.startsWith(CLASSPATH)) {
      return classpath(location, PackageFiles.class.getClassLoader(), onnxThreads);
    }
    return directory(Path.of(location), onnxThreads);
  }

  private static String stripClasspath(String ref) {
    return ref.startsWith(CLASSPATH) ? ref.substring(CLASSPATH.length()) : ref;
  }

  private static String stripSlashes(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == '/') {
      a++;
    }
    while (b > a && s.charAt(b - 1) == '/') {
      b--;
    }
    return s.substring(a, b);
  }

  /** Where the package lives: an absolute directory or {@code classpath:/prefix}. */
  public String root() {
    return dir != null ? dir.toString() : CLASSPATH + "/" + classpathBase;
  }

  /** Intra-op threads for ONNX sessions of this package (0 = ONNX Runtime's choice). */
  public int onnxThreads() {
    return onnxThreads;
  }

  /** The package's directory, if it lives in one. */
  public Optional<Path> directory() {
    return Optional.ofNullable(dir);
  }

  private String resourceName(String ref) {
    if (ref.startsWith(CLASSPATH)) {
      return stripSlashes(stripClasspath(ref));
    }
    return classpathBase.isEmpty() ? stripSlashes(ref) : classpathBase + "/" + stripSlashes(ref);
  }

  private boolean onClasspath(String ref) {
    return ref.startsWith(CLASSPATH) || dir == null;
  }

  /**
   * The resolved reference as users should see it in messages: an absolute path or classpath:/x.
   */
  public String describe(String ref) {
    Objects.requireNonNull(ref, "ref");
    return onClasspath(ref) ? CLASSPATH + "/" + resourceName(ref) : dir.resolve(ref).toString();
  }

  /** Whether the reference names an existing file or resource. */
  public boolean exists(String ref) {
    Objects.requireNonNull(ref, "ref");
    if (onClasspath(ref)) {
      return loader.getResource(resourceName(ref)) != null;
    }
    return Files.isRegularFile(dir.resolve(ref));
  }

  /** The local file behind a reference, if it is a file on disk (classpath resources are not). */
  public Optional<Path> localPath(String ref) {
    if (onClasspath(ref)) {
      return Optional.empty();
    }
    Path p = dir.resolve(ref).normalize();
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * Opens a reference for reading.
   *
   * @throws IllegalArgumentException naming the resolved path when it does not exist
   */
  public InputStream open(String ref) {
    requireExists(ref, null);
    try {
      if (onClasspath(ref)) {
        InputStream in = loader.getResourceAsStream(resourceName(ref));
        if (in == null) {
          throw new IllegalArgumentException("cannot open " + describe(ref));
        }
        return in;
      }
      return Files.newInputStream(dir.resolve(ref));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + describe(ref) + ": " + e, e);
    }
  }

  /**
   * Reads a reference fully.
   *
   * @throws IllegalArgumentException naming the resolved path when it does not exist
   */
  public byte[] read(String ref) {
    try (InputStream in = open(ref)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + describe(ref) + ": " + e, e);
    }
  }

  /**
   * Reads a reference as a JSON document.
   *
   * @throws IllegalArgumentException naming the resolved path when it is missing or not valid JSON
   */
  public JsonNode readJson(String ref) {
    try {
      return new ObjectMapper().readTree(read(ref));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          describe(ref) + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that a reference exists.
   *
   * @param what what names the file, e.g. {@code towers.text.onnx}, for the message (may be null)
   * @throws IllegalArgumentException naming the resolved path (and {@code what}) when it is missing
   */
  public void requireExists(String ref, String what) {
    if (!exists(ref)) {
      throw new IllegalArgumentException(
          "model package "
              + root()
              + ": "
              + (what == null ? "" : what + " names ")
              + "a missing file: "
              + describe(ref)
              + (ref.equals(describe(ref)) ? "" : " (from '" + ref + "')"));
    }
  }

  /**
   * Loads an ONNX model named by a reference with this package's thread setting.
   *
   * @throws IllegalArgumentException if it is missing or not a loadable ONNX model
   */
  public OnnxModel loadModel(String ref) {
    requireExists(ref, null);
    Optional<Path> local = localPath(ref);
    if (local.isPresent()) {
      return OnnxModel.load(local.get(), onnxThreads);
    }
    return OnnxModel.load(read(ref), describe(ref), onnxThreads);
  }

  @Override
  public String toString() {
    return "PackageFiles[" + root() + "]";
  }
}
