package dev.bindery.server.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proxies from https_proxy / http_proxy / all_proxy and no_proxy, as curl reads them. */
class EnvironmentProxySelectorTest {
  static String via(EnvironmentProxySelector s, String uri) {
    List<Proxy> p = s.select(URI.create(uri));
    assertEquals(1, p.size());
    if (p.get(0).type() == Proxy.Type.DIRECT) {
      return "direct";
    }
    InetSocketAddress a = (InetSocketAddress) p.get(0).address();
    return a.getHostString() + ":" + a.getPort();
  }

  @Test
  void picksTheProxyForTheSchemeAndHonoursNoProxy() {
    EnvironmentProxySelector s =
        EnvironmentProxySelector.fromEnvironment(
            Map.of(
                "https_proxy", "http://proxy.corp:3128",
                "HTTPS_PROXY", "http://ignored:1",
                "HTTP_PROXY", "plain.corp:8080",
                "no_proxy", "localhost, .internal.example,mirror.lan:8443"));
    assertEquals("proxy.corp:3128", via(s, "https://huggingface.co/api/models/x"));
    assertEquals("plain.corp:8080", via(s, "http://huggingface.co/"));
    assertEquals("direct", via(s, "http://localhost:7700/"));
    assertEquals("direct", via(s, "https://hub.internal.example/"));
    assertEquals("direct", via(s, "https://internal.example/"));
    assertEquals("proxy.corp:3128", via(s, "https://notinternal.example/"));
    assertEquals("direct", via(s, "https://mirror.lan:8443/"));
    assertEquals("proxy.corp:3128", via(s, "https://mirror.lan/"));
  }

  @Test
  void allProxyAndStar() {
    EnvironmentProxySelector all =
        EnvironmentProxySelector.fromEnvironment(Map.of("ALL_PROXY", "http://p:9"));
    assertEquals("p:9", via(all, "https://huggingface.co/"));
    assertEquals("p:9", via(all, "http://huggingface.co/"));
    EnvironmentProxySelector star =
        EnvironmentProxySelector.fromEnvironment(
            Map.of("https_proxy", "http://p:9", "NO_PROXY", "*"));
    assertEquals("direct", via(star, "https://huggingface.co/"));
    assertEquals(
        "direct", via(EnvironmentProxySelector.fromEnvironment(Map.of()), "https://x.org/"));
  }

  @Test
  void credentialsInTheUrlAreRefused() {
    String msg =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    EnvironmentProxySelector.fromEnvironment(
                        Map.of("https_proxy", "http://user:pw@proxy:3128")))
            .getMessage();
    assertTrue(msg.contains("credentials"), msg);
    assertTrue(!msg.contains("pw"), "the password is not echoed: " + msg);
  }
}
