package dev.bindery.client.testing;

import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A real Bindery server (the search-server's {@link BinderyServer}) on a loopback port with API
 * keys on, started once for the test JVM on a temporary data directory; the remote-mode tests of
 * the langchain4j and Spring AI stores talk to it over HTTP as an application would, and look at
 * its library to check what arrived. Shipped in bindery-client's test jar.
 */
public final class RemoteServer {
  /** How long the server and its clients wait: far beyond any answer, so tests have no deadline. */
  public static final Duration PATIENCE = Duration.ofMinutes(15);

  private static RemoteServer server;

  public final String url;
  public final String adminKey;
  public final String readKey;
  public final Bindery bindery;

  private RemoteServer(String url, String adminKey, String readKey, Bindery bindery) {
    this.url = url;
    this.adminKey = adminKey;
    this.readKey = readKey;
    this.bindery = bindery;
  }

  /** The server, started on the first call. */
  public static synchronized RemoteServer get() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("bindery-remote-test-");
        SecureRandom random = new SecureRandom();
        ApiKeys.Generated admin = ApiKeys.generate("admin", Scope.ADMIN, Set.of(), random);
        ApiKeys.Generated read = ApiKeys.generate("reader", Scope.READ, Set.of(), random);
        Path keys = dir.resolve("keys.json");
        new ApiKeys(List.of(admin.key(), read.key())).save(keys);
        Bindery bindery = Bindery.open(dir.resolve("data"));
        BinderyServer s =
            BinderyServer.start(
                bindery,
                ServerConfig.builder()
                    .port(0)
                    .keys(ApiKeys.load(keys))
                    // This machine may be slow (shared, 2 cores): no answer must hit a deadline.
                    .requestTimeout(RemoteServer.PATIENCE)
                    .build());
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      s.close();
                      bindery.close();
                    }));
        server = new RemoteServer(s.uri().toString(), admin.secret(), read.secret(), bindery);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }
}
