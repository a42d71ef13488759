package dev.bindery.encoders.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.AudioSignal;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The decoder against ffprobe/ffmpeg (Debian's command-line FFmpeg, a different build from
 * JavaCV's): stream facts, every frame's timestamp, pixels of reference frames and the 16 kHz mono
 * audio track.
 */
class VideoDecoderTest {
  private final VideoDecoder decoder = new VideoDecoder();

  static Iterable<Map.Entry<String, JsonNode>> files() {
    return VideoFixtures.videoGolden().get("files")::fields;
  }

  @Test
  void probeMatchesFfprobe() {
    for (Map.Entry<String, JsonNode> e : files()) {
      JsonNode g = e.getValue();
      VideoInfo info = decoder.probe(VideoFixtures.video(e.getKey()));
      assertEquals(g.get("width").asInt(), info.width(), info.toString());
      assertEquals(g.get("height").asInt(), info.height(), info.toString());
      assertEquals(g.get("fps").asDouble(), info.fps(), 1e-9, info.toString());
      assertEquals(g.get("frames").asLong(), info.frameCount(), info.toString());
      assertEquals(
          g.get("containerDuration").asDouble(), info.durationSeconds(), 1e-3, info.toString());
      assertTrue(info.hasAudio(), info.toString());
    }
  }

  @Test
  void everyFrameTimestampMatchesFfprobe() {
    for (Map.Entry<String, JsonNode> e : files()) {
      float[] want = VideoFixtures.floats(e.getValue().get("frameTimes"));
      double[] times = new double[want.length];
      for (int i = 0; i < times.length; i++) {
        times[i] = want[i];
      }
      List<TimedFrame> frames = decoder.sample(VideoFixtures.video(e.getKey()), times);
      for (int i = 0; i < times.length; i++) {
        assertEquals(times[i], frames.get(i).timestampSeconds(), 1e-3, e.getKey() + " frame " + i);
      }
      // between two frames, the next one is taken
      double mid = (times[10] + times[11]) / 2;
      assertEquals(
          times[11],
          decoder
              .sample(VideoFixtures.video(e.getKey()), new double[] {mid})
              .get(0)
              .timestampSeconds(),
          1e-3);
    }
  }

  @Test
  void framesMatchFfmpegReferencePixels() throws IOException {
    for (Map.Entry<String, JsonNode> e : files()) {
      Path file = VideoFixtures.video(e.getKey());
      for (JsonNode ref : e.getValue().get("referenceFrames")) {
        int index = ref.get("index").asInt();
        BufferedImage want = ImageIO.read(file.resolveSibling(ref.get("png").asText()).toFile());
        TimedFrame got = decoder.frames(file, new int[] {index}).get(0);
        assertEquals(BufferedImage.TYPE_INT_RGB, got.image().getType());
        assertEquals(
            e.getValue().get("frameTimes").get(index).asDouble(), got.timestampSeconds(), 1e-3);
        double mad = meanAbsDiff(want, got.image());
        System.out.printf(
            "video decode parity %s frame %d: mean abs diff %.3f / 255%n", e.getKey(), index, mad);
        // Same codec, different FFmpeg builds and YUV->RGB paths (swscale bilinear chroma in
        // JavaCV vs the CLI's default): a few levels at most; a wrong frame or channel order is
        // tens of levels.
        assertTrue(mad <= 3.0, e.getKey() + " frame " + index + ": mean abs diff " + mad);
      }
    }
  }

  static double meanAbsDiff(BufferedImage a, BufferedImage b) {
    assertEquals(a.getWidth(), b.getWidth());
    assertEquals(a.getHeight(), b.getHeight());
    long sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int s = 0; s <= 16; s += 8) {
          sum += Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF));
        }
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }

  @Test
  void audioTrackMatchesFfmpegAt16kMono() {
    for (Map.Entry<String, JsonNode> e : files()) {
      JsonNode g = e.getValue();
      AudioSignal a = decoder.audio(VideoFixtures.video(e.getKey())).orElseThrow();
      assertEquals(16000, a.sampleRate());
      int want = g.get("audioSamples").asInt();
      // both resample with libswresample; the stream may end a few samples apart
      assertTrue(
          Math.abs(a.samples().length - want) <= 64,
          e.getKey() + ": " + a.samples().length + " samples, ffmpeg " + want);
      float[] every32 =
          VideoFixtures.npy(
              VideoFixtures.video(e.getKey()).resolveSibling(g.get("audioEvery32").asText()), null);
      int n = Math.min(every32.length, (a.samples().length + 31) / 32);
      double maxDiff = 0;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        double d = Math.abs(every32[i] - a.samples()[i * 32]);
        maxDiff = Math.max(maxDiff, d);
        sq += d * d;
      }
      double rms = 0;
      for (float v : a.samples()) {
        rms += v * v;
      }
      rms = Math.sqrt(rms / a.samples().length);
      System.out.printf(
          "video audio parity %s: max abs diff %.5f, rms diff %.6f, rms %.4f vs %.4f%n",
          e.getKey(), maxDiff, Math.sqrt(sq / n), rms, g.get("audioRms").asDouble());
      assertEquals(g.get("audioRms").asDouble(), rms, 0.01, e.getKey());
      assertTrue(Math.sqrt(sq / n) <= 0.01, e.getKey() + ": rms diff " + Math.sqrt(sq / n));
    }
  }

  @Test
  void limitsRefuseBeforeDecoding() {
    Path mp4 = VideoFixtures.video("testsrc.mp4");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new VideoDecoder(new VideoLimits(1.0, 100_000_000L)).probe(mp4));
    assertTrue(
        e.getMessage().contains(mp4.toString())
            && e.getMessage().contains("exceeds the limit of 1.0 s"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new VideoDecoder(new VideoLimits(60, 320 * 240 - 1)).frames(mp4, new int[] {0}));
    assertTrue(
        e.getMessage().contains(mp4.toString()) && e.getMessage().contains("320x240"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new VideoLimits(0, 1));
    assertTrue(e.getMessage().contains("0.0"), e.getMessage());
  }

  @Test
  void badTimesAndIndicesAreRefused() {
    Path mp4 = VideoFixtures.video("testsrc.mp4");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> decoder.sample(mp4, new double[] {1, -0.5}));
    assertTrue(
        e.getMessage().contains("-0.5") && e.getMessage().contains(mp4.toString()), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> decoder.frames(mp4, new int[] {125}));
    assertTrue(e.getMessage().contains("frame 125 is outside [0, 125)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> decoder.sample(mp4, new double[] {30}));
    assertTrue(e.getMessage().contains("30.000 s is past the end of the video"), e.getMessage());
  }
}
