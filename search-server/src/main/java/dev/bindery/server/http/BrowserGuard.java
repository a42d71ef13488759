package dev.bindery.server.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Default-deny for web browsers. A key-less server on loopback is reachable by every page the user
 * opens, so three checks run before any route (the page included):
 *
 * <ul>
 *   <li><b>Host allow-list.</b> A DNS-rebinding page reaches the server under the attacker's own
 *       name, so only loopback names ({@code localhost}, {@code *.localhost}), IP literals (a
 *       rebinding attack needs a name it controls), the bound host and the configured names are
 *       answered; any other {@code Host} gets 421.
 *   <li><b>Origin on state-changing methods.</b> A POST or DELETE whose {@code Origin} is neither
 *       this server's own nor in the CORS list gets 403, whatever its content type: a cross-site
 *       {@code fetch(..., {mode: 'no-cors'})} is sent with an {@code Origin}, and refusing it
 *       before the handler means it changes nothing.
 *   <li><b>Content type</b> ({@link #checkContentType}, per route): a body must be declared as
 *       {@code application/json} (or {@code multipart/form-data} where uploads are taken), which a
 *       page can only send cross-origin after a CORS preflight the server does not grant.
 * </ul>
 *
 * Every response also carries headers that keep the page out of frames and stop content sniffing.
 * Thread-safe.
 */
final class BrowserGuard {
  /**
   * The page loads its scripts and styles from this server only; thumbnails and players use blob:
   * URLs (fetched with the key) and data: URLs (dropped query images).
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:;"
          + " media-src 'self' blob: data:; connect-src 'self'; font-src 'self';"
          + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final Set<HandlerType> STATE_CHANGING =
      Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

  private final ServerConfig config;
  private final String boundHost;

  BrowserGuard(ServerConfig config) {
    this.config = config;
    this.boundHost = stripBrackets(config.host().toLowerCase(Locale.ROOT));
  }

  /** The {@code before} handler: headers, then the Host and Origin checks. */
  void before(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    if (config.corsOrigins().isEmpty()) {
      // Without CORS no other origin may embed the API's answers either (an <img> or <audio>
      // pointing at .../content from another site's page).
      ctx.header("Cross-Origin-Resource-Policy", "same-origin");
    }
    String host = ctx.header("Host");
    if (host != null && !hostAllowed(hostName(host))) {
      throw ApiProblem.of(
              421,
              "host-not-allowed",
              "Host not allowed",
              "this server does not answer to the host name '"
                  + Excerpt.of(host, 80)
                  + "' (a page using a DNS name that points at this machine is refused);"
                  + " use localhost or an IP address, or start it with --allowed-hosts NAME")
          .with("host", Excerpt.of(host, 80));
    }
    if (STATE_CHANGING.contains(ctx.method())) {
      String origin = ctx.header("Origin");
      if (origin != null && !originAllowed(origin, host)) {
        throw ApiProblem.of(
                403,
                "origin-not-allowed",
                "Origin not allowed",
                "a "
                    + ctx.method()
                    + " from the web page at '"
                    + Excerpt.of(origin, 80)
                    + "' is refused: only this server's own page and the origins given to"
                    + " --cors may change anything")
            .with("origin", Excerpt.of(origin, 80));
      }
    }
  }

  /**
   * 415 unless the request declares one of the body types {@code route} takes. A missing type is
   * refused too: {@code text/plain} and no type at all are what a cross-site form or no-cors fetch
   * can send without asking the server first.
   */
  static void checkContentType(Context ctx, Route route) {
    String declared = ctx.header("Content-Type");
    String type = declared == null ? "" : declared.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    boolean json = !route.requestBodies().isEmpty() && type.equals(HttpIo.JSON);
    boolean multipart = route.multipart() != null && type.equals("multipart/form-data");
    if (json || multipart) {
      return;
    }
    String accepted =
        route.multipart() != null ? "application/json or multipart/form-data" : HttpIo.JSON;
    throw ApiProblem.of(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            route.describe()
                + " takes "
                + accepted
                + ", got "
                + (declared == null ? "no Content-Type" : "'" + Excerpt.of(declared, 80) + "'"))
        .withHeader("Accept-Post", accepted.replace(" or ", ", "));
  }

  boolean hostAllowed(String name) {
    if (name.isEmpty()) {
      return false;
    }
    List<String> allowed = config.allowedHosts();
    if (allowed.contains("*")
        || name.equals("localhost")
        || name.endsWith(".localhost")
        || name.equals(boundHost)
        || isIpLiteral(name)) {
      return true;
    }
    for (String a : allowed) {
      String lower = stripBrackets(a.toLowerCase(Locale.ROOT));
      if (lower.startsWith("*.") ? name.endsWith(lower.substring(1)) : name.equals(lower)) {
        return true;
      }
    }
    return false;
  }

  private boolean originAllowed(String origin, String host) {
    List<String> cors = config.corsOrigins();
    if (cors.contains("*") || cors.contains(origin)) {
      return true;
    }
    // Same origin: the page this server sent, talking back to the host it was loaded from. The
    // Host was checked above, so a rebinding name cannot pass as "same origin".
    return host != null
        && (origin.equalsIgnoreCase("http://" + host)
            || origin.equalsIgnoreCase("https://" + host));
  }

  /** The host name of a Host header, lower-case, without port or IPv6 brackets. */
  static String hostName(String header) {
    String h = header.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? "" : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
      h = h.substring(0, colon);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  private static boolean isIpLiteral(String name) {
    if (name.indexOf(':') >= 0) {
      return name.matches("[0-9a-f:.]+");
    }
    String[] parts = name.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String stripBrackets(String h) {
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
