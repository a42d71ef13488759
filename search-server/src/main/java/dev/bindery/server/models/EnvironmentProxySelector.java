package dev.bindery.server.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Proxies as curl and the Hugging Face tools read them from the environment: {@code https_proxy} /
 * {@code HTTPS_PROXY} for https URLs, {@code http_proxy} / {@code HTTP_PROXY} for http, {@code
 * all_proxy} / {@code ALL_PROXY} for both, and hosts in {@code no_proxy} / {@code NO_PROXY}
 * (comma-separated; {@code *} for all; {@code .example.com} or {@code example.com} for a domain and
 * its sub-domains; an optional {@code :port}) reached directly. The lower-case names win. Proxy
 * credentials in the URL are not supported (the JDK does not send Basic credentials through HTTPS
 * tunnels by default).
 */
public final class EnvironmentProxySelector extends ProxySelector {
  private final URI https;
  private final URI http;
  private final List<String> noProxy;

  EnvironmentProxySelector(URI https, URI http, List<String> noProxy) {
    this.https = https;
    this.http = http;
    this.noProxy = List.copyOf(noProxy);
  }

  /** The proxies the environment names (none when it names none). */
  public static EnvironmentProxySelector fromEnvironment(Map<String, String> env) {
    URI all = proxy(env, "all_proxy");
    URI https = proxy(env, "https_proxy");
    URI http = proxy(env, "http_proxy");
    String no = first(env, "no_proxy");
    List<String> hosts = new ArrayList<>();
    if (no != null) {
      for (String h : no.split(",")) {
        String t = h.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          hosts.add(t);
        }
      }
    }
    return new EnvironmentProxySelector(
        https != null ? https : all, http != null ? http : all, hosts);
  }

  private static String first(Map<String, String> env, String lower) {
    String v = env.get(lower);
    if (v == null || v.isBlank()) {
      v = env.get(lower.toUpperCase(Locale.ROOT));
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static URI proxy(Map<String, String> env, String lower) {
    String v = first(env, lower);
    if (v == null) {
      return null;
    }
    URI u = URI.create(v.contains("://") ? v : "http://" + v);
    if (u.getHost() == null) {
      throw new IllegalArgumentException(lower + " '" + v + "' names no proxy host");
    }
    if (u.getUserInfo() != null) {
      throw new IllegalArgumentException(
          lower + ": proxy credentials in the URL are not supported; use a proxy without them");
    }
    return u;
  }

  @Override
  public List<Proxy> select(URI uri) {
    URI p = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
    if (p == null || bypass(uri)) {
      return List.of(Proxy.NO_PROXY);
    }
    int port = p.getPort() > 0 ? p.getPort() : "https".equals(p.getScheme()) ? 443 : 80;
    return List.of(
        new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port)));
  }

  /** Whether {@code no_proxy} sends this URI direct. */
  boolean bypass(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    int port =
        uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    for (String entry : noProxy) {
      if (entry.equals("*")) {
        return true;
      }
      String h = entry;
      int colon = entry.lastIndexOf(':');
      if (colon > 0 && !entry.contains("]")) {
        String p = entry.substring(colon + 1);
        h = entry.substring(0, colon);
        if (!p.equals(String.valueOf(port))) {
          continue;
        }
      }
      String domain = h.startsWith(".") ? h.substring(1) : h;
      if (host.equals(domain) || host.endsWith("." + domain)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
    // The request fails with its own error; there is no other proxy to fall back to.
  }

  @Override
  public String toString() {
    return "proxies[https=" + https + ", http=" + http + ", no_proxy=" + noProxy + "]";
  }
}
