package dev.bindery.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A hostile web page, served from a real second origin, open in headless Chromium next to a
 * key-less Bindery server on loopback (the default laptop setup). The page tries what issue 15's
 * probe did: {@code fetch(..., {mode: 'no-cors'})} with {@code text/plain}, with no content type
 * and as a multipart upload, a CORS request, a cross-origin read, and an HTML form posting JSON as
 * {@code text/plain}. Nothing may change on the server. A DNS-rebinding name (mapped to 127.0.0.1
 * inside the browser with {@code --host-resolver-rules}) gets 421 and no data.
 *
 * <p>Needs {@code chromium} and {@code chromium-driver}, like {@link PageBrowserTest}; skipped
 * without them.
 */
class CrossOriginBrowserTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String REBIND = "rebind.attacker.test";

  @TempDir static Path tmp;

  private static Bindery bindery;
  private static BinderyServer server;
  private static HttpServer attacker;
  private static WebDriver driver;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    Path chromedriver =
        Path.of(System.getProperty("bindery.chromedriver", "/usr/bin/chromedriver"));
    Path chromium = Path.of(System.getProperty("bindery.chromium", "/usr/bin/chromium"));
    Assumptions.assumeTrue(
        Files.isExecutable(chromedriver) && Files.isExecutable(chromium),
        "SKIPPED: needs Chromium and chromedriver (apt-get install chromium chromium-driver)");

    bindery = Bindery.open(tmp.resolve("data"));
    server =
        BinderyServer.start(
            bindery,
            ServerConfig.builder().port(0).uploadsDir(tmp.resolve("data/uploads")).build());
    post("/v1/collections", "{\"name\":\"vecs\",\"spaces\":{\"v\":{\"dim\":2}}}");
    post("/v1/collections/vecs/items", "{\"id\":\"a\",\"vectors\":{\"v\":[1,0]}}");

    // The second origin: another server on another port, whose page attacks the first.
    attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    attacker.createContext(
        "/attack.html",
        exchange -> {
          byte[] page = attackPage(server.port()).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
          }
        });
    attacker.start();

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        // DNS rebinding without DNS: the attacker's name resolves to this machine.
        "--host-resolver-rules=MAP " + REBIND + " 127.0.0.1");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (attacker != null) {
      attacker.stop(0);
    }
    if (server != null) {
      server.close();
    }
    if (bindery != null) {
      bindery.close();
    }
  }

  @Test
  void aForeignPageChangesNothing() throws Exception {
    driver.get("http://localhost:" + attacker.getAddress().getPort() + "/attack.html");
    new WebDriverWait(driver, WAIT)
        .until(
            d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return window.done")));
    @SuppressWarnings("unchecked")
    List<String> results =
        (List<String>) ((JavascriptExecutor) driver).executeScript("return window.results");

    // The browser sent the no-cors requests; their answers are opaque or, because the server
    // marks them Cross-Origin-Resource-Policy: same-origin, blocked (TypeError). Either way the
    // page learns nothing, and it cannot make a CORS request or read.
    for (String name : List.of("create-text-plain", "item-no-type", "multipart")) {
      assertTrue(
          results.contains(name + ":opaque") || results.contains(name + ":TypeError"),
          results.toString());
    }
    assertTrue(results.contains("cors-json:TypeError"), results.toString());
    assertTrue(results.contains("read:TypeError"), results.toString());

    JsonNode list = get("/v1/collections");
    assertEquals(1, list.get("collections").size(), list.toString());
    assertEquals("vecs", list.get("collections").get(0).get("name").asText());
    assertEquals(1, list.get("collections").get(0).get("count").asLong(), list.toString());
    // The requests did arrive, and were refused on their Origin: the three fetches and the form.
    assertTrue(postsRefused() >= 4, "POSTs answered 403: " + postsRefused());
  }

  /** POST requests the server answered with 403, from its own metrics. */
  private static long postsRefused() throws Exception {
    long n = 0;
    for (String line : text("/metrics").split("\n")) {
      if (line.startsWith("http_server_requests_seconds_count")
          && line.contains("method=\"POST\"")
          && line.contains("status=\"403\"")) {
        n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }

  @Test
  void aRebindingNameGetsNoData() throws Exception {
    driver.get("http://" + REBIND + ":" + server.port() + "/v1/collections");
    String body = driver.findElement(By.tagName("body")).getText();
    assertTrue(body.contains("host-not-allowed"), body);
    assertFalse(body.contains("vecs"), body);
    driver.get("http://" + REBIND + ":" + server.port() + "/");
    String page = driver.findElement(By.tagName("body")).getText();
    assertTrue(page.contains("host-not-allowed"), page);
    assertEquals(1, get("/v1/collections/vecs").get("count").asLong());
  }

  /**
   * The attack: each try records {@code name:opaque} when the browser sent it without letting the
   * page see the answer, or {@code name:ErrorName} when the browser refused.
   */
  private static String attackPage(int port) {
    String target = "http://127.0.0.1:" + port;
    return """
        <!doctype html><html><body>
        <iframe name="sink" id="sink"></iframe>
        <form id="form" method="POST" enctype="text/plain" target="sink"
              action="TARGET/v1/collections">
          <input type="hidden" name='{"name":"pwned-form","spaces":{"v":{"dim":2}},"x":"'
                 value='"}'>
        </form>
        <script>
        const T = "TARGET";
        window.results = [];
        const png = Uint8Array.from(atob(
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
          c => c.charCodeAt(0));
        const tries = [
          ["create-text-plain", () => fetch(T + "/v1/collections", {method: "POST", mode: "no-cors",
              headers: {"Content-Type": "text/plain"},
              body: JSON.stringify({name: "pwned", spaces: {v: {dim: 2}}})})],
          ["item-no-type", () => fetch(T + "/v1/collections/vecs/items", {method: "POST",
              mode: "no-cors",
              body: new Blob([JSON.stringify({id: "planted", vectors: {v: [0, 1]}})])})],
          ["multipart", () => { const f = new FormData();
              f.append("file", new Blob([png], {type: "image/png"}), "planted.png");
              return fetch(T + "/v1/collections/vecs/items", {method: "POST", mode: "no-cors",
                  body: f}); }],
          ["cors-json", () => fetch(T + "/v1/collections", {method: "POST",
              headers: {"Content-Type": "application/json"},
              body: JSON.stringify({name: "pwned-cors", spaces: {v: {dim: 2}}})})],
          ["read", () => fetch(T + "/v1/collections").then(r => r.text())],
        ];
        (async () => {
          for (const [name, attempt] of tries) {
            try {
              const r = await attempt();
              results.push(name + ":" + (r && r.type ? r.type : "read"));
            } catch (e) {
              results.push(name + ":" + e.name);
            }
          }
          const sink = document.getElementById("sink");
          sink.addEventListener("load", () => { window.done = true; });
          document.getElementById("form").submit();
        })();
        </script></body></html>
        """
        .replace("TARGET", target);
  }

  private static void post(String path, String json) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(server.uri() + path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String text(String path) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(server.uri() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static JsonNode get(String path) throws Exception {
    return MAPPER.readTree(text(path));
  }
}
