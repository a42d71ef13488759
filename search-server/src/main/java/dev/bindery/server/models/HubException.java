package dev.bindery.server.models;

/**
 * A model hub refused or failed a request: the message says which repository or file, what the hub
 * answered, and what to do about it; {@link #status()} is the HTTP status (0 when the connection
 * itself failed).
 */
public final class HubException extends RuntimeException {
  private final int status;

  public HubException(int status, String message) {
    super(message);
    this.status = status;
  }

  public HubException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status the hub answered, or 0 for connection failures. */
  public int status() {
    return status;
  }
}
