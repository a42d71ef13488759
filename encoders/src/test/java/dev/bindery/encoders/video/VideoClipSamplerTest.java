package dev.bindery.encoders.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VideoClipSamplerTest {
  @Test
  void fiveSecondsAt25FpsByHand() {
    // maxStart = 3 s, starts k * 3 / 5; frames ceil(25 * start) .. ceil(25 * end) - 1, first &
    // last.
    // The last clip ends at 4.4 s, and 25 * 4.4 is 110.00000000000001 in float64, so ceil gives 111
    // and its last frame is 110, exactly as in Python.
    List<VideoClipSampler.Clip> clips = VideoClipSampler.IMAGEBIND.clips(25, 125);
    assertEquals(5, clips.size());
    double[] starts = {0, 0.6, 1.2, 1.8, 2.4};
    int[][] frames = {{0, 49}, {15, 64}, {30, 79}, {45, 94}, {60, 110}};
    for (int i = 0; i < 5; i++) {
      assertEquals(starts[i], clips.get(i).start(), 1e-12);
      assertEquals(starts[i] + 2, clips.get(i).end(), 1e-12);
      assertArrayEquals(frames[i], clips.get(i).frames(), clips.get(i).toString());
    }
  }

  @Test
  void shortVideoRepeatsOneClipLikePytorchvideo() {
    List<VideoClipSampler.Clip> clips = VideoClipSampler.IMAGEBIND.clips(25, 25);
    assertEquals(5, clips.size());
    for (VideoClipSampler.Clip c : clips) {
      assertEquals(0, c.start());
      assertEquals(2, c.end());
      assertArrayEquals(new int[] {0, 24}, c.frames());
    }
  }

  @Test
  void moreFramesPerClipFollowTorchLinspace() {
    // linspace(0, 49, 4) = [0, 16.333, 32.667, 49] -> long() truncates
    VideoClipSampler s = new VideoClipSampler(2, 1, 4);
    assertArrayEquals(new int[] {0, 16, 32, 49}, s.clips(25, 50).get(0).frames());
  }

  @Test
  void matchesThePythonReferenceOnTheTestVideos() {
    JsonNode files = VideoFixtures.videoGolden().get("files");
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) files::fields) {
      JsonNode g = e.getValue();
      List<VideoClipSampler.Clip> clips =
          VideoClipSampler.IMAGEBIND.clips(g.get("fps").asDouble(), g.get("frames").asLong());
      JsonNode want = g.get("clips");
      assertEquals(want.size(), clips.size(), e.getKey());
      for (int i = 0; i < clips.size(); i++) {
        assertEquals(want.get(i).get("start").asDouble(), clips.get(i).start(), 1e-12, e.getKey());
        assertEquals(want.get(i).get("end").asDouble(), clips.get(i).end(), 1e-12, e.getKey());
        int[] f = new int[want.get(i).get("frames").size()];
        for (int j = 0; j < f.length; j++) {
          f[j] = want.get(i).get("frames").get(j).asInt();
        }
        assertArrayEquals(f, clips.get(i).frames(), e.getKey() + " clip " + i);
      }
    }
  }

  @Test
  void rejectsBadSettingsWithTheValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new VideoClipSampler(0, 5, 2));
    assertTrue(e.getMessage().contains("0.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new VideoClipSampler(2, 0, 2));
    assertTrue(e.getMessage().contains("0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> VideoClipSampler.IMAGEBIND.clips(0, 10));
    assertTrue(e.getMessage().contains("0.0 fps"), e.getMessage());
  }
}
