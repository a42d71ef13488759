package dev.bindery.server.http;

import static dev.bindery.server.http.HostileFixtures.dataUrl;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.server.http.HttpTestClient.Res;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: media travel in memory. {@code bindery serve} runs in its own JVM whose {@code
 * java.io.tmpdir} is a fresh folder watched by this test; an image, an audio clip and a video then
 * go through the JSON ingest (data URLs, the {@link dev.bindery.fusion.ingest.Ingestor}), the
 * multipart upload, ask (an image question) and search (media terms). The test fails if any file
 * appears in the temporary folder meanwhile, even one deleted again at once.
 *
 * <p>The WAV is over 1 MiB, so a multipart part Jetty would spill to disk is covered too. Native
 * libraries that ONNX Runtime unpacks when the first model loads are not media: the watch starts
 * after the collection (and so its model) is loaded.
 */
class NoTemporaryFilesTest {

  @TempDir Path dir;

  @Test
  void mediaNeverTouchTheTemporaryFolder() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    try (ChildServer child = ChildServer.start(dir, List.of("-Djava.io.tmpdir=" + tmp), "16MB");
        WatchService watch = tmp.getFileSystem().newWatchService()) {
      HttpTestClient http = child.http;
      Res created = http.post("/v1/collections", Map.of("name", "media", "model", "imagebind"));
      assertEquals(201, created.status(), created.text());
      TreeSet<String> before = listing(tmp);

      tmp.register(watch, ENTRY_CREATE);
      byte[] png = HostileFixtures.png(3);
      // 8-bit mono at 16 kHz: 1.4 MB, above the 1 MiB Jetty used to keep a part in memory.
      byte[] wav = HostileFixtures.wav(16_000, 1_400_000);
      byte[] mp4 = Files.readAllBytes(ChildServer.TOWERS.resolve("video").resolve("testsrc.mp4"));

      Res ingested =
          http.post(
              "/v1/collections/media/items",
              Map.of(
                  "items",
                  List.of(
                      Map.of("id", "json-image", "image", dataUrl("image/png", png)),
                      Map.of("id", "json-audio", "audio", dataUrl("audio/wav", wav)),
                      Map.of("id", "json-video", "video", dataUrl("video/mp4", mp4)))));
      assertEquals(201, ingested.status(), ingested.text());

      HttpTestClient.Multipart form =
          new HttpTestClient.Multipart()
              .file("file", "upload-image.png", "image/png", png)
              .file("file", "upload-audio.wav", "audio/wav", wav)
              .file("file", "upload-video.mp4", "video/mp4", mp4);
      Res uploaded = http.post("/v1/collections/media/items", form.bytes(), form.contentType());
      assertEquals(201, uploaded.status(), uploaded.text());
      assertEquals(6, http.count("media"));

      Res asked =
          http.post(
              "/v1/collections/media/ask",
              Map.of("question", "what is shown here?", "image", dataUrl("image/png", png)));
      assertEquals(200, asked.status(), asked.text());
      assertTrue(asked.json().get("hits").size() > 0, asked.text());

      for (Map.Entry<String, String> term :
          Map.of(
                  "image", dataUrl("image/png", png),
                  "audio", dataUrl("audio/wav", wav),
                  "video", dataUrl("video/mp4", mp4))
              .entrySet()) {
        Res found =
            http.post(
                "/v1/collections/media/search",
                Map.of("query", Map.of("expression", Map.of(term.getKey(), term.getValue()))));
        assertEquals(200, found.status(), term.getKey() + ": " + found.text());
      }

      // Events arrive in order: once the sentinel's creation is seen, every earlier one was.
      String sentinel = "zz-sentinel-" + ProcessHandle.current().pid();
      Files.createFile(tmp.resolve(sentinel));
      List<String> appeared = new ArrayList<>();
      boolean sawSentinel = false;
      while (!sawSentinel) {
        WatchKey key = watch.take();
        for (WatchEvent<?> e : key.pollEvents()) {
          if (e.kind() == OVERFLOW) {
            throw new AssertionError("temporary folder events overflowed: files were written");
          }
          String name = e.context().toString();
          if (name.equals(sentinel)) {
            sawSentinel = true;
          } else {
            appeared.add(name);
          }
        }
        key.reset();
      }
      Files.delete(tmp.resolve(sentinel));
      assertEquals(List.of(), appeared, "files appeared in java.io.tmpdir");
      assertEquals(before, listing(tmp), "the temporary folder changed");
    }
  }

  private static TreeSet<String> listing(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString())
          .collect(TreeSet::new, TreeSet::add, TreeSet::addAll);
    }
  }
}
