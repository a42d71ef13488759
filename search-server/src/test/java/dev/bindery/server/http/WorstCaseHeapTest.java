package dev.bindery.server.http;

import static dev.bindery.server.http.HostileFixtures.dataUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.server.http.HttpTestClient.Res;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's worst cases, many at once, against {@code bindery serve} in its own JVM with a heap
 * bound ({@value #HEAP}, {@code -XX:+ExitOnOutOfMemoryError}): before the byte limits, one 10 KB
 * WAV at 1 Hz allocated 690 MB and a 300 KB 16-bit PNG 430 MB, so this run would have killed the
 * process. Now every request is refused with a 4xx (or 503 while decodes queue), and afterwards the
 * process is alive, healthy and holds what it held.
 */
class WorstCaseHeapTest {
  static final String HEAP = "-Xmx512m";

  @TempDir Path dir;

  @Test
  void parallelWorstCasesStayWithinTheHeap() throws Exception {
    try (ChildServer child =
        ChildServer.start(dir, List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"), "8MB")) {
      Process server = child.process;
      HttpTestClient http = child.http;
      for (Map<String, Object> c :
          List.of(
              Map.<String, Object>of("name", "notes", "model", "minilm-l6-v2"),
              Map.<String, Object>of("name", "pics", "model", "bindery-mini"),
              Map.<String, Object>of("name", "sounds", "model", "imagebind"),
              Map.<String, Object>of("name", "vecs", "spaces", Map.of("v", Map.of("dim", 4))))) {
        Res r = http.post("/v1/collections", c);
        assertEquals(201, r.status(), r.text());
      }
      assertEquals(
          201,
          http.post("/v1/collections/notes/items", Map.of("id", "n1", "text", "a cat")).status());

      String bomb = dataUrl("image/png", HostileFixtures.png16Rgba(6000, 6000));
      String slowWav = dataUrl("audio/wav", HostileFixtures.wav(1, 10_800));
      String bigText = "cat ".repeat(500_000);
      StringBuilder vector = new StringBuilder("{\"query\":{\"expression\":{\"vector\":[");
      for (int i = 0; i < 1_000_000; i++) {
        vector.append(i == 0 ? "" : ",").append("0.5");
      }
      String bigVector = vector.append("]}}}").toString();
      List<Supplier<Res>> cases =
          List.of(
              () -> http.post("/v1/collections/pics/items", Map.of("id", "b", "image", bomb)),
              () -> http.post("/v1/collections/sounds/items", Map.of("id", "w", "audio", slowWav)),
              () ->
                  http.post(
                      "/v1/collections/sounds/search",
                      Map.of("query", Map.of("expression", Map.of("audio", slowWav)))),
              () ->
                  http.post(
                      "/v1/collections/pics/search",
                      Map.of("query", Map.of("expression", Map.of("image", bomb)))),
              () ->
                  http.post(
                      "/v1/collections/notes/search",
                      Map.of("query", Map.of("expression", Map.of("text", bigText)))),
              () -> http.postRaw("/v1/collections/vecs/search", bigVector));

      List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          int thread = t;
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 3; i++) {
                      int c = (thread + i) % cases.size();
                      Res r = cases.get(c).get();
                      outcomes.add(c + ":" + r.status());
                      if (r.status() != 503) {
                        r.assertProblem(r.status());
                      }
                    }
                  }));
        }
        for (Future<?> f : futures) {
          try {
            f.get(10, TimeUnit.MINUTES);
          } catch (java.util.concurrent.ExecutionException e) {
            // A dropped connection usually means the server died: say so, with its last words.
            String state =
                server.isAlive()
                    ? "still running"
                    : "exited with " + server.waitFor() + " (out of memory?)";
            String log = java.nio.file.Files.readString(dir.resolve("server.log"));
            throw new AssertionError(
                "a worst case failed; the server is "
                    + state
                    + "; log tail:\n"
                    + log.substring(Math.max(0, log.length() - 2000)),
                e);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      for (String o : outcomes) {
        int status = Integer.parseInt(o.substring(o.indexOf(':') + 1));
        assertTrue(
            status == 400 || status == 413 || status == 422 || status == 503,
            "every worst case is refused, none fails the server: " + outcomes);
      }
      assertTrue(server.isAlive(), "the server survived within " + HEAP);
      http.assertHealthy();
      assertEquals(1, http.count("notes"));
      assertEquals(0, http.count("pics"));
      assertEquals(0, http.count("sounds"));
    }
  }
}
