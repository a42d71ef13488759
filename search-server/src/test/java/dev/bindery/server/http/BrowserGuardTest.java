package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Host allow-list and the body-rate rule, case by case (the HTTP paths are in
 * HostileInputTest).
 */
class BrowserGuardTest {
  private final BrowserGuard loopback = new BrowserGuard(ServerConfig.defaults());

  @Test
  void loopbackNamesAndIpLiteralsAreAllowedByDefault() {
    for (String host :
        List.of(
            "localhost:7700",
            "LOCALHOST",
            "app.localhost:80",
            "127.0.0.1:7700",
            "[::1]:7700",
            "192.168.1.20",
            "localhost.")) {
      assertTrue(loopback.hostAllowed(BrowserGuard.hostName(host)), host);
    }
    for (String host :
        List.of("evil.example", "localhost.evil.example", "127.0.0.1.nip.io:7700", "", "[::1")) {
      assertFalse(loopback.hostAllowed(BrowserGuard.hostName(host)), host);
    }
  }

  @Test
  void configuredNamesAndWildcards() {
    BrowserGuard guard =
        new BrowserGuard(
            ServerConfig.builder()
                .allowedHosts(List.of("search.example.com", "*.corp.test"))
                .build());
    assertTrue(guard.hostAllowed(BrowserGuard.hostName("search.example.com:443")));
    assertTrue(guard.hostAllowed(BrowserGuard.hostName("a.b.corp.test")));
    assertFalse(guard.hostAllowed(BrowserGuard.hostName("corp.test.evil.example")));
    assertFalse(guard.hostAllowed(BrowserGuard.hostName("example.com")));
    BrowserGuard any = new BrowserGuard(ServerConfig.builder().allowedHosts(List.of("*")).build());
    assertTrue(any.hostAllowed("anything.example"));
  }

  @Test
  void allowedHostsMustBeBareNames() {
    for (String bad : List.of("http://x.example", "x.example:80", "x.example/path", "a b")) {
      assertThrows(
          IllegalArgumentException.class,
          () -> ServerConfig.builder().allowedHosts(List.of(bad)).build(),
          bad);
    }
  }

  @Test
  void aTrickledBodyIsRefusedAfterTheGracePeriod() {
    long second = 1_000_000_000L;
    HttpIo.checkRate(10, 5 * second); // slow, but still in the grace period
    HttpIo.checkRate(20 * 1024, 11 * second); // past it, fast enough on average
    ApiProblem p = assertThrows(ApiProblem.class, () -> HttpIo.checkRate(1024, 11 * second));
    assertEquals(408, p.status());
  }
}
