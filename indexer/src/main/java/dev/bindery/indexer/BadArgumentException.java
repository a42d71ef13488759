package dev.bindery.indexer;

/**
 * A request that the caller must change before it can succeed (HTTP 400 at the server's edge). The
 * typed request errors below extend it, so a caller that only needs "the input was wrong" catches
 * this (or {@link IllegalArgumentException}, which it extends) and one that maps errors to status
 * codes switches on the subtype. The message names the input and the reason.
 */
public class BadArgumentException extends IllegalArgumentException {
  public BadArgumentException(String message) {
    super(message);
  }

  public BadArgumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
