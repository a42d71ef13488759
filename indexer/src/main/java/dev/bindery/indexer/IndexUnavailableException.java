package dev.bindery.indexer;

/**
 * A collection's index cannot be opened: it is corrupt, locked by another writer, or its files are
 * unreadable. Bindery never re-creates such an index silently; the message says which directory and
 * why.
 */
public class IndexUnavailableException extends IllegalStateException {
  public IndexUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
