package dev.bindery.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.QueryExpr;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.Recommend;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.LegExplanation;
import dev.bindery.indexer.Filter;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the web page in Debian's headless Chromium against a real {@link BinderyServer} over a
 * real data directory: a clip-art collection embedded with the shipped bindery-mini model (MiniLM
 * text tower plus the trained image tower) and a sound collection embedded with the tiny
 * random-weight ImageBind package. What the page shows is compared with what the {@link Bindery}
 * facade answers for the same query in the same process.
 *
 * <p>Needs {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them); without
 * them the test is skipped. {@code -Dbindery.chromedriver=PATH} and {@code -Dbindery.chromium=PATH}
 * point elsewhere. Screenshots go to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PageBrowserTest {
  private static final String GALLERY = "gallery";
  private static final String SOUNDS = "sounds";
  private static final String SPACE = "knn:minilm-l6-v2";

  /** The page's default k (the #k field). */
  private static final int PAGE_K = 12;

  private static final Path MINI_MODEL = Path.of("..", "models", "bindery-mini");
  private static final Path IMAGEBIND_TINY =
      Path.of("..", "encoders", "src", "test", "resources", "parity", "towers", "imagebind");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String XSS_ID = "<img src=x onerror=window.__xss=1>";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path tmp;

  private static Bindery bindery;
  private static BinderyServer server;
  private static WebDriver driver;
  private static String base;
  private static final Map<String, Path> images = new LinkedHashMap<>();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Why the browser tests cannot run here, or null. */
  private static String missingBrowser;

  @BeforeAll
  static void start() throws IOException {
    // Found the way .ci/run finds them (PATH), unless a property names them. Where they are
    // missing every test skips (in @BeforeEach: surefire drops a class-level skip from its report
    // without a trace), and .ci/run's skip rule fails CI for it.
    Path chromedriver = executable("bindery.chromedriver", "chromedriver");
    Path chromium = executable("bindery.chromium", "chromium");
    if (chromedriver == null || chromium == null) {
      missingBrowser =
          "SKIPPED: the browser test needs Chromium and chromedriver on PATH (found chromium="
              + chromium
              + ", chromedriver="
              + chromedriver
              + "); install them with 'apt-get install chromium chromium-driver' (.ci/run does)";
      return;
    }

    Path data = tmp.resolve("data");
    bindery = Bindery.open(data);
    indexGallery(tmp.resolve("media"));
    indexSounds(tmp.resolve("media"));
    server = BinderyServer.start(bindery, ServerConfig.builder().port(0).build());
    base = server.uri().toString();

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1440,1000",
        "--force-device-scale-factor=1",
        "--lang=en-US",
        "--autoplay-policy=no-user-gesture-required");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).build();
    driver = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @BeforeEach
  void browserPresent() {
    Assumptions.assumeTrue(missingBrowser == null, missingBrowser);
  }

  /** The file a system property names, else the first executable of that name on PATH. */
  private static Path executable(String property, String name) {
    String named = System.getProperty(property);
    if (named != null) {
      Path p = Path.of(named);
      return Files.isExecutable(p) ? p : null;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.close();
    }
    if (bindery != null) {
      bindery.close();
    }
  }

  // ------------------------------------------------------------------ fixtures

  /** Drawn clip art (each a distinct picture) with captions, plus a few text notes. */
  private static void indexGallery(Path dir) throws IOException {
    Files.createDirectories(dir);
    bindery.createCollection(GALLERY, MINI_MODEL.toAbsolutePath().normalize().toString());
    record Art(String id, String caption, String kind, long year, Consumer<Graphics2D> paint) {}
    List<Art> arts =
        List.of(
            new Art("sun", "a bright yellow sun", "nature", 2015, PageBrowserTest::sun),
            new Art("house", "a small house with a red roof", "building", 2018, g -> house(g)),
            new Art("tree", "a green tree", "nature", 2020, PageBrowserTest::tree),
            new Art("car", "a blue car", "vehicle", 2021, PageBrowserTest::car),
            new Art("fish", "an orange fish", "animal", 2019, PageBrowserTest::fish),
            new Art("heart", "a red heart", "symbol", 2016, PageBrowserTest::heart),
            new Art("moon", "a crescent moon at night", "nature", 2022, PageBrowserTest::moon),
            new Art("flower", "a pink flower", "nature", 2017, PageBrowserTest::flower),
            new Art("star", "a gold star", "symbol", 2023, PageBrowserTest::star),
            new Art("boat", "a sailing boat on the sea", "vehicle", 2014, PageBrowserTest::boat));
    for (Art a : arts) {
      BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, 256, 256);
      a.paint().accept(g);
      g.dispose();
      Path file = dir.resolve(a.id() + ".png");
      ImageIO.write(img, "png", file.toFile());
      images.put(a.id(), file);
      bindery.addFile(
          GALLERY,
          a.id(),
          file,
          Map.of("caption", a.caption(), "kind", a.kind(), "year", a.year()));
    }
    bindery.addText(
        GALLERY,
        "note-sunrise",
        "The sun rises over the hills and the sky turns yellow.",
        Map.of("kind", "nature", "year", 2024L));
    bindery.addText(
        GALLERY,
        "note-garage",
        "Our old car lives in the garage next to the bicycles.",
        Map.of("kind", "vehicle", "year", 2012L));
    bindery.addText(
        GALLERY, XSS_ID, "a caption that tries to run a script", Map.of("caption", XSS_ID));
    bindery.commit(GALLERY);
  }

  /** Three sine tones, embedded as audio items with time segments by the tiny ImageBind towers. */
  private static void indexSounds(Path dir) throws IOException {
    bindery.createCollection(SOUNDS, IMAGEBIND_TINY.toAbsolutePath().normalize().toString());
    for (int hz : new int[] {220, 440, 880}) {
      Path wav = dir.resolve("tone-" + hz + ".wav");
      writeTone(wav, hz, 4.0);
      bindery.addFile(SOUNDS, "tone-" + hz, wav, Map.of("hz", (long) hz));
    }
    bindery.commit(SOUNDS);
  }

  private static void writeTone(Path file, int hz, double seconds) throws IOException {
    int rate = 16_000;
    int frames = (int) (rate * seconds);
    ByteBuffer pcm = ByteBuffer.allocate(frames * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < frames; i++) {
      pcm.putShort((short) (0.4 * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * i / rate)));
    }
    AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
    try (AudioInputStream in =
        new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, frames)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
  }

  // ------------------------------------------------------------------ tests

  @Test
  @Order(1)
  void typedQueryShowsTheFacadesHitsWithThumbnails() throws IOException {
    open(GALLERY);
    String query = "text:\"a bright yellow sun\"";
    List<String> shown = search(query);

    SearchResponse expected = facade(GALLERY, QuerySpec.parse(query), null);
    assertEquals(ids(expected), shown);
    assertEquals(PAGE_K, shown.size(), "12 of the 13 items");
    // Scores as the page prints them.
    List<WebElement> cards = cards();
    for (int i = 0; i < 3; i++) {
      assertEquals(
          String.format(Locale.ROOT, "%.4f", expected.hits().get(i).score()),
          cards.get(i).findElement(By.className("score")).getText());
    }
    // Image hits show their file, served by the content route, as a loaded thumbnail.
    WebElement sunCard = card("sun");
    WebElement img = sunCard.findElement(By.cssSelector(".thumb img"));
    assertEquals("/v1/collections/gallery/items/sun/content", path(img.getAttribute("src")));
    wait.until(
        d ->
            js("return arguments[0].complete && arguments[0].naturalWidth", img) instanceof Long w
                && w == 256);
    assertEquals(
        "a bright yellow sun",
        sunCard.findElement(By.className("hit-title")).getText().replaceFirst("^\\d+\\. ", ""));
    // Text hits show their text, fetched from the item.
    WebElement note = card("note-sunrise");
    wait.until(
        d -> note.findElement(By.className("snippet")).getText().startsWith("The sun rises"));
    assertTrue(
        text("status")
            .matches(
                PAGE_K
                    + " hits in \\d+ ms · knn:minilm-l6-v2 \\w+, visited \\d+, "
                    + PAGE_K
                    + " hits"),
        text("status"));
    screenshot("text-query");

    // On a phone-sized window the results move below the search panel.
    Dimension wide = driver.manage().window().getSize();
    try {
      driver.manage().window().setSize(new Dimension(480, 1000));
      wait.until(
          d -> {
            Rectangle panel = d.findElement(By.cssSelector(".panel")).getRect();
            Rectangle results = d.findElement(By.id("results")).getRect();
            return results.getX() == panel.getX()
                && results.getY() > panel.getY() + panel.getHeight();
          });
      screenshot("narrow");
    } finally {
      driver.manage().window().setSize(wide);
    }
  }

  @Test
  @Order(2)
  void droppedImageFindsItselfFirstAndFileInputAddsASecond() throws IOException {
    open(GALLERY);
    int before = searches();
    dropFile("drop-zone", images.get("heart"), "image/png");
    waitForSearches(before + 1);
    List<String> shown = hitIds();
    SearchResponse expected = facade(GALLERY, QuerySpec.of(imageTerm("heart")), null);
    assertEquals(ids(expected), shown);
    assertEquals("heart", shown.get(0), "the dropped picture is in the collection");
    assertEquals(1.0, expected.hits().get(0).score(), 1e-4, "cosine of a picture with itself");
    List<WebElement> chips = driver.findElements(By.cssSelector("#media-terms li"));
    assertEquals(1, chips.size());
    assertEquals(
        "image: heart.png", chips.get(0).findElement(By.className("media-name")).getText());
    assertEquals("image:‹heart.png›", text("query-preview"));
    screenshot("dropped-image");

    // The file picker adds a second picture; the query is now their sum, sent as a JSON spec.
    before = searches();
    driver
        .findElement(By.id("file-input"))
        .sendKeys(images.get("tree").toAbsolutePath().toString());
    waitForSearches(before + 1);
    SearchResponse both =
        facade(GALLERY, QuerySpec.of(imageTerm("heart").plus(imageTerm("tree"))), null);
    assertEquals(ids(both), hitIds());
    assertNotEquals(ids(expected), ids(both), "the second picture changes the ranking");
    assertEquals("image:‹heart.png› + image:‹tree.png›", text("query-preview"));

    // Typed text and bm25 join the pictures: one kNN leg over the sum, plus a BM25 leg.
    String typed = "0.5*text:\"a red heart\" + bm25:heart";
    List<String> hybrid = search(typed);
    QuerySpec spec =
        new QuerySpec(
            new QueryExpr.Term(QueryExpr.Kind.TEXT, "a red heart")
                .times(0.5)
                .plus(imageTerm("heart"))
                .plus(imageTerm("tree")),
            "heart");
    assertEquals(ids(facade(GALLERY, spec, null)), hybrid);
    assertTrue(text("status").matches(".* · bm25, \\d+ hits?"), text("status"));
    cards().get(0).findElement(By.className("explain-button")).click();
    screenshot("page");
  }

  @Test
  @Order(3)
  void explainShowsEachLegsRankAndScores() throws IOException {
    open(GALLERY);
    String query = "text:\"a bright yellow sun\" + bm25:sun";
    List<String> shown = search(query);
    SearchResponse expected = facade(GALLERY, QuerySpec.parse(query), null);
    assertEquals(ids(expected), shown);

    WebElement first = cards().get(0);
    WebElement button = first.findElement(By.className("explain-button"));
    assertEquals("false", button.getAttribute("aria-expanded"));
    button.click();
    assertEquals("true", button.getAttribute("aria-expanded"));
    WebElement region = first.findElement(By.className("explain"));
    assertTrue(region.isDisplayed());

    ResultHit hit = expected.hits().get(0);
    Map<String, LegExplanation> legs = hit.explain().legs();
    assertEquals(List.of(SPACE, "bm25"), List.copyOf(legs.keySet()));
    for (Map.Entry<String, LegExplanation> e : legs.entrySet()) {
      LegExplanation leg = e.getValue();
      WebElement row = region.findElement(By.cssSelector("tr[data-leg='" + e.getKey() + "']"));
      List<WebElement> cells = row.findElements(By.tagName("td"));
      int rank = leg.score().rank();
      assertEquals(
          rank > 0 ? String.valueOf(rank) : "absent", cells.get(0).getText(), e.getKey() + " rank");
      if (rank > 0) {
        assertEquals(fmt4(leg.score().raw()), cells.get(1).getText(), e.getKey() + " raw");
        assertEquals(
            fmt4(leg.score().normalized()), cells.get(2).getText(), e.getKey() + " normalized");
      }
      assertEquals(
          String.valueOf(leg.strategy()), cells.get(3).getText(), e.getKey() + " strategy");
      assertTrue(cells.get(4).getText().matches("\\d+"), "visited: " + cells.get(4).getText());
    }
    assertTrue(
        region.getText().contains("Fused score " + String.format(Locale.ROOT, "%.6f", hit.score())),
        region.getText());
    assertTrue(region.getText().contains("fusion rrf"), region.getText());
    screenshot("explain");

    // The only text with the word "sun" is BM25's first hit.
    WebElement note = card("note-sunrise");
    WebElement noteButton = note.findElement(By.className("explain-button"));
    if ("false".equals(noteButton.getAttribute("aria-expanded"))) {
      noteButton.click();
    }
    WebElement bm25 = note.findElement(By.cssSelector(".explain tr[data-leg='bm25']"));
    assertEquals("1", bm25.findElements(By.tagName("td")).get(0).getText());
    assertEquals("BM25", bm25.findElements(By.tagName("td")).get(3).getText());
  }

  @Test
  @Order(4)
  void parseErrorUnderlinesTheColumnTheServerReports() throws IOException {
    open(GALLERY);
    typeAndSubmit("text:a + photo:x");
    WebElement error = driver.findElement(By.id("q-error"));
    wait.until(d -> error.isDisplayed());
    assertEquals("10", error.getAttribute("data-column"));
    assertEquals("p", error.findElement(By.className("bad-column")).getText());
    assertTrue(error.getText().contains("unknown term type 'photo'"), error.getText());
    assertTrue(error.getText().contains("^ column 10"), error.getText());
    assertEquals("true", driver.findElement(By.id("q")).getAttribute("aria-invalid"));
    assertEquals(0, cards().size(), "no hits for a bad query");
    screenshot("parse-error");

    // With a picture in the query the expression travels inside a JSON spec; same column.
    int before = searches();
    dropFile("drop-zone", images.get("sun"), "image/png");
    waitForSearches(before + 1);
    typeAndSubmit("text:a + photo:x");
    wait.until(d -> error.isDisplayed() && "10".equals(error.getAttribute("data-column")));
    assertEquals("p", error.findElement(By.className("bad-column")).getText());
  }

  @Test
  @Order(5)
  void filtersOptionsMoreLikeThisAndTheBuilder() throws IOException {
    open(GALLERY);
    // A term filter from the collection's fields.
    driver.findElement(By.cssSelector("#filters summary")).click();
    driver.findElement(By.id("filter-add")).click();
    WebElement row = driver.findElement(By.cssSelector("#filter-rows li"));
    new Select(row.findElement(By.cssSelector("select[aria-label='Field']"))).selectByValue("kind");
    row = driver.findElement(By.cssSelector("#filter-rows li"));
    row.findElement(By.cssSelector("input[aria-label='Value']")).sendKeys("nature");
    List<String> filtered = search("text:\"something bright\"");
    SearchResponse expected =
        facade(
            GALLERY, QuerySpec.parse("text:\"something bright\""), Filter.term("kind", "nature"));
    assertEquals(ids(expected), filtered);
    assertEquals(
        List.of("flower", "moon", "note-sunrise", "sun", "tree"),
        filtered.stream().sorted().toList());

    // A range filter on a long field, typed as a number.
    new Select(row.findElement(By.cssSelector("select[aria-label='Condition']")))
        .selectByValue("range");
    row = driver.findElement(By.cssSelector("#filter-rows li"));
    new Select(row.findElement(By.cssSelector("select[aria-label='Field']"))).selectByValue("year");
    row = driver.findElement(By.cssSelector("#filter-rows li"));
    row.findElement(By.cssSelector("input[aria-label='From (inclusive)']")).sendKeys("2018");
    row.findElement(By.cssSelector("input[aria-label='To (inclusive)']")).sendKeys("2021");
    List<String> ranged = search("text:\"something bright\"");
    assertEquals(
        ids(
            facade(
                GALLERY,
                QuerySpec.parse("text:\"something bright\""),
                Filter.range("year", 2018L, 2021L))),
        ranged);
    assertEquals(List.of("car", "fish", "house", "tree"), ranged.stream().sorted().toList());
    driver.findElement(By.cssSelector("#filter-rows li button")).click();

    // Fusion method and MMR from the options, on a query with a kNN and a BM25 leg.
    driver.findElement(By.cssSelector("#options summary")).click();
    new Select(driver.findElement(By.id("fusion"))).selectByValue("dbsf");
    String hybrid = "text:\"a sunny day\" + bm25:sun";
    SearchOptions dbsf = SearchOptions.of(PAGE_K).withFusion(FusionConfig.dbsf());
    assertEquals(ids(bindery.search(GALLERY, QuerySpec.parse(hybrid), dbsf)), search(hybrid));
    driver.findElement(By.id("mmr-on")).click();
    js(
        "const r = document.getElementById('mmr'); r.value = '0.5';"
            + "r.dispatchEvent(new Event('input', {bubbles: true}));");
    assertEquals("λ 0.50", text("mmr-value"));
    List<String> diverse = search(hybrid);
    assertEquals(ids(bindery.search(GALLERY, QuerySpec.parse(hybrid), dbsf.withMmr(0.5))), diverse);
    driver.findElement(By.id("mmr-on")).click();
    new Select(driver.findElement(By.id("fusion"))).selectByValue("rrf");

    // k from the options.
    WebElement k = driver.findElement(By.id("k"));
    k.clear();
    k.sendKeys("3");
    assertEquals(3, search("text:boat").size());

    // More like this: recommend(+item:ID), which leaves the item itself out.
    WebElement second = cards().get(1);
    String id = second.getAttribute("data-id");
    int before = searches();
    second.findElement(By.className("more-like-this")).click();
    waitForSearches(before + 1);
    Recommend like = Recommend.ofIds(List.of(id), List.of());
    assertEquals(like.toString(), driver.findElement(By.id("q")).getAttribute("value"));
    assertEquals("recommend(+item:" + id + ")", like.toString());
    assertFalse(hitIds().contains(id), hitIds().toString());
    assertEquals(ids(facade(GALLERY, QuerySpec.of(like), null, 3)), hitIds());
    assertTrue(text("status").contains("recommend:minilm-l6-v2"), text("status"));

    // The builder writes weighted sums and differences.
    driver.findElement(By.cssSelector("#builder summary")).click();
    driver.findElement(By.id("builder-add")).click();
    driver.findElement(By.id("builder-add")).click();
    List<WebElement> rows = driver.findElements(By.cssSelector("#builder-rows li"));
    rows.get(0).findElement(By.cssSelector("input[aria-label='Text']")).sendKeys("a yellow sun");
    new Select(rows.get(1).findElement(By.cssSelector("select[aria-label='Add or subtract']")))
        .selectByValue("-1");
    WebElement weight = rows.get(1).findElement(By.cssSelector("input[aria-label='Weight']"));
    weight.clear();
    weight.sendKeys("0.5");
    rows.get(1).findElement(By.cssSelector("input[aria-label='Text']")).sendKeys("night");
    String built = "text:\"a yellow sun\" - 0.5*text:\"night\"";
    assertEquals(built, text("builder-output"));
    before = searches();
    driver.findElement(By.id("builder-apply")).click();
    waitForSearches(before + 1);
    assertEquals(built, driver.findElement(By.id("q")).getAttribute("value"));
    assertEquals(ids(facade(GALLERY, QuerySpec.parse(built), null, 3)), hitIds());
  }

  @Test
  @Order(6)
  void droppedAudioFindsTonesAndHitsPlayAtTheirSegment() throws IOException {
    open(SOUNDS);
    // Two seconds of the 440 Hz tone, dropped as an audio query.
    Path clip = tmp.resolve("query-440.wav");
    writeTone(clip, 440, 2.0);
    int before = searches();
    dropFile("drop-zone", clip, "audio/x-wav");
    waitForSearches(before + 1);
    SearchResponse expected =
        facade(
            SOUNDS, QuerySpec.of(new QueryExpr.Term(QueryExpr.Kind.AUDIO, clip.toString())), null);
    assertEquals(ids(expected), hitIds());
    assertEquals("audio:‹query-440.wav›", text("query-preview"));

    for (ResultHit hit : expected.hits()) {
      WebElement card = card(hit.id());
      assertEquals("audio", card.getAttribute("data-modality"));
      String src = card.findElement(By.tagName("audio")).getAttribute("src");
      assertEquals("/v1/collections/sounds/items/" + hit.id() + "/content", path(src));
      if (hit.segment() == null) {
        assertFalse(src.contains("#"), src);
      } else {
        assertTrue(
            src.endsWith(
                "#t=" + jsNumber(hit.segment().start()) + "," + jsNumber(hit.segment().end())),
            src);
        assertTrue(
            card.getText()
                .contains(
                    jsFixed1(hit.segment().start()) + "–" + jsFixed1(hit.segment().end()) + " s"),
            card.getText());
      }
    }
    assertTrue(
        expected.hits().stream().anyMatch(h -> h.segment() != null),
        "some tone matches by one of its 2-second segments: " + expected.hits());
    // The browser can load what the content route serves: a 4-second WAV.
    WebElement audio = cards().get(0).findElement(By.tagName("audio"));
    Object duration =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const a = arguments[0], done = arguments[arguments.length - 1];"
                    + "a.addEventListener('loadedmetadata', () => done(a.duration));"
                    + "a.addEventListener('error', () => done('error ' + (a.error && a.error.code)));"
                    + "a.preload = 'metadata'; a.load();",
                audio);
    assertTrue(duration instanceof Number, "audio failed to load: " + duration);
    assertEquals(4.0, ((Number) duration).doubleValue(), 0.05);
    screenshot("audio");
  }

  @Test
  @Order(7)
  void untrustedStringsAreShownAsTextNeverAsHtml() throws IOException {
    open(GALLERY);
    List<String> shown = search("item:\"" + XSS_ID + "\"");
    assertEquals(XSS_ID, shown.get(0));
    WebElement card = cards().get(0);
    assertEquals("1. " + XSS_ID, card.findElement(By.className("hit-title")).getText());
    assertEquals(XSS_ID, card.findElement(By.className("hit-id")).getText());
    assertEquals(
        0L, js("return document.querySelectorAll('#hits img[src=\"x\"], #hits [onerror]').length"));
    assertEquals(null, js("return window.__xss === undefined ? null : window.__xss"));
  }

  @Test
  @Order(8)
  void askShowsTheAnswerWithClickableCitations() throws Exception {
    open(GALLERY);
    String question = "Which picture shows the sun?";
    HttpResponse<String> direct =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/collections/gallery/ask"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            MAPPER.writeValueAsString(Map.of("question", question))))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, direct.statusCode(), direct.body());
    JsonNode body = MAPPER.readTree(direct.body());
    List<String> cited = new ArrayList<>();
    body.get("citations").forEach(c -> cited.add(c.get("id").asText()));
    assertFalse(cited.isEmpty(), "the answer cites what it used: " + direct.body());

    driver.findElement(By.id("question")).sendKeys(question);
    driver.findElement(By.id("ask-button")).click();
    WebElement answer = driver.findElement(By.id("answer"));
    wait.until(d -> answer.isDisplayed());
    assertEquals(
        body.get("answer").asText(),
        driver.findElement(By.id("answer-text")).getDomProperty("textContent"));
    assertTrue(
        text("answer-meta").contains("answered by " + body.get("answered_by").asText()),
        text("answer-meta"));
    List<String> shown = new ArrayList<>();
    for (WebElement c : driver.findElements(By.cssSelector("#citations > li"))) {
      shown.add(c.getAttribute("data-id"));
    }
    assertEquals(cited, shown);

    // A citation in the text is a button that focuses the cited item's card.
    List<WebElement> links = driver.findElements(By.className("cite-link"));
    assertFalse(links.isEmpty(), "the answer's [id] markers are links: " + body.get("answer"));
    WebElement link = links.get(links.size() - 1);
    String id = link.getText().substring(1, link.getText().length() - 1);
    link.click();
    wait.until(d -> id.equals(d.switchTo().activeElement().getAttribute("data-id")));
    assertTrue(driver.switchTo().activeElement().getAttribute("id").startsWith("cite-"));
    screenshot("ask");
  }

  @Test
  @Order(9)
  void apiKeyIsSentAsBearerAndUnlocksSearchAndThumbnails() throws IOException {
    ApiKeys.Generated key =
        ApiKeys.generate("page-test", Scope.READ, List.of(GALLERY), new SecureRandom());
    try (BinderyServer secured =
        BinderyServer.start(
            bindery,
            ServerConfig.builder().port(0).keys(new ApiKeys(List.of(key.key()))).build())) {
      driver.get(secured.uri() + "/");
      js("sessionStorage.clear()");
      driver.navigate().refresh();
      wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
      WebElement alert = driver.findElement(By.id("alert"));
      assertTrue(alert.isDisplayed());
      assertTrue(alert.getText().contains("Unauthorized"), alert.getText());
      assertTrue(alert.getText().contains("Enter an API key"), alert.getText());

      driver.findElement(By.id("api-key")).sendKeys(key.secret(), Keys.ENTER);
      wait.until(
          d ->
              new Select(d.findElement(By.id("collection"))).getOptions().size() == 1
                  && GALLERY.equals(d.findElement(By.id("collection")).getAttribute("value")));
      assertEquals(key.secret(), js("return sessionStorage.getItem('bindery.apiKey')"));
      assertEquals(
          ids(facade(GALLERY, QuerySpec.parse("text:\"a blue car\""), null)),
          search("text:\"a blue car\""));
      // Thumbnails come through fetch with the key, shown from blob: URLs.
      WebElement img = card("car").findElement(By.cssSelector(".thumb img"));
      wait.until(
          d ->
              String.valueOf(img.getAttribute("src")).startsWith("blob:")
                  && js("return arguments[0].complete && arguments[0].naturalWidth", img)
                      instanceof Long w
                  && w == 256);
    } finally {
      js("sessionStorage.clear()");
    }
  }

  @Test
  @Order(10)
  void nextAndPreviousPageThroughEveryHitOnce() throws IOException {
    open(GALLERY);
    // k sits in the options, closed on a freshly opened page.
    if (!Boolean.TRUE.equals(js("return document.getElementById('options').open"))) {
      driver.findElement(By.cssSelector("#options summary")).click();
    }
    WebElement k = driver.findElement(By.id("k"));
    k.clear();
    k.sendKeys("4");
    String query = "text:\"a bright yellow sun\"";
    List<String> all = new ArrayList<>(search(query));
    List<List<String>> pages = new ArrayList<>(List.of(List.copyOf(all)));
    assertEquals("Hits 1–4", text("page-info"));
    assertEquals("Next 4 →", text("page-next"));
    assertFalse(driver.findElement(By.id("page-prev")).isEnabled());
    while (driver.findElement(By.id("page-next")).isEnabled()) {
      int before = searches();
      driver.findElement(By.id("page-next")).click();
      waitForSearches(before + 1);
      pages.add(hitIds());
      all.addAll(hitIds());
      int first = 4 * (pages.size() - 1) + 1;
      assertEquals(
          first + ".", cards().get(0).findElement(By.className("rank")).getText(), "rank numbers");
    }
    // 13 items, 4 a page: every one exactly once, in the one-page order.
    assertEquals(List.of(4, 4, 4, 1), pages.stream().map(List::size).toList());
    assertEquals(ids(facade(GALLERY, QuerySpec.parse(query), null, 13)), all);
    assertEquals("Hits 13–13", text("page-info"));
    screenshot("paging");
    // Previous goes back to the page before, unchanged.
    int before = searches();
    driver.findElement(By.id("page-prev")).click();
    waitForSearches(before + 1);
    assertEquals(pages.get(2), hitIds());
    assertEquals("Hits 9–12", text("page-info"));
  }

  @Test
  @Order(11)
  void facetClicksNarrowToTheirCountAndChipsRemoveThem() throws IOException {
    open(GALLERY);
    String query = "text:\"something bright\"";
    assertEquals(PAGE_K, search(query).size());
    WebElement nature = facetButton("kind: nature");
    assertEquals("(5)", nature.findElement(By.className("facet-count")).getText());
    int before = searches();
    nature.click();
    waitForSearches(before + 1);
    Filter natureFilter = Filter.term("kind", "nature");
    assertEquals(5, hitIds().size(), "the facet's count");
    assertEquals(ids(facade(GALLERY, QuerySpec.parse(query), natureFilter)), hitIds());
    List<WebElement> chips = driver.findElements(By.cssSelector("#chips li"));
    assertEquals(1, chips.size());
    assertTrue(chips.get(0).getText().startsWith("kind: nature"), chips.get(0).getText());
    // Facets now count within the filter; a year bucket narrows further to its count.
    List<WebElement> years =
        driver.findElements(By.cssSelector("#facets [data-field='year'] button"));
    assertFalse(years.isEmpty(), "year buckets");
    WebElement bucket = years.get(0);
    String label = bucket.getAttribute("data-label");
    String count = bucket.findElement(By.className("facet-count")).getText();
    long expected = Long.parseLong(count.substring(1, count.length() - 1));
    String[] bounds = label.substring("year: ".length()).split("–");
    long from = Long.parseLong(bounds[0]);
    long to = Long.parseLong(bounds[1]);
    // The last bucket ends at the largest year present, inclusive; the others exclude their end.
    long largest =
        facade(GALLERY, QuerySpec.parse(query), natureFilter, 13).hits().stream()
            .mapToLong(h -> ((Number) h.metadata().get("year")).longValue())
            .max()
            .orElseThrow();
    boolean last = to == largest;
    before = searches();
    bucket.click();
    waitForSearches(before + 1);
    assertEquals(expected, hitIds().size(), label);
    Filter range = Filter.range("year", from, to);
    Filter yearFilter = last || from == to ? range : range.andNot(Filter.term("year", to));
    assertEquals(
        ids(facade(GALLERY, QuerySpec.parse(query), Filter.and(natureFilter, yearFilter))),
        hitIds());
    assertEquals(2, driver.findElements(By.cssSelector("#chips li")).size());
    screenshot("facets");
    // The chips' x buttons take the filters away again.
    for (int i = 0; i < 2; i++) {
      before = searches();
      driver.findElement(By.cssSelector("#chips li button")).click();
      waitForSearches(before + 1);
    }
    assertTrue(driver.findElements(By.cssSelector("#chips li")).isEmpty());
    assertEquals(ids(facade(GALLERY, QuerySpec.parse(query), null)), hitIds());
  }

  private WebElement facetButton(String label) {
    for (WebElement b : driver.findElements(By.cssSelector("#facets button"))) {
      if (label.equals(b.getAttribute("data-label"))) {
        return b;
      }
    }
    throw new AssertionError("no facet button '" + label + "'");
  }

  // ------------------------------------------------------------------ page helpers

  private final WebDriverWait wait = new WebDriverWait(driver, WAIT);

  private static void open(String collection) {
    driver.get(base + "/?collection=" + collection);
    new WebDriverWait(driver, WAIT)
        .until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    assertEquals(collection, driver.findElement(By.id("collection")).getAttribute("value"));
  }

  private int searches() {
    Object n = js("return Number(document.body.dataset.searches || 0)");
    return ((Number) n).intValue();
  }

  private void waitForSearches(int n) {
    wait.until(d -> searches() >= n);
  }

  private void typeAndSubmit(String query) {
    WebElement q = driver.findElement(By.id("q"));
    q.clear();
    q.sendKeys(query);
    int before = searches();
    q.sendKeys(Keys.ENTER);
    waitForSearches(before + 1);
  }

  /** Types a query, presses Enter, waits for the answer and returns the hit ids shown. */
  private List<String> search(String query) {
    typeAndSubmit(query);
    String alert = driver.findElement(By.id("alert")).isDisplayed() ? text("alert") : "";
    assertEquals("", alert, "the search failed");
    assertFalse(driver.findElement(By.id("q-error")).isDisplayed(), text("q-error"));
    return hitIds();
  }

  private List<WebElement> cards() {
    return driver.findElements(By.cssSelector("#hits > li"));
  }

  private WebElement card(String id) {
    for (WebElement c : cards()) {
      if (id.equals(c.getAttribute("data-id"))) {
        return c;
      }
    }
    throw new AssertionError("no card for '" + id + "' among " + hitIds());
  }

  private List<String> hitIds() {
    List<String> ids = new ArrayList<>();
    for (WebElement c : cards()) {
      ids.add(c.getAttribute("data-id"));
    }
    return ids;
  }

  private String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Drops a file on an element the way a browser does: dragenter, dragover, drop. */
  private void dropFile(String target, Path file, String type) throws IOException {
    String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    js(
        "const [b64, name, type, id] = arguments;"
            + "const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));"
            + "const dt = new DataTransfer();"
            + "dt.items.add(new File([bytes], name, {type}));"
            + "const el = document.getElementById(id);"
            + "for (const t of ['dragenter', 'dragover', 'drop']) {"
            + "  el.dispatchEvent(new DragEvent(t, {bubbles: true, cancelable: true, dataTransfer: dt}));"
            + "}",
        b64,
        file.getFileName().toString(),
        type,
        target);
  }

  private static void screenshot(String name) throws IOException {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  // ------------------------------------------------------------------ reference answers

  private static SearchResponse facade(String collection, QuerySpec spec, Filter filter) {
    return facade(collection, spec, filter, PAGE_K);
  }

  private static SearchResponse facade(String collection, QuerySpec spec, Filter filter, int k) {
    return bindery.search(
        collection, spec, SearchOptions.of(k).withExplain(true).withFilter(filter));
  }

  private static QueryExpr imageTerm(String id) {
    return new QueryExpr.Term(QueryExpr.Kind.IMAGE, images.get(id).toAbsolutePath().toString());
  }

  private static List<String> ids(SearchResponse r) {
    return r.hits().stream().map(ResultHit::id).toList();
  }

  private static String path(String url) {
    return URI.create(url).getPath();
  }

  private static String fmt4(Object v) {
    return String.format(Locale.ROOT, "%.4f", ((Number) v).doubleValue());
  }

  /** A number as JavaScript's String(x) writes it (integers without ".0"). */
  private static String jsNumber(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
  }

  private static String jsFixed1(double x) {
    return String.format(Locale.ROOT, "%.1f", x);
  }

  // ------------------------------------------------------------------ clip art

  private static void sun(Graphics2D g) {
    g.setColor(new Color(0xF9A825));
    g.setStroke(new BasicStroke(10, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int i = 0; i < 12; i++) {
      double a = Math.PI * 2 * i / 12;
      g.drawLine(
          (int) (128 + 70 * Math.cos(a)), (int) (128 + 70 * Math.sin(a)),
          (int) (128 + 110 * Math.cos(a)), (int) (128 + 110 * Math.sin(a)));
    }
    g.setColor(new Color(0xFDD835));
    g.fill(new Ellipse2D.Double(68, 68, 120, 120));
  }

  private static void house(Graphics2D g) {
    g.setColor(new Color(0xFFE0B2));
    g.fillRect(58, 120, 140, 110);
    g.setColor(new Color(0xC62828));
    g.fillPolygon(new Polygon(new int[] {40, 128, 216}, new int[] {125, 40, 125}, 3));
    g.setColor(new Color(0x6D4C41));
    g.fillRect(112, 165, 34, 65);
    g.setColor(new Color(0x64B5F6));
    g.fillRect(72, 140, 30, 28);
    g.fillRect(156, 140, 30, 28);
  }

  private static void tree(Graphics2D g) {
    g.setColor(new Color(0x6D4C41));
    g.fillRect(112, 150, 32, 90);
    g.setColor(new Color(0x2E7D32));
    g.fill(new Ellipse2D.Double(48, 20, 160, 150));
    g.setColor(new Color(0x43A047));
    g.fill(new Ellipse2D.Double(78, 40, 90, 80));
  }

  private static void car(Graphics2D g) {
    g.setColor(new Color(0x1565C0));
    g.fillRoundRect(20, 120, 216, 60, 24, 24);
    g.fillRoundRect(70, 80, 120, 60, 30, 30);
    g.setColor(new Color(0xBBDEFB));
    g.fillRect(85, 92, 40, 34);
    g.fillRect(135, 92, 40, 34);
    g.setColor(new Color(0x212121));
    g.fill(new Ellipse2D.Double(45, 160, 48, 48));
    g.fill(new Ellipse2D.Double(163, 160, 48, 48));
  }

  private static void fish(Graphics2D g) {
    g.setColor(new Color(0xEF6C00));
    g.fill(new Ellipse2D.Double(40, 80, 150, 96));
    g.fillPolygon(new Polygon(new int[] {180, 236, 236}, new int[] {128, 78, 178}, 3));
    g.setColor(Color.WHITE);
    g.fill(new Ellipse2D.Double(70, 108, 22, 22));
    g.setColor(Color.BLACK);
    g.fill(new Ellipse2D.Double(76, 114, 10, 10));
  }

  private static void heart(Graphics2D g) {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(128, 220);
    p.curveTo(20, 150, 20, 50, 85, 45);
    p.curveTo(110, 43, 125, 60, 128, 80);
    p.curveTo(131, 60, 146, 43, 171, 45);
    p.curveTo(236, 50, 236, 150, 128, 220);
    g.setColor(new Color(0xD32F2F));
    g.fill(p);
  }

  private static void moon(Graphics2D g) {
    g.setColor(new Color(0x1A237E));
    g.fillRect(0, 0, 256, 256);
    g.setColor(new Color(0xFFF59D));
    g.fill(new Ellipse2D.Double(50, 40, 170, 170));
    g.setColor(new Color(0x1A237E));
    g.fill(new Ellipse2D.Double(95, 25, 160, 160));
    g.setColor(Color.WHITE);
    g.fill(new Ellipse2D.Double(40, 200, 6, 6));
    g.fill(new Ellipse2D.Double(200, 215, 5, 5));
  }

  private static void flower(Graphics2D g) {
    g.setColor(new Color(0x388E3C));
    g.setStroke(new BasicStroke(8));
    g.drawLine(128, 140, 128, 245);
    g.setColor(new Color(0xEC407A));
    for (int i = 0; i < 6; i++) {
      double a = Math.PI * 2 * i / 6;
      g.fill(
          new Ellipse2D.Double(128 + 45 * Math.cos(a) - 30, 100 + 45 * Math.sin(a) - 30, 60, 60));
    }
    g.setColor(new Color(0xFFEB3B));
    g.fill(new Ellipse2D.Double(103, 75, 50, 50));
  }

  private static void star(Graphics2D g) {
    Polygon p = new Polygon();
    for (int i = 0; i < 10; i++) {
      double r = i % 2 == 0 ? 110 : 45;
      double a = -Math.PI / 2 + Math.PI * i / 5;
      p.addPoint((int) (128 + r * Math.cos(a)), (int) (135 + r * Math.sin(a)));
    }
    g.setColor(new Color(0xFFC107));
    g.fill(p);
  }

  private static void boat(Graphics2D g) {
    g.setColor(new Color(0x4FC3F7));
    g.fillRect(0, 190, 256, 66);
    g.setColor(new Color(0x5D4037));
    g.fillPolygon(new Polygon(new int[] {40, 216, 186, 70}, new int[] {170, 170, 205, 205}, 4));
    g.setColor(new Color(0xFAFAFA));
    g.fillPolygon(new Polygon(new int[] {132, 132, 200}, new int[] {30, 160, 160}, 3));
    g.setColor(new Color(0xE0E0E0));
    g.fillPolygon(new Polygon(new int[] {124, 124, 70}, new int[] {60, 160, 160}, 3));
  }
}
