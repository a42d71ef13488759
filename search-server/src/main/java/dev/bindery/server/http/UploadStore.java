package dev.bindery.server.http;

import dev.bindery.indexer.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Keeps the files uploaded over HTTP so the server can serve them back (thumbnails, players). A
 * file lives at {@code <root>/<collection>/<sha256(id)>/<random>.<ext>}: nothing of the client's
 * file name or id reaches the path but a hash and a known extension, so no upload can land outside
 * the store. A new upload of an id gets a new file; the old one is removed only after the index
 * write succeeded ({@link #commit}), and the new one is removed if it failed ({@link #discard}), so
 * a failed request leaves the store as it was.
 *
 * <p>Concurrent uploads of one id each stage their own file, registered as in flight until their
 * request is done. Cleanup removes only files that are neither in flight nor the item's current
 * source, so one request's cleanup can never delete the file another request is embedding or has
 * just written (it used to remove every other file of the id, losing the winner's content).
 */
final class UploadStore {
  private final Path root;
  private final Set<Path> inFlight = ConcurrentHashMap.newKeySet();
  private final Object[] locks = new Object[64];

  /**
   * @param root the store's folder, or null to keep no uploads
   */
  UploadStore(Path root) {
    this.root = root == null ? null : root.toAbsolutePath().normalize();
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  boolean enabled() {
    return root != null;
  }

  /** Writes an upload for {@code id}; the returned path becomes the item's source. */
  Path stage(String collection, String id, String extension, byte[] bytes) {
    Names.checkName("collection", collection);
    String ext = extension.toLowerCase(Locale.ROOT);
    if (!ext.matches("[a-z0-9]{1,8}")) {
      throw new IllegalArgumentException("file extension '" + extension + "' is not allowed");
    }
    Path dir = itemDir(collection, id);
    Path target = dir.resolve(UUID.randomUUID() + "." + ext);
    // Registered before it exists, so no cleanup can see it unregistered.
    inFlight.add(target);
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          Files.createDirectories(dir);
          Path tmp = Files.createTempFile(dir, ".staging-", "." + ext);
          Files.write(tmp, bytes);
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
          return target;
        } catch (NoSuchFileException e) {
          // Another request's cleanup removed the (then empty) folder between our steps.
          if (attempt >= 3) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      inFlight.remove(target);
      throw new UncheckedIOException("cannot store the upload of item '" + id + "': " + e, e);
    }
  }

  /**
   * After a successful write: removes the item's files that are neither {@code current} (the item's
   * source as the index holds it now, which a later write may have changed) nor in flight in
   * another request, and ends {@code kept}'s time in flight.
   */
  void commit(String collection, String id, Path kept, Supplier<String> current) {
    Path dir = itemDir(collection, id);
    // One cleanup of an item's folder at a time, each reading the item's source inside the lock:
    // the last cleanup then runs after the last write and sees every other request done, so
    // exactly the current file is left.
    synchronized (locks[Math.floorMod(dir.hashCode(), locks.length)]) {
      try {
        // kept is still registered, but it is this request's own: if a later write replaced it
        // as the item's source, it goes now (nobody else would remove it).
        clean(dir, current.get(), kept);
      } finally {
        inFlight.remove(kept);
      }
    }
  }

  /** After a failed write: removes a staged upload. */
  void discard(Path staged) {
    if (staged == null) {
      return;
    }
    try {
      Files.deleteIfExists(staged);
    } catch (IOException e) {
      // A stray upload costs disk, not correctness: no item points at it.
    } finally {
      inFlight.remove(staged);
    }
  }

  /** Removes the uploads of a deleted item (not those of writes still in flight). */
  void deleteItem(String collection, String id) {
    if (root != null) {
      clean(itemDir(collection, id), null, null);
    }
  }

  private void clean(Path dir, String current, Path own) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        boolean othersInFlight = inFlight.contains(f) && !f.equals(own);
        if (!othersInFlight && !name.startsWith(".staging-") && !f.toString().equals(current)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (NoSuchFileException e) {
      // Nothing to clean.
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot clean old uploads in " + dir.getFileName() + ": " + e, e);
    }
  }

  /** Removes the uploads of a dropped collection. */
  void dropCollection(String collection) {
    if (root != null) {
      Names.checkName("collection", collection);
      deleteTree(root.resolve(collection));
    }
  }

  /** True if {@code file} is inside this store. */
  boolean contains(Path file) {
    return root != null && file.toAbsolutePath().normalize().startsWith(root);
  }

  private Path itemDir(String collection, String id) {
    if (root == null) {
      throw new IllegalStateException("this server keeps no uploads");
    }
    return root.resolve(collection).resolve(sha256(id));
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete uploads in " + dir + ": " + e, e);
    }
  }

  private static String sha256(String id) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
