package dev.bindery.generator.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.GeneratorProtocol;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Config validation, URL resolution and the backoff schedule. */
class GeneratorConfigTest {

  private static String error(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void rejectsBadValuesNamingThem() {
    assertTrue(error(() -> GeneratorConfig.of("ftp://h", "m")).contains("'ftp://h'"));
    assertTrue(error(() -> GeneratorConfig.of("localhost:8080", "m")).contains("http or https"));
    assertTrue(error(() -> GeneratorConfig.of("http://h:1 x", "m")).contains("not a URL"));
    assertTrue(error(() -> GeneratorConfig.of("http://h?x=1", "m")).contains("without query"));
    assertTrue(error(() -> GeneratorConfig.of("http://h", " ")).contains("model"));
    GeneratorConfig ok = GeneratorConfig.of("http://h", "m");
    assertTrue(error(() -> ok.withApiKey("has space")).contains("API key"));
    assertTrue(
        error(() -> ok.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
            .contains("connectTimeout"));
    assertTrue(
        error(() -> ok.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(-1)))
            .contains("requestTimeout"));
    assertTrue(error(() -> ok.withRetries(11, Duration.ZERO)).contains("0..10, got 11"));
    assertTrue(error(() -> ok.withRetries(1, Duration.ofMillis(-5))).contains("backoff"));
    assertTrue(error(() -> GeneratorProtocol.fromWire("grpc")).contains("[openai, ollama]"));
  }

  @Test
  void resolvesPathsWithOrWithoutV1() {
    assertEquals(
        URI.create("http://h:8000/v1/chat/completions"),
        GeneratorConfig.of("http://h:8000", "m").resolve("/v1/chat/completions"));
    assertEquals(
        URI.create("http://h:8000/v1/chat/completions"),
        GeneratorConfig.of("http://h:8000/v1/", "m").resolve("/v1/chat/completions"));
    assertEquals(
        URI.create("https://h/proxy/v1/chat/completions"),
        GeneratorConfig.of("https://h/proxy", "m").resolve("/v1/chat/completions"));
    assertEquals(
        URI.create("http://h:11434/api/chat"),
        GeneratorConfig.of("http://h:11434/", "m").resolve("/api/chat"));
  }

  @Test
  void backoffDoublesUpToTheCap() {
    GeneratorConfig c = GeneratorConfig.of("http://h", "m").withRetries(10, Duration.ofMillis(500));
    assertEquals(Duration.ofMillis(500), c.backoffBefore(1));
    assertEquals(Duration.ofMillis(1000), c.backoffBefore(2));
    assertEquals(Duration.ofMillis(4000), c.backoffBefore(4));
    assertEquals(GeneratorConfig.MAX_BACKOFF, c.backoffBefore(10));
    assertEquals(Duration.ZERO, c.withRetries(3, Duration.ZERO).backoffBefore(3));
  }

  @Test
  void neverPrintsTheKey() {
    String s = GeneratorConfig.of("http://h", "m").withApiKey("sk-secret").toString();
    assertFalse(s.contains("sk-secret"), s);
    assertTrue(s.contains("apiKey=***"), s);
  }
}
