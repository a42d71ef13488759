package dev.bindery.encoders.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.MediaSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken video files: every failure names the file and the reason, and leaks no native memory. */
class VideoBadInputTest {
  private final VideoDecoder decoder = new VideoDecoder();
  @TempDir Path dir;

  private static void assertNames(IllegalArgumentException e, Path file, String reason) {
    assertTrue(e.getMessage().contains(file.toString()), "no file name in: " + e.getMessage());
    assertTrue(e.getMessage().contains(reason), "no '" + reason + "' in: " + e.getMessage());
  }

  @Test
  void zeroByteFile() throws IOException {
    Path f = Files.createFile(dir.resolve("empty.mp4"));
    assertNames(
        assertThrows(IllegalArgumentException.class, () -> decoder.probe(f)), f, "empty (0 bytes)");
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope.webm");
    assertNames(
        assertThrows(IllegalArgumentException.class, () -> decoder.probe(f)), f, "does not exist");
  }

  @Test
  void textFileNamedMp4() throws IOException {
    Path f = Files.writeString(dir.resolve("notes.mp4"), "this is not a video\n".repeat(50));
    assertNames(
        assertThrows(IllegalArgumentException.class, () -> decoder.frames(f, new int[] {0})),
        f,
        "not a video FFmpeg can read");
    assertNames(
        assertThrows(IllegalArgumentException.class, () -> decoder.audio(f)),
        f,
        "not a video FFmpeg can read");
  }

  @Test
  void audioOnlyFileHasNoVideoStream() throws IOException {
    // a WAV header with a little silence: FFmpeg opens it, but there is no picture
    Path f = dir.resolve("sound.mp4");
    byte[] wav = new byte[44 + 3200];
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(wav).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
        .putInt(wav.length - 8)
        .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII))
        .putInt(16)
        .putShort((short) 1)
        .putShort((short) 1)
        .putInt(16000)
        .putInt(32000)
        .putShort((short) 2)
        .putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII))
        .putInt(3200);
    Files.write(f, wav);
    assertNames(
        assertThrows(IllegalArgumentException.class, () -> decoder.probe(f)), f, "no video stream");
  }

  @Test
  void truncatedMp4() throws IOException {
    byte[] whole = Files.readAllBytes(VideoFixtures.video("testsrc.mp4"));
    // cut inside the header (the file is written with faststart, so the moov atom comes first)
    Path head = Files.write(dir.resolve("head.mp4"), Arrays.copyOf(whole, 600));
    assertNames(
        assertThrows(IllegalArgumentException.class, () -> decoder.probe(head)),
        head,
        "not a video FFmpeg can read");
    // cut in the middle of the frames: the header promises 5 s, the data stops early
    Path half = Files.write(dir.resolve("half.mp4"), Arrays.copyOf(whole, whole.length * 2 / 5));
    VideoInfo info = decoder.probe(half);
    assertEquals(125, info.frameCount());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> decoder.frames(half, new int[] {0, 120}));
    assertNames(e, half, "truncated or damaged");
    ImageBindVideoEncoderTest.withEncoder(
        enc ->
            assertNames(
                assertThrows(
                    IllegalArgumentException.class, () -> enc.encodeVideo(MediaSource.of(half))),
                half,
                "truncated or damaged"));
  }

  @Test
  void truncatedWebm() throws IOException {
    byte[] whole = Files.readAllBytes(VideoFixtures.video("testsrc.webm"));
    Path half = Files.write(dir.resolve("half.webm"), Arrays.copyOf(whole, whole.length / 3));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> {
              VideoInfo info = decoder.probe(half);
              decoder.frames(half, new int[] {(int) info.frameCount() - 1});
            });
    assertNames(e, half, "");
  }

  /**
   * Resident memory outside the Java heap: VmRSS minus the heap's committed size, after a GC, so
   * that the heap growing or shrinking does not hide or fake a native leak.
   */
  private static long offHeapKb() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap =
        java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted()
            / 1024;
    return VideoFixtures.rssKb() - heap;
  }

  @Test
  void failedOpensLeakNoNativeMemory() throws IOException {
    Path text = Files.writeString(dir.resolve("fake.mp4"), "not a video at all\n".repeat(100));
    byte[] whole = Files.readAllBytes(VideoFixtures.video("testsrc.mp4"));
    Path half = Files.write(dir.resolve("half.mp4"), Arrays.copyOf(whole, whole.length * 2 / 5));
    // one that FFmpeg refuses at open, one that opens its decoders and fails while decoding
    Runnable failures =
        () -> {
          try {
            decoder.probe(text);
            throw new AssertionError("opened " + text);
          } catch (IllegalArgumentException expected) {
            // the point is the memory afterwards
          }
          try {
            decoder.frames(half, new int[] {120});
            throw new AssertionError("decoded " + half);
          } catch (IllegalArgumentException expected) {
            // the point is the memory afterwards
          }
        };
    for (int i = 0; i < 50; i++) {
      failures.run(); // warm up: FFmpeg's and the JIT's one-time allocations
    }
    long before = offHeapKb();
    for (int i = 0; i < 250; i++) {
      failures.run(); // 500 failed opens
    }
    long after = offHeapKb();
    System.out.printf(
        "video failed opens: VmRSS minus committed heap %d kB -> %d kB (%+d kB over 500 failures)%n",
        before, after, after - before);
    // A grabber that is not released keeps its AVFormatContext, codec contexts and IO buffers
    // (tens of kB each): 500 of them add well over 16 MB.
    assertTrue(
        after - before < 16 * 1024, "off-heap resident memory grew by " + (after - before) + " kB");
  }
}
