package dev.bindery.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.MediaSource;
import dev.bindery.fusion.query.QueryExpr;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.QuerySpecJson;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.indexer.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Bindery#embed} takes one {@link MediaSource}: a file and the same bytes in memory give the
 * same item (video included, which used to need a file), and a query term holding bytes ranks as
 * the term naming the file. Tiny random-weight ImageBind package; rankings mean nothing else.
 */
class BinderyMediaSourceTest {
  private static final Path ENCODERS = Path.of("..", "encoders");
  private static final Path PACKAGE =
      ENCODERS.resolve("src/test/resources/parity/towers/imagebind");
  private static final Path IMAGE =
      ENCODERS.resolve("src/test/resources/parity/image/clipart_00.png");
  private static final Path AUDIO = ENCODERS.resolve("parity/audio/speech_short.wav");
  private static final Path VIDEO =
      ENCODERS.resolve("src/test/resources/parity/towers/video/testsrc.mp4");

  @TempDir Path dir;

  @Test
  void bytesEmbedLikeTheirFile() throws Exception {
    try (Bindery b = Bindery.open(dir)) {
      b.createCollection("ib", PACKAGE.toString());
      for (Path file : List.of(IMAGE, AUDIO, VIDEO)) {
        Item fromFile = b.embed("ib", "f", MediaSource.of(file), Map.of());
        // No extension: the magic number tells what the bytes are.
        Item fromBytes =
            b.embed("ib", "f", MediaSource.of(Files.readAllBytes(file), "upload", null), Map.of());
        assertEquals(fromFile.modality(), fromBytes.modality(), file.toString());
        assertEquals(file.toString(), fromFile.source());
        assertEquals("upload", fromBytes.source());
        assertArrayEquals(
            fromFile.vectors().get("imagebind-huge"),
            fromBytes.vectors().get("imagebind-huge"),
            file.toString());
        assertEquals(fromFile.segments().size(), fromBytes.segments().size(), file.toString());
        for (int i = 0; i < fromFile.segments().size(); i++) {
          assertEquals(fromFile.segments().get(i).start(), fromBytes.segments().get(i).start());
          assertArrayEquals(
              fromFile.segments().get(i).vectors().get("imagebind-huge"),
              fromBytes.segments().get(i).vectors().get("imagebind-huge"));
        }
      }
      assertEquals("video", b.embed("ib", "v", MediaSource.of(VIDEO), Map.of()).modality());
      assertTrue(b.embed("ib", "v", MediaSource.of(VIDEO), Map.of()).segments().size() > 1);

      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  b.embed(
                      "ib",
                      "x",
                      MediaSource.of(Files.readAllBytes(AUDIO), "cat.png", null),
                      Map.of()));
      assertTrue(e.getMessage().contains("'cat.png' is image by its extension"), e.getMessage());
    }
  }

  @Test
  void mediaTermsSearchLikePathTerms() throws Exception {
    try (Bindery b = Bindery.open(dir)) {
      b.createCollection("ib", PACKAGE.toString());
      b.addFile("ib", IMAGE);
      b.addFile("ib", "speech", AUDIO, Map.of());
      b.addFile("ib", "clip", VIDEO, Map.of());
      b.commit("ib");
      for (Path file : List.of(IMAGE, AUDIO, VIDEO)) {
        String kind = b.embed("ib", "q", MediaSource.of(file), Map.of()).modality();
        QueryExpr byPath = QuerySpec.parse(kind + ":\"" + file + "\"").expression();
        MediaSource bytes = MediaSource.of(Files.readAllBytes(file), "q.bin", null);
        QueryExpr inMemory =
            switch (kind) {
              case "image" -> QueryExpr.image(bytes);
              case "audio" -> QueryExpr.audio(bytes);
              default -> QueryExpr.video(bytes);
            };
        SearchResponse want = b.search("ib", QuerySpec.of(byPath), SearchOptions.of(3));
        SearchResponse got = b.search("ib", QuerySpec.of(inMemory), SearchOptions.of(3));
        assertEquals(ids(want), ids(got), kind);
        for (int i = 0; i < want.hits().size(); i++) {
          assertEquals(want.hits().get(i).score(), got.hits().get(i).score(), 1e-6, kind);
        }
        // Printed short (no megabytes of base64 in messages); written to JSON as a data URL.
        assertEquals(
            kind + ":\"(bytes) q.bin, " + bytes.readAllBytes().length + " bytes\"",
            inMemory.toString());
        String json = new QuerySpecJson().write(QuerySpec.of(inMemory));
        assertTrue(json.contains("\"" + kind + "\":\"data:"), json);
      }
    }
  }

  private static List<String> ids(SearchResponse r) {
    return r.hits().stream().map(h -> h.id()).toList();
  }
}
