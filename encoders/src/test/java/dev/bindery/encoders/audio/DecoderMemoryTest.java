package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loop of 2,000 failed decodes must not leak: native FFmpeg contexts are released after every
 * failed open, and nothing accumulates on the heap. Measured as resident memory (VmRSS) and used
 * heap after a warm-up, not as time: resident memory minus the committed heap, both after a GC.
 */
class DecoderMemoryTest {
  @TempDir Path tmp;

  @Test
  void failedDecodesKeepMemoryFlat() throws IOException {
    AudioDecoder decoder = new AudioDecoder();
    Path text = tmp.resolve("notes.mp3");
    Files.writeString(text, "not audio at all\n".repeat(200));
    byte[] garbage = Files.readAllBytes(text);
    byte[] liar = AudioFixtures.wav16(1, 16000, new float[64]);
    ByteBuffer.wrap(liar).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 1 << 30);
    Path liarFile = tmp.resolve("liar.wav");
    Files.write(liarFile, liar);
    List<Runnable> failures =
        List.of(
            () -> decoder.decode(text),
            () -> decoder.decode(garbage, "garbage.ogg"),
            () -> decoder.decode(liarFile),
            () -> decoder.decode(liar, "liar.wav"));
    runFailures(failures, 200); // warm-up: JIT, FFmpeg's lazily built tables, thread stacks
    long before = nativeKb();
    long heapBefore = usedHeapAfterGc();
    runFailures(failures, 2000);
    long after = nativeKb();
    long heapAfter = usedHeapAfterGc();
    System.out.printf(
        "2000 failed decodes: resident memory outside the Java heap %d -> %d kB (%+d),"
            + " used heap %d -> %d kB (%+d)%n",
        before,
        after,
        after - before,
        heapBefore / 1024,
        heapAfter / 1024,
        (heapAfter - heapBefore) / 1024);
    // A leaked AVFormatContext with its probe buffers costs tens of kB per call; 2,000 leaks would
    // add far more than 32 MB. The margin absorbs allocator and JIT noise.
    assertTrue(
        after - before < 32 * 1024, "native resident memory grew by " + (after - before) + " kB");
    assertTrue(
        heapAfter - heapBefore < 8L << 20, "heap grew by " + (heapAfter - heapBefore) + " bytes");
  }

  /**
   * VmRSS minus the committed Java heap, after a GC: what native code holds. Subtracting the heap
   * keeps G1 growing or uncommitting heap regions from hiding or faking a native leak.
   */
  private static long nativeKb() throws IOException {
    usedHeapAfterGc();
    long heapCommitted = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    return rssKb() - heapCommitted / 1024;
  }

  private static void runFailures(List<Runnable> failures, int total) {
    for (int i = 0; i < total; i++) {
      Runnable r = failures.get(i % failures.size());
      assertThrows(IllegalArgumentException.class, r::run);
    }
  }

  private static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
