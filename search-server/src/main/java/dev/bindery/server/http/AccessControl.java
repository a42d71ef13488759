package dev.bindery.server.http;

import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks API keys: {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. With no keys
 * configured every request passes (the server then only listens on loopback). A missing or unknown
 * key is 401, a key whose scope or collections do not cover the request is 403.
 *
 * <p>With a keys file, the file's modification time, size and identity are checked on every
 * authenticated request (one {@code stat}), and the keys are read again when any of them changed: a
 * key removed with {@code serve keys remove} stops working at once, without a restart. A file that
 * cannot be read or parsed fails closed: every keyed request gets 503 until it is fixed.
 */
final class AccessControl {
  private static final String REALM = "Bearer realm=\"bindery\"";
  private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

  /** The keys as last read, with what the file looked like then. */
  private record Snapshot(ApiKeys keys, Object fileKey, long modified, long size, String error) {}

  private final Path keysFile;
  private volatile Snapshot current;

  /**
   * @param keys the accepted keys, or null to let every request through
   * @param keysFile the file {@code keys} came from, read again when it changes; null for fixed
   *     keys
   */
  AccessControl(ApiKeys keys, Path keysFile) {
    this.keysFile = keysFile;
    this.current =
        keys == null && keysFile == null
            ? null
            : keysFile == null
                ? new Snapshot(keys, null, 0, 0, null)
                : read(keysFile, Objects.requireNonNullElseGet(keys, () -> ApiKeys.load(keysFile)));
  }

  /** True if requests need a key. */
  boolean enabled() {
    return current != null;
  }

  /** The caller of a request; 401 if keys are on and the request has none that matches. */
  Caller authenticate(Context ctx) {
    if (current == null) {
      return Caller.unauthenticated();
    }
    ApiKeys keys = keys();
    String secret = presented(ctx);
    if (secret == null) {
      throw ApiProblem.of(
              401,
              "unauthorized",
              "Unauthorized",
              "this server needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key:"
                  + " <key>'")
          .withHeader("WWW-Authenticate", REALM);
    }
    return keys.authenticate(secret)
        .map(Caller::of)
        .orElseThrow(
            () ->
                ApiProblem.of(401, "unauthorized", "Unauthorized", "the API key is not valid")
                    .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_token\""));
  }

  /**
   * 403 unless {@code caller} has {@code scope} and, when {@code collection} is not null, may touch
   * that collection.
   */
  void require(Caller caller, Scope scope, String collection, String action) {
    if (!caller.has(scope)) {
      String name = caller.key().map(k -> k.name()).orElse("?");
      throw ApiProblem.of(
              403,
              "forbidden",
              "Forbidden",
              "key '"
                  + name
                  + "' has scope "
                  + caller.key().map(k -> k.scope().wireName()).orElse("?")
                  + "; "
                  + action
                  + " needs "
                  + scope.wireName())
          .with("required_scope", scope.wireName());
    }
    if (collection != null && !caller.mayTouch(collection)) {
      String name = caller.key().map(k -> k.name()).orElse("?");
      throw ApiProblem.of(
          403,
          "forbidden",
          "Forbidden",
          "key '" + name + "' may not access collection '" + collection + "'");
    }
  }

  /** The keys now in force, read again if the keys file changed. */
  private ApiKeys keys() {
    Snapshot s = current;
    if (keysFile != null) {
      BasicFileAttributes a = attributes(keysFile);
      if (a == null
          || !Objects.equals(a.fileKey(), s.fileKey())
          || a.lastModifiedTime().toMillis() != s.modified()
          || a.size() != s.size()) {
        synchronized (this) {
          s = current;
          a = attributes(keysFile);
          if (a == null
              || !Objects.equals(a.fileKey(), s.fileKey())
              || a.lastModifiedTime().toMillis() != s.modified()
              || a.size() != s.size()) {
            s = read(keysFile, null);
            current = s;
          }
        }
      }
    }
    if (s.error() != null) {
      throw ApiProblem.unavailable(
          "keys-unavailable",
          "Keys unavailable",
          "the server's API keys file cannot be read, so no key is accepted until it is fixed"
              + " (the server log says why)",
          30);
    }
    return s.keys();
  }

  /** Reads the keys file; a failure becomes a snapshot that refuses every key. */
  private static Snapshot read(Path file, ApiKeys alreadyRead) {
    BasicFileAttributes before = attributes(file);
    try {
      ApiKeys keys = alreadyRead != null ? alreadyRead : ApiKeys.load(file);
      if (before == null) {
        throw new IllegalArgumentException("keys file " + file + " does not exist");
      }
      if (alreadyRead == null) {
        LOG.info("keys file {} read again: {} keys", file, keys.keys().size());
      }
      return new Snapshot(
          keys, before.fileKey(), before.lastModifiedTime().toMillis(), before.size(), null);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      LOG.error("keys file {} cannot be used, refusing every key until it is fixed: {}", file, e);
      return new Snapshot(
          null,
          before == null ? null : before.fileKey(),
          before == null ? -1 : before.lastModifiedTime().toMillis(),
          before == null ? -1 : before.size(),
          String.valueOf(e.getMessage()));
    }
  }

  private static BasicFileAttributes attributes(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String presented(Context ctx) {
    String auth = ctx.header("Authorization");
    if (auth != null) {
      String trimmed = auth.trim();
      if (trimmed.length() > 7
          && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
        return trimmed.substring(7).trim();
      }
      throw ApiProblem.of(
              401,
              "unauthorized",
              "Unauthorized",
              "the Authorization header must be 'Bearer <key>'")
          .withHeader("WWW-Authenticate", REALM);
    }
    String key = ctx.header("X-API-Key");
    return key == null || key.isBlank() ? null : key.trim();
  }
}
