package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.fusion.Bindery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bindery index} over a folder with the default model: exit codes, summary, re-runs. */
class IndexCommandTest {
  private static final Path IMAGES =
      Path.of("..", "models", "bindery-mini", "demo", "images", "signs_and_symbols", "flags");

  @TempDir Path dir;

  @Test
  void indexesAFolderReportsSkipsAndReRunsIdempotently() throws Exception {
    Path photos = Files.createDirectories(dir.resolve("photos"));
    Files.copy(IMAGES.resolve("europe/sweden.png"), photos.resolve("sweden.png"));
    Files.copy(IMAGES.resolve("asia/laos.png"), photos.resolve("laos.png"));
    Files.writeString(photos.resolve("notes.txt"), "a blue flag with a yellow cross");
    Files.write(photos.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 1});
    String data = dir.resolve("data").toString();

    CliRun first = CliRun.of("--data", data, "index", "--collection", "mine", photos.toString());
    assertEquals(IndexCommand.EXIT_PARTIAL, first.exitCode(), first.err() + first.out());
    assertTrue(first.out().contains("Created collection 'mine'"), first.out());
    assertTrue(first.out().contains("3 added, 0 replaced, 0 unchanged, 1 skipped"), first.out());
    assertTrue(first.out().contains("broken.jpg"), first.out());
    // A bulk load: one graph built at the end for the segment written without one.
    assertTrue(first.out().contains("Search graph built from 1 new segment(s)"), first.out());
    assertTrue(first.err().contains("Building the search graph"), first.err());

    Files.delete(photos.resolve("broken.jpg"));
    CliRun again = indexMine(data, photos);
    assertEquals(0, again.exitCode(), again.err() + again.out());
    assertTrue(again.out().contains("0 added, 0 replaced, 3 unchanged, 0 skipped"), again.out());
    assertTrue(again.out().contains("Search graph up to date"), again.out());

    // A load that adds a segment beside the first one's, then --merge: one segment is left.
    Files.copy(IMAGES.resolve("europe/iceland.png"), photos.resolve("iceland.png"));
    CliRun merged = indexMine(data, photos, "--merge");
    assertEquals(0, merged.exitCode(), merged.err() + merged.out());
    assertTrue(merged.out().contains("1 added, 0 replaced, 3 unchanged"), merged.out());
    assertTrue(
        merged.out().contains("Merged into one segment with its search graph"), merged.out());
    Path index = dir.resolve("data/collections/mine/index");
    try (var files = Files.list(index)) {
      assertEquals(
          1,
          files.filter(f -> f.getFileName().toString().endsWith(".si")).count(),
          "one Lucene segment after --merge");
    }

    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      assertEquals(4, b.describe("mine").count());
      assertEquals(
          "sweden.png",
          b.search("mine", "image:" + photos.resolve("sweden.png"), 1).hits().get(0).id());
    }

    CliRun wrongModel = indexMine(data, photos, "--model", "classpath:/models/minilm-l6-v2");
    assertEquals(2, wrongModel.exitCode(), wrongModel.out());
    assertTrue(wrongModel.err().contains("exists with model"), wrongModel.err());

    CliRun solrMerge =
        indexMine(data, photos, "--backend", "solrcloud", "--zk", "127.0.0.1:1", "--merge");
    assertEquals(2, solrMerge.exitCode(), solrMerge.out());
    assertTrue(
        solrMerge.err().contains("--merge applies to --backend lucene only"), solrMerge.err());
  }

  /** {@code bindery --data DATA index -c mine OPTIONS... PHOTOS}. */
  private static CliRun indexMine(String data, Path photos, String... options) {
    List<String> args = new ArrayList<>(List.of("--data", data, "index", "-c", "mine"));
    args.addAll(List.of(options));
    args.add(photos.toString());
    return CliRun.of(args.toArray(String[]::new));
  }
}
