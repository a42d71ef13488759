package dev.bindery.indexer;

/**
 * A request conflicts with the current state: it would create something that already exists, or it
 * was made against a version of the data that has since changed (HTTP 409).
 */
public class ConflictException extends BadArgumentException {
  public ConflictException(String message) {
    super(message);
  }

  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
