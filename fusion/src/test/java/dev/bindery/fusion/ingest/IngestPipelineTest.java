package dev.bindery.fusion.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.MediaSource;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel, batched ingest pipeline against the sequential path, with the default model on the
 * demo images: same ids, same vectors (and the same as {@link Bindery#embed} item by item), and the
 * same skip, duplicate and unchanged decisions in input order whatever the number of threads.
 */
class IngestPipelineTest {
  private static final Path MODEL = Path.of("..", "models", "bindery-mini");
  private static final Path DEMO_IMAGES = MODEL.resolve("demo/images");
  private static final String SPACE = "minilm-l6-v2";

  @TempDir Path dir;

  /** Every event a run reports, in the order the listener hears them. */
  private static final class Events implements IngestListener {
    final List<String> all = new ArrayList<>();

    @Override
    public void item(String id, Outcome outcome) {
      all.add(id + "=" + outcome);
    }

    @Override
    public void skipped(String source, String reason) {
      all.add("skip " + Path.of(source).getFileName() + ": " + reason);
    }
  }

  @Test
  void severalThreadsGiveTheItemsAndVectorsOfOneThreadAndOfEmbedItemByItem() throws Exception {
    // Three of the demo's folders, 91 pictures: batches of 16 come out uneven.
    Path demo = Files.createDirectories(dir.resolve("demo"));
    for (String folder : List.of("animals", "food", "people")) {
      copyTree(DEMO_IMAGES.resolve(folder), demo.resolve(folder));
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(demo)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertTrue(files.size() > 50, "the demo images are missing: " + files.size());
    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      b.createCollection("one", MODEL.toString());
      b.createCollection("many", MODEL.toString());
      IngestOptions base = IngestOptions.files(dir).withBatchSize(16);
      Events oneEvents = new Events();
      Events manyEvents = new Events();
      IngestReport one =
          new Ingestor(b, "one", base.withThreads(1)).ingest(List.of(demo), oneEvents);
      IngestReport many =
          new Ingestor(b, "many", base.withThreads(4)).ingest(List.of(demo), manyEvents);
      assertEquals(files.size(), one.added(), one.skipped().toString());
      assertEquals(one.added(), many.added());
      assertEquals(List.of(), many.skipped());
      assertEquals(oneEvents.all, manyEvents.all, "same items, same order");
      assertTrue(many.stages().get(IngestReport.Stage.TOWER).wallNanos() > 0, "tower timed");
      assertTrue(many.stages().get(IngestReport.Stage.DECODE).wallNanos() > 0, "decode timed");

      float worst = 0;
      for (Path f : files) {
        String id = demo.relativize(f).toString();
        Item a = b.backend().get("one", id).orElseThrow(() -> new AssertionError(id));
        Item m = b.backend().get("many", id).orElseThrow(() -> new AssertionError(id));
        assertEquals(a.metadata(), m.metadata(), id);
        assertEquals(a.source(), m.source(), id);
        float[] direct = b.embed("one", id, MediaSource.of(f), Map.of()).vectors().get(SPACE);
        worst = Math.max(worst, maxDiff(a.vectors().get(SPACE), m.vectors().get(SPACE)));
        worst = Math.max(worst, maxDiff(direct, m.vectors().get(SPACE)));
      }
      assertTrue(worst <= 1e-5f, "largest vector difference " + worst);
    }
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted().toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static float maxDiff(float[] x, float[] y) {
    assertEquals(x.length, y.length);
    float d = 0;
    for (int i = 0; i < x.length; i++) {
      d = Math.max(d, Math.abs(x[i] - y[i]));
    }
    return d;
  }

  @Test
  void badFilesDuplicatesAndRerunsAreDecidedInInputOrderWithSeveralThreads() throws Exception {
    Path images = Files.createDirectories(dir.resolve("in"));
    List<Path> demo;
    try (Stream<Path> s = Files.walk(DEMO_IMAGES.resolve("food"))) {
      demo = s.filter(Files::isRegularFile).sorted().limit(9).toList();
    }
    StringBuilder manifest = new StringBuilder();
    for (int i = 0; i < demo.size(); i++) {
      Path copy = images.resolve("img" + i + ".png");
      Files.copy(demo.get(i), copy);
      manifest.append("{\"id\": \"p").append(i).append("\", \"image\": \"in/img").append(i);
      manifest.append(".png\", \"text\": \"picture ").append(i).append("\"}\n");
      if (i == 3) {
        Files.write(images.resolve("corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2});
        manifest.append("{\"id\": \"bad\", \"image\": \"in/corrupt.png\"}\n");
      }
      if (i == 5) {
        manifest.append("{\"id\": \"p2\", \"image\": \"in/img0.png\"}\n");
      }
    }
    // a text the text tower embeds, whose given vector of the same space wins
    StringBuilder unit = new StringBuilder("1.0");
    for (int i = 1; i < 384; i++) {
      unit.append(",0.0");
    }
    manifest.append("{\"id\": \"t\", \"text\": \"a note\", \"vectors\": {\"" + SPACE + "\": [");
    manifest.append(unit).append("]}}\n");
    Path m = dir.resolve("items.jsonl");
    Files.writeString(m, manifest);

    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      b.createCollection("seq", MODEL.toString());
      b.createCollection("par", MODEL.toString());
      IngestOptions base = IngestOptions.files(dir).withBatchSize(2);
      Events seqEvents = new Events();
      Events parEvents = new Events();
      IngestReport seq = new Ingestor(b, "seq", base.withThreads(1)).ingest(List.of(m), seqEvents);
      IngestReport par = new Ingestor(b, "par", base.withThreads(3)).ingest(List.of(m), parEvents);
      assertEquals(seqEvents.all, parEvents.all);
      assertEquals(demo.size() + 1, par.added());
      assertEquals(2, par.skipped().size(), par.skipped().toString());
      assertTrue(par.skipped().get(0).source().endsWith("items.jsonl:5"), par.skipped().toString());
      assertTrue(
          par.skipped().get(1).reason().startsWith("duplicate id 'p2'"), par.skipped().toString());
      assertEquals(Optional.empty(), b.backend().get("par", "bad"), "nothing written for a skip");
      assertEquals(
          "in/img2.png".replace("in/", ""),
          Path.of(b.backend().get("par", "p2").orElseThrow().source()).getFileName().toString(),
          "a duplicate does not replace the first");
      assertEquals("picture 4", b.backend().get("par", "p4").orElseThrow().text().get("text"));
      Item note = b.backend().get("par", "t").orElseThrow();
      assertEquals("a note", note.text().get("text"));
      assertEquals(1f, note.vectors().get(SPACE)[0], 1e-6f, "the given vector wins");

      Events again = new Events();
      IngestReport rerun = new Ingestor(b, "par", base.withThreads(3)).ingest(List.of(m), again);
      assertEquals(0, rerun.written());
      assertEquals(demo.size() + 1, rerun.unchanged());
      assertEquals(2, rerun.skipped().size());
      assertEquals(
          0,
          rerun.stages().get(IngestReport.Stage.TOWER).wallNanos(),
          "unchanged items are not embedded");
    }
  }
}
