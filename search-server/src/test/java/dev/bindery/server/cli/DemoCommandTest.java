package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code bindery demo} once (indexing takes seconds) and checks what it printed and wrote. */
class DemoCommandTest {

  private static final int ITEMS = DemoCollection.IMAGES + DemoCollection.VIDEOS;

  @TempDir static Path data;

  private static CliRun run;

  @BeforeAll
  static void runDemo() {
    run = CliRun.of("demo", "--no-serve", "--data", data.toString());
  }

  @Test
  void succeedsAndWritesEveryItemDurably() throws Exception {
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertTrue(run.out().startsWith("Created collection 'demo'"), run.out());
    assertTrue(run.err().contains("2050/2050 items"), "progress bar on stderr: " + run.err());
    // A fresh backend sees what the demo committed.
    try (LuceneBackend backend = new LuceneBackend(data)) {
      CollectionInfo info = backend.describe(DemoCollection.NAME);
      assertEquals(ITEMS, info.count(), run.out());
      assertEquals(
          DemoCollection.IMAGES + DemoCollection.VIDEOS * DemoCollection.SEGMENTS_PER_VIDEO,
          info.vectorCount());
      assertTrue(info.filterSets().contains(DemoCollection.VIDEO_SET), info.toString());
    }
  }

  @Test
  void printsSensibleHitsForEachExample() {
    String out = run.out();
    // (a) the centroid of topic-07 finds topic-07 items, best first.
    assertTrue(firstRowAfter(out, "(a)").contains("topic-07"), out);
    assertTrue(out.contains("5 of 5 hits are about topic-07"), out);
    // (b) the range filter holds.
    assertTrue(out.contains("5 of 5 hits have year >= 2015"), out);
    // (c) HNSW agrees with exact search on well-separated clusters.
    Matcher overlap = Pattern.compile("overlap@10: mean (\\d\\.\\d+)").matcher(out);
    assertTrue(overlap.find(), out);
    assertTrue(Double.parseDouble(overlap.group(1)) >= 0.9, out);
    // (d) one row per video with its best segment; a topic's segments pair up within videos.
    List<String> videoRows = rowsAfter(out, "(d)");
    assertEquals(5, videoRows.size(), out);
    for (String row : videoRows) {
      assertTrue(row.matches(".*vid-\\d\\d .* \\d+\\.\\d-\\d+\\.\\d s .*"), row);
      assertTrue(row.contains("topic-12"), row);
    }
    assertTrue(out.contains("the 10 best vectors are segments of 5 videos"), out);
    // (e) BM25 ranks captions with both words first.
    assertTrue(firstRowAfter(out, "(e)").contains("lighthouse at night"), out);
    assertTrue(out.contains("5 of 5 captions contain both words"), out);
    assertFalse(out.contains("nothing is served yet"), "--no-serve says nothing of serving");
  }

  @Test
  void runningAgainRecreatesTheCollectionAndSaysServingIsNotThereYet() throws Exception {
    CliRun again = CliRun.of("--data", data.toString(), "demo");
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().startsWith("Re-created collection 'demo'"), again.out());
    assertTrue(again.out().contains("nothing is served yet"), again.out());
    try (LuceneBackend backend = new LuceneBackend(data)) {
      assertEquals(ITEMS, backend.describe(DemoCollection.NAME).count());
    }
  }

  /** The table rows (lines starting with a rank) that follow the heading starting with title. */
  private static List<String> rowsAfter(String out, String title) {
    List<String> lines = out.lines().toList();
    int i = 0;
    while (i < lines.size() && !lines.get(i).startsWith(title)) {
      i++;
    }
    assertTrue(i < lines.size(), "no heading '" + title + "' in:\n" + out);
    i++;
    while (i < lines.size() && !lines.get(i).matches("\\s+1\\s.*")) {
      i++;
    }
    int first = i;
    while (i < lines.size() && lines.get(i).matches("\\s+\\d+\\s.*")) {
      i++;
    }
    return lines.subList(first, i);
  }

  private static String firstRowAfter(String out, String title) {
    List<String> rows = rowsAfter(out, title);
    assertFalse(rows.isEmpty(), "no rows after '" + title + "' in:\n" + out);
    return rows.get(0);
  }
}
