package dev.bindery.server.http;

import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * Checks API keys: {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. With no keys
 * configured every request passes (the server then only listens on loopback). A missing or unknown
 * key is 401, a key whose scope or collections do not cover the request is 403.
 */
final class AccessControl {
  private static final String REALM = "Bearer realm=\"bindery\"";

  private final ApiKeys keys;

  /**
   * @param keys the accepted keys, or null to let every request through
   */
  AccessControl(ApiKeys keys) {
    this.keys = keys;
  }

  /** True if requests need a key. */
  boolean enabled() {
    return keys != null;
  }

  /** The caller of a request; 401 if keys are on and the request has none that matches. */
  Caller authenticate(Context ctx) {
    if (keys == null) {
      return Caller.unauthenticated();
    }
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
