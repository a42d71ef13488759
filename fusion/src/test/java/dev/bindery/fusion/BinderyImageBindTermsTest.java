package dev.bindery.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.query.QueryExecutor;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.QueryVector;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.indexer.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image and audio terms through the tiny random-weight ImageBind test package (every tower 1024-d
 * in space imagebind-huge): the terms resolve to the right space and shape, files add by extension,
 * and search runs. Rankings mean nothing here (random weights).
 */
class BinderyImageBindTermsTest {
  private static final Path ENCODERS = Path.of("..", "encoders");
  private static final Path PACKAGE =
      ENCODERS.resolve("src/test/resources/parity/towers/imagebind");
  private static final Path IMAGE =
      ENCODERS.resolve("src/test/resources/parity/image/clipart_00.png");
  private static final Path IMAGE2 =
      ENCODERS.resolve("src/test/resources/parity/image/clipart_01.png");
  private static final Path AUDIO = ENCODERS.resolve("parity/audio/speech_short.wav");

  @TempDir Path dir;

  @Test
  void imageAndAudioTermsResolveInTheSharedSpace() throws Exception {
    try (Bindery b = Bindery.open(dir)) {
      var config = b.createCollection("ib", PACKAGE.toString());
      assertEquals(List.of("imagebind-huge"), List.copyOf(config.spaces().keySet()));
      assertEquals(1024, config.spaces().get("imagebind-huge").dim());

      Item img = b.addFile("ib", IMAGE);
      assertEquals("image", img.modality());
      assertEquals(1024, img.vectors().get("imagebind-huge").length);
      Item snd = b.addFile("ib", "speech", AUDIO, Map.of("kind", "speech"));
      assertEquals("audio", snd.modality());
      assertEquals(1024, snd.vectors().get("imagebind-huge").length);
      assertTrue(snd.segments().size() >= 1, snd.toString());
      b.addBytes("ib", "img2", Files.readAllBytes(IMAGE2), "clipart_01.png", Map.of());
      b.addText("ib", "caption", "a drawing of a house", Map.of());
      b.commit("ib");

      QueryExecutor exec = new QueryExecutor(b.backend());
      for (String q :
          List.of(
              "image:" + IMAGE,
              "audio:" + AUDIO,
              "image:" + IMAGE + " + 0.5*text:\"at night\" - 0.25*audio:" + AUDIO,
              "item:speech - 0.5*item:clipart_00.png")) {
        QueryVector v = exec.resolve("ib", QuerySpec.parse(q).expression(), b.embedder("ib"));
        assertEquals("imagebind-huge", v.space(), q);
        assertEquals(1024, v.vector().length, q);
        double n = 0;
        for (float x : v.vector()) {
          n += x * x;
        }
        assertEquals(1.0, n, 1e-4, q);
      }

      SearchResponse r = b.search("ib", "image:" + IMAGE, 4);
      assertEquals(4, r.hits().size());
      // The image's own vector is its nearest neighbour.
      assertEquals("clipart_00.png", r.hits().get(0).id());
      assertEquals(1.0, r.hits().get(0).score(), 1e-4);
      ResultHit speech =
          b.search("ib", "audio:" + AUDIO, 4).hits().stream()
              .filter(h -> h.id().equals("speech"))
              .findFirst()
              .orElseThrow();
      assertEquals("speech", speech.metadata().get("kind"));

      IllegalArgumentException missing =
          assertThrows(IllegalArgumentException.class, () -> b.search("ib", "image:nope.png", 1));
      assertTrue(missing.getMessage().contains("nope.png"), missing.getMessage());
    }
  }

  @Test
  void packagesAreOpenedOncePerLocation() throws Exception {
    try (Bindery b = Bindery.open(dir)) {
      b.createCollection("a", ModelPackage.DEFAULT_TEXT);
      b.createCollection("b", ModelPackage.DEFAULT_TEXT);
      b.addText("a", "1", "a cat", Map.of());
      b.addText("b", "1", "a dog", Map.of());
      b.commit("a");
      b.commit("b");
      assertEquals(1, b.openPackages());
    }
  }
}
