package dev.bindery.indexer;

/**
 * An input is well-formed as a request but its content cannot be processed: an undecodable picture,
 * a vector of the wrong dimension, metadata whose type conflicts with the collection's schema (HTTP
 * 422).
 */
public class UnprocessableException extends BadArgumentException {
  public UnprocessableException(String message) {
    super(message);
  }

  public UnprocessableException(String message, Throwable cause) {
    super(message, cause);
  }
}
