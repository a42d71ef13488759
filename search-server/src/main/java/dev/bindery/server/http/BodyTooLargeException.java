package dev.bindery.server.http;

import dev.bindery.indexer.TooLargeException;

/**
 * A request body over the server's {@code --max-body}: the one {@link TooLargeException} whose
 * limit the HTTP layer knows, so its problem carries {@code limit_bytes} (type {@code
 * body-too-large}).
 */
final class BodyTooLargeException extends TooLargeException {
  private static final long serialVersionUID = 1L;

  private final long limitBytes;

  BodyTooLargeException(long limitBytes, String message) {
    super(message);
    this.limitBytes = limitBytes;
  }

  /** The largest body this server accepts, in bytes. */
  long limitBytes() {
    return limitBytes;
  }
}
