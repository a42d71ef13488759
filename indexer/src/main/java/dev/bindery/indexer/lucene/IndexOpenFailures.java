package dev.bindery.indexer.lucene;

import dev.bindery.indexer.IndexUnavailableException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Why a collection's Lucene index cannot be opened, in words a user can act on: no commit under an
 * existing {@code collection.json}, locked by another writer, corrupt, or unreadable. Each is an
 * {@link IndexUnavailableException} that names the collection and the folder, and says that nothing
 * was changed.
 */
final class IndexOpenFailures {
  private IndexOpenFailures() {}

  /** The folder holds no Lucene commit although the collection file says it should. */
  static IndexUnavailableException noCommit(String name, Path indexDir) {
    return new IndexUnavailableException(
        "collection '"
            + name
            + "': "
            + indexDir
            + " holds no Lucene commit although "
            + CollectionFile.NAME
            + " exists; refusing to create a new empty index over it. Restore the index or"
            + " drop the collection.",
        null);
  }

  /** Another writer (process or backend) holds the index's write lock. */
  static IndexUnavailableException locked(
      String name, Path indexDir, Path dataDir, IOException cause) {
    return new IndexUnavailableException(
        "collection '"
            + name
            + "' is locked: another process (or another backend in this one) has "
            + indexDir
            + " open for writing. The data directory "
            + dataDir
            + " is in use, most likely by a running 'bindery serve' or 'bindery demo'."
            + " Searching works beside it (bindery search and ask open it read-only);"
            + " to write, send the items to that server's API (POST /v1/collections/"
            + name
            + "/items) or stop it first",
        cause);
  }

  /** Lucene found the index corrupt, of a format it cannot read, or missing files. */
  static IndexUnavailableException corrupt(String name, Path indexDir, IOException cause) {
    return new IndexUnavailableException(
        "collection '"
            + name
            + "': the index at "
            + indexDir
            + " is corrupt or unreadable ("
            + cause.getMessage()
            + "); it was left untouched. Check it with Lucene's CheckIndex, restore it, or"
            + " drop the collection.",
        cause);
  }

  /** Any other I/O failure while opening. */
  static IndexUnavailableException unreadable(String name, Path indexDir, IOException cause) {
    return new IndexUnavailableException(
        "collection '" + name + "': cannot open " + indexDir + ": " + cause, cause);
  }
}
