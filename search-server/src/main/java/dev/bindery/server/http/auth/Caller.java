package dev.bindery.server.http.auth;

import java.util.Optional;

/**
 * Who sent a request: the API key it authenticated with, or nobody when the server runs without
 * keys (loopback only), in which case everything is allowed.
 */
public final class Caller {
  private static final Caller UNAUTHENTICATED = new Caller(null);

  private final ApiKey key;

  private Caller(ApiKey key) {
    this.key = key;
  }

  /** The caller of a server without keys. */
  public static Caller unauthenticated() {
    return UNAUTHENTICATED;
  }

  /** A caller holding {@code key}. */
  public static Caller of(ApiKey key) {
    return new Caller(java.util.Objects.requireNonNull(key, "key"));
  }

  /** The key, or empty for a server without keys. */
  public Optional<ApiKey> key() {
    return Optional.ofNullable(key);
  }

  /** True if this caller may do what {@code scope} allows. */
  public boolean has(Scope scope) {
    return key == null || key.scope().includes(scope);
  }

  /** True if this caller may touch {@code collection}. */
  public boolean mayTouch(String collection) {
    return key == null || key.allows(collection);
  }

  @Override
  public String toString() {
    return key == null ? "Caller[no keys]" : "Caller[" + key.name() + "]";
  }
}
