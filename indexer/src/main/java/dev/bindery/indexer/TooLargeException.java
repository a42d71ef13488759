package dev.bindery.indexer;

/**
 * An input exceeds a configured size limit; the message names the input, its size and the limit
 * (HTTP 413).
 */
public class TooLargeException extends BadArgumentException {
  public TooLargeException(String message) {
    super(message);
  }
}
