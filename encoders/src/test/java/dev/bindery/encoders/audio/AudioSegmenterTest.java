package dev.bindery.encoders.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bindery.encoders.AudioSignal;
import java.util.List;
import org.junit.jupiter.api.Test;

class AudioSegmenterTest {
  private final AudioSegmenter seg = AudioSegmenter.defaults();

  @Test
  void backToBackWindowsWithAShortTailDropped() {
    List<AudioSegmenter.Segment> s =
        seg.segments(new AudioSignal(new float[16000 * 5 + 4000], 16000));
    // 5.25 s: [0,2) [2,4) and a 1.25 s tail [4,5.25); all kept.
    assertEquals(3, s.size());
    assertEquals(4.0, s.get(2).start());
    assertEquals(5.25, s.get(2).end());
    assertEquals(20000, s.get(2).signal().samples().length);
    List<AudioSegmenter.Segment> t =
        seg.segments(new AudioSignal(new float[16000 * 4 + 4000], 16000));
    // 4.25 s: the 0.25 s tail is below 0.5 s and dropped.
    assertEquals(2, t.size());
    assertEquals(4.0, t.get(1).end());
  }

  @Test
  void aShortSignalStillGetsOneSegment() {
    List<AudioSegmenter.Segment> s = seg.segments(new AudioSignal(new float[1600], 16000));
    assertEquals(1, s.size());
    assertEquals(0.1, s.get(0).end(), 1e-12);
  }

  @Test
  void overlappingWindows() {
    AudioSegmenter o = new AudioSegmenter(2, 1, 0.5);
    List<AudioSegmenter.Segment> s = o.segments(new AudioSignal(new float[16000 * 4], 16000));
    // [0,2) [1,3) [2,4): the window that reaches the end is the last one.
    assertEquals(List.of(0.0, 1.0, 2.0), s.stream().map(AudioSegmenter.Segment::start).toList());
  }

  @Test
  void rejectsBadSettings() {
    AudioFixtures.assertMessage(() -> new AudioSegmenter(2, 3, 0.5), "hop 3.0");
  }
}
