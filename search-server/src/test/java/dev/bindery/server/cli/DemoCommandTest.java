package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bindery demo --no-serve} on a slice of the real demo set (every flag, every Tux Paint
 * stamp and a few other pictures, through the real default model): it indexes, prints the five
 * examples with hits that fit them, and a re-run embeds nothing again.
 */
class DemoCommandTest {
  private static final Path DEMO = Path.of("..", "models", "bindery-mini", "demo");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /**
   * A manifest of the demo's flags and Tux Paint stamps plus every 10th other picture, images
   * linked, not copied.
   */
  private Path slice() throws Exception {
    Path sliceDir = Files.createDirectories(dir.resolve("demo"));
    Files.createSymbolicLink(sliceDir.resolve("images"), DEMO.resolve("images").toAbsolutePath());
    List<String> lines = Files.readAllLines(DEMO.resolve("manifest.jsonl"));
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      ObjectNode o = (ObjectNode) JSON.readTree(lines.get(i));
      String id = o.get("id").asText();
      if (id.contains("/flags/") || id.startsWith("tuxpaint/") || i % 10 == 0) {
        kept.add(lines.get(i));
      }
    }
    Path m = sliceDir.resolve("manifest.jsonl");
    Files.write(m, kept);
    return m;
  }

  @Test
  void indexesPrintsTheExamplesAndReRunsCheaply() throws Exception {
    Path manifest = slice();
    Path data = dir.resolve("data");
    CliRun run =
        CliRun.of(
            "--data", data.toString(), "demo", "--no-serve", "--manifest", manifest.toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    int items = Files.readAllLines(manifest).size();
    assertTrue(run.out().contains(items + " added, 0 replaced, 0 unchanged, 0 skipped"), run.out());
    for (String title :
        List.of(
            "1. text -> image",
            "2. image -> image",
            "3. image arithmetic",
            "4. filtered",
            "5. hybrid")) {
      assertTrue(run.out().contains(title), title + " missing:\n" + run.out());
    }
    assertTrue(run.err().contains("Indexing demo"), "progress bar on stderr: " + run.err());

    try (Bindery b = Bindery.open(data)) {
      assertEquals(items, b.describe(DemoCommand.COLLECTION).count());
      DemoCommand.Examples ex =
          new DemoCommand.Examples(b, manifest.getParent(), new java.io.PrintWriter(System.out));
      List<DemoCommand.Examples.Example> examples = ex.examples();
      // 1. "a pear" finds Tux Paint's photograph of a pear first
      SearchResponse pear = search(b, examples.get(0), 5);
      assertEquals(PEAR, pear.hits().get(0).id(), ids(pear).toString());
      // 2. the query picture is its own nearest neighbour
      SearchResponse img = search(b, examples.get(1), 5);
      assertEquals("tuxpaint/food/vegetables/tomato", img.hits().get(0).id());
      assertEquals(1.0, img.hits().get(0).score(), 1e-4);
      // 3. arithmetic (weights 2) moves the photograph of the moon up: into the top 3 with the text
      // terms, far lower for the picture of Mars alone (37th in the whole demo)
      SearchResponse moved = search(b, examples.get(2), 50);
      SearchResponse alone =
          search(b, new DemoCommand.Examples.Example("alone", pictureOnly(examples), null, ""), 50);
      assertEquals(MARS, moved.hits().get(0).id(), ids(moved).toString());
      int movedRank = ids(moved).indexOf(MOON);
      assertTrue(movedRank >= 1 && movedRank <= 2, ids(moved).toString());
      int aloneRank = ids(alone).indexOf(MOON);
      assertTrue(aloneRank < 0 || aloneRank > movedRank + 3, ids(alone).toString());
      // 4. every hit passes the filter
      SearchResponse filtered = search(b, examples.get(3), 5);
      assertTrue(!filtered.hits().isEmpty());
      for (ResultHit h : filtered.hits()) {
        assertTrue(
            ((List<?>) h.metadata().get("keywords")).contains(DemoCommand.FILTER_VALUE),
            h.toString());
      }
      // 5. both legs ran
      SearchResponse hybrid = search(b, examples.get(4), 5);
      assertEquals(2, hybrid.legs().size(), hybrid.legs().toString());
      assertTrue(flags(hybrid) >= 4, ids(hybrid).toString());
    }

    CliRun again =
        CliRun.of(
            "--data", data.toString(), "demo", "--no-serve", "--manifest", manifest.toString());
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(
        again.out().contains("0 added, 0 replaced, " + items + " unchanged, 0 skipped"),
        again.out());
  }

  @Test
  void aMissingManifestIsAUsageError() {
    CliRun run =
        CliRun.of(
            "--data",
            dir.resolve("data").toString(),
            "demo",
            "--no-serve",
            "--manifest",
            dir.resolve("nope.jsonl").toString());
    assertEquals(2, run.exitCode(), run.out());
    assertTrue(run.err().contains("nope.jsonl"), run.err());
  }

  private static final String PEAR = "tuxpaint/food/fruit/pear";
  private static final String MARS = "tuxpaint/space/planets/4_mars";
  private static final String MOON = "tuxpaint/space/moon/moon_3qt";

  /** Example 3's picture term alone: its expression up to the first text term. */
  private static String pictureOnly(List<DemoCommand.Examples.Example> examples) {
    String e = examples.get(2).expression();
    return e.substring(0, e.indexOf(" + "));
  }

  private static SearchResponse search(Bindery b, DemoCommand.Examples.Example e, int k) {
    var options = dev.bindery.fusion.query.SearchOptions.of(k);
    if (e.filter() != null) {
      options = options.withFilter(e.filter());
    }
    return b.search(
        DemoCommand.COLLECTION, dev.bindery.fusion.query.QuerySpec.parse(e.expression()), options);
  }

  private static long flags(SearchResponse r) {
    return r.hits().stream().filter(h -> h.id().contains("/flags/")).count();
  }

  private static List<String> ids(SearchResponse r) {
    return r.hits().stream().map(ResultHit::id).toList();
  }
}
