package dev.bindery.fusion.ingest;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: ingest reads media in memory. A child JVM whose {@code java.io.tmpdir} is a fresh
 * folder watched by this test ingests, with the tiny ImageBind test package, a folder of real media
 * files (PNG, WAV, MP3, Ogg, MP4, WebM, text), a manifest naming files and carrying data URLs
 * (image, audio, video), and API items (data URLs only, the server's JSON path). The test fails if
 * any file appears in the temporary folder meanwhile, even one deleted again at once.
 *
 * <p>Native libraries that ONNX Runtime unpacks when the first model loads are not media: the watch
 * starts after the child has created the collection, and so loaded its model. (The server's upload
 * and ask paths are watched the same way by the search-server's {@code NoTemporaryFilesTest}.)
 */
class IngestNoTemporaryFilesTest {
  private static final Path ENCODERS = Path.of("..", "encoders");
  private static final Path PACKAGE =
      ENCODERS.resolve("src/test/resources/parity/towers/imagebind");
  private static final Path IMAGE =
      ENCODERS.resolve("src/test/resources/parity/image/clipart_00.png");
  private static final Path AUDIO = ENCODERS.resolve("parity/audio");
  private static final Path VIDEO = ENCODERS.resolve("src/test/resources/parity/towers/video");

  @TempDir Path dir;

  @Test
  void filesManifestsAndDataUrlsNeverTouchTheTemporaryFolder() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path folder = Files.createDirectories(dir.resolve("in"));
    Files.copy(IMAGE, folder.resolve("picture.png"));
    Files.copy(AUDIO.resolve("speech_short.wav"), folder.resolve("speech.wav"));
    Files.copy(AUDIO.resolve("sound1.mp3"), folder.resolve("sound.mp3"));
    Files.copy(AUDIO.resolve("sound2.ogg"), folder.resolve("sound.ogg"));
    Files.copy(VIDEO.resolve("testsrc.mp4"), folder.resolve("clip.mp4"));
    Files.copy(VIDEO.resolve("testsrc.webm"), folder.resolve("clip.webm"));
    Files.writeString(folder.resolve("note.txt"), "a drawing of a house at night");
    String png = dataUrl("image/png", IMAGE);
    String wav = dataUrl("audio/wav", AUDIO.resolve("speech_short.wav"));
    String mp4 = dataUrl("video/mp4", VIDEO.resolve("testsrc.mp4"));
    Path manifest = dir.resolve("items.jsonl");
    Files.writeString(
        manifest,
        String.join(
            "\n",
            "{\"id\": \"m-file\", \"video\": \"in/clip.mp4\", \"text\": \"a test pattern\"}",
            "{\"id\": \"m-image\", \"image\": \"" + png + "\"}",
            "{\"id\": \"m-audio\", \"audio\": \"" + wav + "\"}",
            "{\"id\": \"m-video\", \"video\": \"" + mp4 + "\"}"));
    Path api = dir.resolve("api.jsonl");
    Files.writeString(
        api,
        String.join(
            "\n",
            "{\"id\": \"api-image\", \"image\": \"" + png + "\"}",
            "{\"id\": \"api-audio\", \"audio\": \"" + wav + "\"}",
            "{\"id\": \"api-video\", \"video\": \"" + mp4 + "\"}"));

    Path stderr = dir.resolve("child-stderr.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"),
                IngestInMemoryMain.class.getName(),
                dir.resolve("data").toString(),
                PACKAGE.toAbsolutePath().normalize().toString(),
                api.toString(),
                folder.toString(),
                manifest.toString())
            .redirectError(stderr.toFile())
            .start();
    List<String> results = new ArrayList<>();
    List<String> appeared;
    TreeSet<String> before;
    TreeSet<String> after;
    try (WatchService watch = tmp.getFileSystem().newWatchService();
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      while (line != null && !line.equals("READY")) {
        line = out.readLine();
      }
      assertEquals(
          "READY", line, "the child stopped before its collection was made: " + log(stderr));
      before = listing(tmp);
      tmp.register(watch, ENTRY_CREATE);
      OutputStream control = child.getOutputStream();
      control.write("go\n".getBytes(StandardCharsets.UTF_8));
      control.flush();
      for (line = out.readLine(); line != null && !line.equals("DONE"); line = out.readLine()) {
        if (line.startsWith("RESULT ")) {
          results.add(line.substring("RESULT ".length()));
        }
      }
      assertEquals("DONE", line, "the child failed: " + log(stderr));
      appeared = drain(watch, tmp);
      after = listing(tmp);
      control.write("exit\n".getBytes(StandardCharsets.UTF_8));
      control.close();
      assertEquals(0, child.waitFor(), "the child failed: " + log(stderr));
    } finally {
      child.destroyForcibly();
    }

    assertEquals(
        List.of(
            "ingested 11",
            "added api-image image",
            "added api-audio audio",
            "added api-video video",
            "count 14"),
        results,
        "every item made it, none skipped");
    assertEquals(List.of(), appeared, "files appeared in java.io.tmpdir");
    assertEquals(before, after, "the temporary folder changed");
  }

  /** Every name created in {@code tmp} so far: events arrive in order, so a sentinel ends them. */
  private static List<String> drain(WatchService watch, Path tmp) throws Exception {
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
    return appeared;
  }

  private static String dataUrl(String mime, Path file) throws Exception {
    return "data:"
        + mime
        + ";base64,"
        + Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }

  private static String log(Path stderr) throws Exception {
    return Files.exists(stderr) ? Files.readString(stderr) : "(no stderr)";
  }

  private static TreeSet<String> listing(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString())
          .collect(TreeSet::new, TreeSet::add, TreeSet::addAll);
    }
  }
}
