package dev.bindery.fusion.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.MediaSource;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest of folders, manifests and API items through the tiny random-weight ImageBind test package
 * (real decoders and ONNX towers; rankings mean nothing): what is added, skipped (with the reason
 * naming the input), left unchanged on a re-run, and that a refused item costs no other item.
 */
class IngestorTest {
  private static final Path ENCODERS = Path.of("..", "encoders");
  private static final Path PACKAGE =
      ENCODERS.resolve("src/test/resources/parity/towers/imagebind");
  private static final Path IMAGE =
      ENCODERS.resolve("src/test/resources/parity/image/clipart_00.png");
  private static final Path IMAGE2 =
      ENCODERS.resolve("src/test/resources/parity/image/clipart_01.png");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static final class Recorder implements IngestListener {
    long planned = -1;
    final List<String> items = new ArrayList<>();
    final List<String> skips = new ArrayList<>();

    @Override
    public void planned(long n) {
      planned = n;
    }

    @Override
    public void item(String id, Outcome outcome) {
      items.add(id + "=" + outcome);
    }

    @Override
    public void skipped(String source, String reason) {
      skips.add(source + " -> " + reason);
    }
  }

  @Test
  void folderIngestSkipsWhatItCannotReadAndIsIdempotent() throws Exception {
    Path photos = Files.createDirectories(dir.resolve("photos/sub"));
    Files.copy(IMAGE, photos.resolve("a.png"));
    Files.copy(IMAGE2, photos.getParent().resolve("b.png"));
    Files.writeString(photos.getParent().resolve("note.txt"), "a drawing of a house");
    Files.write(photos.resolve("broken.png"), new byte[] {1, 2, 3, 4});
    Files.writeString(photos.resolve("readme.xyz"), "?");
    Files.writeString(photos.getParent().resolve(".hidden.png"), "not even looked at");
    Path root = photos.getParent();

    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      b.createCollection("c", PACKAGE.toString());
      Ingestor ing = new Ingestor(b, "c", IngestOptions.files(dir));
      Recorder rec = new Recorder();
      IngestReport r = ing.ingest(List.of(root), rec);
      assertEquals(5, rec.planned, "hidden files are not planned");
      assertEquals(3, r.added(), rec.toString());
      assertEquals(2, r.skipped().size(), r.skipped().toString());
      assertTrue(
          r.skipped().stream()
              .anyMatch(s -> s.source().endsWith("broken.png") && !s.reason().isBlank()),
          r.skipped().toString());
      assertTrue(
          r.skipped().stream()
              .anyMatch(s -> s.source().endsWith("readme.xyz") && s.reason().contains("extension")),
          r.skipped().toString());
      assertEquals(3, b.describe("c").count());
      Item a = b.backend().get("c", "sub/a.png").orElseThrow();
      assertEquals("image", a.modality());
      assertEquals(64, a.metadata().get(Ingestor.CONTENT_HASH).toString().length());
      // the same vector as adding the file directly
      Item direct = b.embed("c", "x", MediaSource.of(IMAGE), Map.of());
      assertArrayEquals(
          direct.vectors().get("imagebind-huge"), a.vectors().get("imagebind-huge"), 1e-6f);

      IngestReport again = ing.ingest(List.of(root), IngestListener.NONE);
      assertEquals(0, again.written());
      assertEquals(3, again.unchanged());

      Files.writeString(root.resolve("note.txt"), "a drawing of a castle");
      IngestReport changed = ing.ingest(List.of(root), IngestListener.NONE);
      assertEquals(1, changed.replaced());
      assertEquals(2, changed.unchanged());
      assertEquals(
          "a drawing of a castle",
          b.backend().get("c", "note.txt").orElseThrow().text().get("text"));
      assertEquals(3, b.describe("c").count());
    }
  }

  @Test
  void manifestLinesGiveCaptionedItemsAndNamedErrors() throws Exception {
    Path m = dir.resolve("set/manifest.jsonl");
    Files.createDirectories(m.getParent().resolve("img"));
    Files.copy(IMAGE, m.getParent().resolve("img/a.png"));
    Files.copy(IMAGE2, m.getParent().resolve("img/b.png"));
    Files.writeString(
        m,
        String.join(
            "\n",
            "{\"id\":\"a\",\"text\":\"a red car\",\"image\":\"img/a.png\","
                + "\"metadata\":{\"keywords\":[\"car\",\"red\"],\"year\":2020,\"ok\":true}}",
            "",
            "{\"id\":\"b\",\"image\":\"img/b.png\",\"metadata\":{\"keywords\":[]}}",
            "{\"id\":\"c\",\"text\":\"x\",\"colour\":\"red\"}",
            "{not json",
            "{\"id\":\"a\",\"text\":\"again\"}",
            "{\"id\":\"d\",\"image\":\"img/missing.png\"}",
            "{\"id\":\"e\",\"text\":\"a plain note\"}",
            ""));
    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      b.createCollection("c", PACKAGE.toString());
      Recorder rec = new Recorder();
      IngestReport r = new Ingestor(b, "c", IngestOptions.files(dir)).ingest(List.of(m), rec);
      assertEquals(7, rec.planned);
      assertEquals(3, r.added(), rec.skips.toString());
      assertEquals(4, r.skipped().size(), rec.skips.toString());
      assertEquals(
          List.of(m + ":4", m + ":5", m + ":6", m + ":7"),
          r.skipped().stream().map(IngestReport.Skip::source).toList());
      assertTrue(
          r.skipped().get(0).reason().contains("unknown key 'colour'"), rec.skips.toString());
      assertTrue(r.skipped().get(1).reason().contains("not valid JSON"), rec.skips.toString());
      assertTrue(r.skipped().get(2).reason().contains("duplicate id 'a'"), rec.skips.toString());
      assertTrue(r.skipped().get(3).reason().contains("no such file"), rec.skips.toString());

      Item a = b.backend().get("c", "a").orElseThrow();
      assertEquals("image", a.modality());
      assertEquals("a red car", a.text().get("text"));
      assertEquals(List.of("car", "red"), a.metadata().get("keywords"));
      assertEquals(2020L, ((Number) a.metadata().get("year")).longValue());
      assertEquals("true", a.metadata().get("ok"));
      assertArrayEquals(
          b.embed("c", "x", MediaSource.of(IMAGE), Map.of()).vectors().get("imagebind-huge"),
          a.vectors().get("imagebind-huge"),
          1e-6f);
      assertEquals("text", b.backend().get("c", "e").orElseThrow().modality());
      // BM25 over the caption finds the image item
      assertEquals("a", b.search("c", "bm25:\"red car\"", 3).hits().get(0).id());
    }
  }

  @Test
  void apiItemsTakeDataUrlsAndRefuseFilePaths() throws Exception {
    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      b.createCollection("c", PACKAGE.toString());
      Ingestor api = new Ingestor(b, "c", IngestOptions.noFiles(1 << 20));
      String png = Base64.getEncoder().encodeToString(Files.readAllBytes(IMAGE));
      ItemSpec ok =
          ItemSpec.fromJson(
              JSON.readTree(
                  "{\"id\":\"u\",\"image\":\"data:image/png;base64,"
                      + png
                      + "\",\"text\":\"cap\"}"),
              "items[0]");
      Item u = api.toItem(ok);
      assertArrayEquals(
          b.embed("c", "x", MediaSource.of(IMAGE), Map.of()).vectors().get("imagebind-huge"),
          u.vectors().get("imagebind-huge"),
          1e-6f);

      IllegalArgumentException path =
          assertThrows(
              IllegalArgumentException.class,
              () -> api.toItem(new ItemSpec("p", null, "/etc/passwd.png", null, null, null, null)));
      assertTrue(path.getMessage().contains("file paths are not accepted"), path.getMessage());
      IllegalArgumentException mime =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  api.toItem(
                      new ItemSpec(
                          "p", null, "data:text/html;base64,PGI+", null, null, null, null)));
      assertTrue(mime.getMessage().contains("text/html"), mime.getMessage());
      IllegalArgumentException corrupt =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  api.toItem(
                      new ItemSpec(
                          "p", null, "data:image/png;base64,AAECAw==", null, null, null, null)));
      assertFalse(corrupt.getMessage().isBlank());
      IllegalArgumentException type =
          assertThrows(
              IllegalArgumentException.class,
              () -> ItemSpec.fromJson(JSON.readTree("{\"id\":5,\"text\":\"x\"}"), "items[2]"));
      assertEquals("items[2]: 'id' must be a string, got number", type.getMessage());
      assertEquals(0, b.describe("c").count(), "toItem writes nothing");
    }
  }

  @Test
  void aBatchWithOneRefusedItemKeepsTheOthers() throws Exception {
    try (Bindery b = Bindery.open(dir.resolve("data"))) {
      b.createCollection(
          new CollectionConfig(
              "raw",
              Map.of("v", SpaceConfig.of("v", 3, Similarity.COSINE, VectorStorage.FLOAT32)),
              Map.of()));
      Path m = dir.resolve("vectors.jsonl");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        String vec = i == 6 ? "[1,2]" : "[1," + i + ",0.5]";
        sb.append("{\"id\":\"v")
            .append(i)
            .append("\",\"text\":\"item ")
            .append(i)
            .append("\",\"vectors\":{\"v\":")
            .append(vec)
            .append("}}\n");
      }
      Files.writeString(m, sb, StandardCharsets.UTF_8);
      IngestReport r =
          new Ingestor(b, "raw", IngestOptions.files(dir)).ingest(List.of(m), IngestListener.NONE);
      assertEquals(9, r.added(), r.skipped().toString());
      assertEquals(1, r.skipped().size());
      assertEquals(m + ":7", r.skipped().get(0).source());
      assertEquals(9, b.describe("raw").count());
      assertTrue(b.backend().get("raw", "v6").isEmpty());
      assertEquals("item 3", b.backend().get("raw", "v3").orElseThrow().text().get("text"));
    }
  }
}
