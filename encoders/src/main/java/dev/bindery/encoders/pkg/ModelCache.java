package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder that downloaded models live in, one sub-folder per model ({@code <root>/<name>/}). A
 * model folder only ever appears complete: downloads happen under {@code <root>/.incomplete/} and
 * are moved into place with one rename after every file is verified, and the last file written into
 * the staging folder is {@value #RECORD}, which is what marks a folder as a model. Removing renames
 * the folder away first, so a reader never sees half a model.
 *
 * <p>The root is {@code $BINDERY_MODEL_CACHE}, else {@code $XDG_CACHE_HOME/bindery/models}, else
 * {@code ~/.cache/bindery/models}.
 */
public final class ModelCache {
  /** The environment variable that moves the cache. */
  public static final String ENV = "BINDERY_MODEL_CACHE";

  /** The record of a pulled model, written last into its folder. */
  public static final String RECORD = ClipExportLayouts.PULL_RECORD;

  /** Where downloads in progress (and their partial files, kept for resuming) live. */
  public static final String STAGING = ".incomplete";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /**
   * A model in the cache, as its {@value #RECORD} describes it.
   *
   * @param name the cache name
   * @param dir its folder
   * @param repo the repository it came from
   * @param revision the revision asked for
   * @param commit the commit the files are from
   * @param layout the repository's layout
   * @param variant {@code fp32} or {@code quantized}
   * @param license the license shown when it was pulled
   * @param bytes the size of its files
   * @param files how many files
   */
  public record CachedModel(
      String name,
      Path dir,
      String repo,
      String revision,
      String commit,
      String layout,
      String variant,
      String license,
      long bytes,
      int files) {}

  private final Path root;

  public ModelCache(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  /** The cache the environment points at (see the class comment). */
  public static ModelCache fromEnvironment(Map<String, String> env) {
    String explicit = env.get(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return new ModelCache(Path.of(explicit));
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return new ModelCache(Path.of(xdg, "bindery", "models"));
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return new ModelCache(Path.of(home, ".cache", "bindery", "models"));
  }

  /**
   * Checks a model name: letters, digits, '.', '_', '-', starting with a letter or digit.
   *
   * @throws IllegalArgumentException naming the offending name
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "model name '"
              + name
              + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit");
    }
    return name;
  }

  /** Whether a string is a valid model name (and could name a cached model). */
  public static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  public Path root() {
    return root;
  }

  /** The folder a model of this name has (or would have). */
  public Path dir(String name) {
    return root.resolve(checkName(name));
  }

  /** Where a download of this name is staged. */
  public Path staging(String name) {
    return root.resolve(STAGING).resolve(checkName(name));
  }

  /** The folder of a complete model of this name, if it is in the cache. */
  public Optional<Path> find(String name) {
    if (!isName(name)) {
      return Optional.empty();
    }
    Path dir = root.resolve(name);
    return Files.isRegularFile(dir.resolve(RECORD)) ? Optional.of(dir) : Optional.empty();
  }

  /** The complete models in the cache, by name. */
  public List<CachedModel> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<CachedModel> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.sorted().toList()) {
        String name = dir.getFileName().toString();
        if (isName(name) && Files.isRegularFile(dir.resolve(RECORD))) {
          out.add(read(name, dir));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the model cache " + root, e);
    }
    return out;
  }

  private static CachedModel read(String name, Path dir) {
    Path record = dir.resolve(RECORD);
    try {
      JsonNode r = new ObjectMapper().readTree(record.toFile());
      long bytes = 0;
      for (JsonNode f : r.path("files")) {
        bytes += f.path("size").asLong();
      }
      return new CachedModel(
          name,
          dir,
          r.path("repo").asText(""),
          r.path("revision").asText(""),
          r.path("commit").asText(""),
          r.path("layout").asText(""),
          r.path("variant").asText(""),
          r.path("license").asText(""),
          bytes,
          r.path("files").size());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + record, e);
    }
  }

  /** The model of this name, if it is in the cache. */
  public Optional<CachedModel> describe(String name) {
    return find(name).map(dir -> read(name, dir));
  }

  /**
   * Moves a verified staging folder into place as model {@code name}, replacing an older copy. The
   * new folder appears with one rename; an older copy is renamed away first and then deleted.
   *
   * @throws IllegalStateException if the staging folder has no {@value #RECORD}
   */
  public Path install(String name, Path staged) {
    Path target = dir(name);
    if (!Files.isRegularFile(staged.resolve(RECORD))) {
      throw new IllegalStateException(staged + " has no " + RECORD + "; it is not a finished pull");
    }
    try {
      Path old = null;
      if (Files.exists(target)) {
        old = root.resolve(STAGING).resolve(name + ".old-" + UUID.randomUUID());
        move(target, old);
      }
      move(staged, target);
      if (old != null) {
        deleteTree(old);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + staged + " into place as " + target, e);
    }
  }

  /**
   * Removes a model from the cache: renames it away (so it disappears at once), then deletes it.
   *
   * @return false if there was no such model
   */
  public boolean remove(String name) {
    Path dir = dir(name);
    if (!Files.exists(dir)) {
      return false;
    }
    try {
      Files.createDirectories(root.resolve(STAGING));
      Path gone = root.resolve(STAGING).resolve(name + ".removed-" + UUID.randomUUID());
      move(dir, gone);
      deleteTree(gone);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove model " + name + " at " + dir, e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "cannot rename " + from + " to " + to + " atomically (different file systems?)", e);
    }
  }

  /** Deletes a folder and everything in it; a missing folder is fine. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            try {
              Files.delete(file);
            } catch (NoSuchFileException ignored) {
              // already gone: what we wanted
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
