package dev.bindery.encoders.video;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.MediaSource;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Decodes MP4 (H.264), WebM (VP8/VP9) and whatever else FFmpeg reads, through JavaCV's {@link
 * FFmpegFrameGrabber}: stream facts ({@link #probe}), frames at chosen times ({@link #sample}) or
 * frame numbers ({@link #frames}), and the audio track as 16 kHz mono ({@link #audio}).
 *
 * <p>Input is a file or bytes in memory ({@link MediaSource}); bytes are read through FFmpeg's
 * custom I/O from memory, never staged in a temporary file. Every call opens the input, checks it
 * against the {@link VideoLimits} before decoding a frame, and releases the native grabber and
 * converter before returning, also when it fails; a file FFmpeg cannot read gives an {@link
 * IllegalArgumentException} naming the file and FFmpeg's reason. Holds no native state between
 * calls, so one instance is thread-safe.
 *
 * <p>Times are seconds from the first frame of the video stream (FFmpeg's presentation timestamps
 * minus the stream's start time). Frame {@code i} is the first frame whose timestamp is at or after
 * {@code (i - 0.5) / fps}: for the constant-rate videos this is the {@code i}-th frame in
 * presentation order, which is how decord (ImageBind's reader) numbers frames.
 *
 * <p>Why one class of about 500 lines: its four calls share the one native lifecycle that must not
 * be got wrong (open from a file or memory, check the limits, release grabber and converter on
 * every path) and the timestamp arithmetic above; the rest is the open grabber's frame seeking and
 * audio reading, which need that lifecycle's state.
 */
public final class VideoDecoder {
  private static final int AUDIO_RATE = 16_000;
  // A seek lands on the keyframe before the target and decodes forward; past this many seconds
  // ahead of the current position a fresh seek is cheaper than decoding through.
  private static final double DECODE_THROUGH_SECONDS = 1.0;

  private final VideoLimits limits;

  public VideoDecoder(VideoLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A decoder with {@link VideoLimits#DEFAULTS}. */
  public VideoDecoder() {
    this(VideoLimits.DEFAULTS);
  }

  public VideoLimits limits() {
    return limits;
  }

  /**
   * Reads the stream facts of a video without decoding frames.
   *
   * @throws IllegalArgumentException naming the file if it is missing, empty, not a video FFmpeg
   *     reads, has no video stream, or breaks a limit
   */
  public VideoInfo probe(Path file) {
    return probe(MediaSource.of(file));
  }

  /** {@link #probe(Path)} for a file or bytes in memory. */
  public VideoInfo probe(MediaSource media) {
    try (Opened o = open(media, false)) {
      return o.info;
    }
  }

  /**
   * Decodes the first frame at or after each time.
   *
   * @param times seconds from the start of the video, each >= 0, in any order
   * @return one frame per time, in the order of {@code times}
   * @throws IllegalArgumentException naming the file for a bad file, a negative/NaN time, or a time
   *     more than one frame past the last frame that decodes (a truncated file)
   */
  public List<TimedFrame> sample(Path file, double[] times) {
    Objects.requireNonNull(times, "times");
    for (double t : times) {
      if (!(t >= 0) || Double.isInfinite(t)) {
        throw new IllegalArgumentException(
            "video "
                + file
                + ": sample times must be finite and >= 0, got "
                + Arrays.toString(times));
      }
    }
    try (Opened o = open(MediaSource.of(file), false)) {
      return o.sampleAt(times);
    }
  }

  /**
   * Decodes frames by number (0-based, presentation order; see the class comment).
   *
   * @throws IllegalArgumentException naming the file for a bad file or a frame number outside
   *     {@code [0, frameCount)}
   */
  public List<TimedFrame> frames(Path file, int[] indices) {
    Objects.requireNonNull(indices, "indices");
    return probeAndFrames(file, info -> indices).frames();
  }

  /**
   * {@link #probe} and {@link #frames} with one open of the file: {@code pick} chooses the frame
   * numbers from the stream facts (for example a clip sampler).
   */
  public DecodedFrames probeAndFrames(
      Path file, java.util.function.Function<VideoInfo, int[]> pick) {
    return probeAndFrames(MediaSource.of(file), pick);
  }

  /** {@link #probeAndFrames(Path, java.util.function.Function)} for a file or bytes in memory. */
  public DecodedFrames probeAndFrames(
      MediaSource media, java.util.function.Function<VideoInfo, int[]> pick) {
    String file = media.describe();
    try (Opened o = open(media, false)) {
      int[] indices = pick.apply(o.info);
      double[] times = new double[indices.length];
      for (int i = 0; i < indices.length; i++) {
        if (indices[i] < 0 || indices[i] >= o.info.frameCount()) {
          throw new IllegalArgumentException(
              "video "
                  + file
                  + ": frame "
                  + indices[i]
                  + " is outside [0, "
                  + o.info.frameCount()
                  + ")");
        }
        // aim half a frame early so that timestamps rounded to microseconds still match
        times[i] = Math.max(0, (indices[i] - 0.5) / o.info.fps());
      }
      return new DecodedFrames(o.info, o.sampleAt(times));
    }
  }

  /**
   * The facts of a video and frames decoded from it.
   *
   * @param info the stream facts
   * @param frames the frames, in the order asked for
   */
  public record DecodedFrames(VideoInfo info, List<TimedFrame> frames) {
    public DecodedFrames {
      Objects.requireNonNull(info, "info");
      frames = List.copyOf(frames);
    }
  }

  /**
   * Decodes the audio track as 16 kHz mono float samples, converted by FFmpeg's resampler
   * (libswresample: default filter, channels downmixed by its default matrix).
   *
   * @return the audio, or empty when the file has no audio stream
   * @throws IllegalArgumentException naming the file if it cannot be read or breaks a limit
   */
  public Optional<AudioSignal> audio(Path file) {
    try (Opened o = open(MediaSource.of(file), true)) {
      if (!o.info.hasAudio()) {
        return Optional.empty();
      }
      return Optional.of(o.readAudio());
    }
  }

  private Opened open(MediaSource media, boolean audio) {
    Objects.requireNonNull(media, "media");
    String file = media.describe();
    FFmpegFrameGrabber grabber;
    switch (media) {
      case MediaSource.File f -> {
        if (!Files.isRegularFile(f.path())) {
          throw new IllegalArgumentException("video file " + file + " does not exist");
        }
        try {
          if (Files.size(f.path()) == 0) {
            throw new IllegalArgumentException("video file " + file + " is empty (0 bytes)");
          }
        } catch (IOException e) {
          throw new IllegalArgumentException("cannot read video file " + file + ": " + e, e);
        }
        grabber = new FFmpegFrameGrabber(f.path().toFile());
      }
      case MediaSource.Bytes b -> {
        if (b.bytes().length == 0) {
          throw new IllegalArgumentException("video file " + file + " is empty (0 bytes)");
        }
        // FFmpeg seeks in its input (an MP4's index may sit at the end; sampling seeks to
        // keyframes): a ByteArrayInputStream marked at its full length lets JavaCV's seek
        // callback reset and skip within the bytes, so nothing is written to disk.
        grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(b.bytes()), b.bytes().length);
      }
    }
    Opened opened = new Opened(file, grabber);
    try {
      if (audio) {
        grabber.setSampleMode(FrameGrabber.SampleMode.FLOAT);
        grabber.setSampleRate(AUDIO_RATE);
        grabber.setAudioChannels(1);
      }
      try {
        grabber.start();
      } catch (FrameGrabber.Exception | RuntimeException e) {
        throw new IllegalArgumentException(
            "video file " + file + ": not a video FFmpeg can read (" + e.getMessage() + ")", e);
      }
      opened.info = describe(file, grabber);
      opened.videoStartMicros = videoStartMicros(grabber);
      return opened;
    } catch (RuntimeException e) {
      opened.closeQuietly(e);
      throw e;
    }
  }

  private VideoInfo describe(String file, FFmpegFrameGrabber g) {
    AVFormatContext oc = g.getFormatContext();
    AVStream video = null;
    boolean hasAudio = false;
    for (int i = 0; i < oc.nb_streams(); i++) {
      AVStream st = oc.streams(i);
      int type = st.codecpar().codec_type();
      if (type == avutil.AVMEDIA_TYPE_VIDEO
          && video == null
          && (st.disposition() & ATTACHED_PIC) == 0) {
        video = st;
      } else if (type == avutil.AVMEDIA_TYPE_AUDIO) {
        hasAudio = true;
      }
    }
    if (video == null || g.getImageWidth() < 1 || g.getImageHeight() < 1) {
      throw new IllegalArgumentException(
          "video file "
              + file
              + ": no video stream (format '"
              + g.getFormat()
              + "', "
              + oc.nb_streams()
              + " streams)");
    }
    int w = g.getImageWidth();
    int h = g.getImageHeight();
    if ((long) w * h > limits.maxPixelsPerFrame()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "video file %s: frames of %dx%d = %d pixels exceed the limit of %d pixels",
              file,
              w,
              h,
              (long) w * h,
              limits.maxPixelsPerFrame()));
    }
    double fps = g.getVideoFrameRate();
    if (!(fps > 0) || Double.isInfinite(fps) || fps > 1000) {
      throw new IllegalArgumentException(
          "video file " + file + ": unusable frame rate " + fps + " fps");
    }
    double duration = g.getLengthInTime() / 1e6;
    double streamDuration =
        video.duration() > 0 ? video.duration() * avutil.av_q2d(video.time_base()) : 0;
    double longest = Math.max(duration, streamDuration);
    if (!(longest > 0)) {
      throw new IllegalArgumentException(
          "video file " + file + ": the container declares no duration");
    }
    if (longest > limits.maxDurationSeconds()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "video file %s: declared duration %.1f s exceeds the limit of %.1f s",
              file,
              longest,
              limits.maxDurationSeconds()));
    }
    long frames = video.nb_frames();
    if (frames < 1) {
      double d = streamDuration > 0 ? streamDuration : duration;
      frames = Math.max(1, Math.round(d * fps));
    }
    String codec = avcodec.avcodec_get_name(video.codecpar().codec_id()).getString();
    return new VideoInfo(file, g.getFormat(), codec, duration, fps, frames, w, h, hasAudio);
  }

  /**
   * The video stream's start time in microseconds. JavaCV stamps frames with their raw presentation
   * time but seeks relative to the stream start; subtracting it puts both on one clock that starts
   * at the first frame, as decord's frame numbers do.
   */
  private static long videoStartMicros(FFmpegFrameGrabber g) {
    AVFormatContext oc = g.getFormatContext();
    for (int i = 0; i < oc.nb_streams(); i++) {
      AVStream st = oc.streams(i);
      if (st.codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO
          && (st.disposition() & ATTACHED_PIC) == 0) {
        long start = st.start_time();
        if (start == avutil.AV_NOPTS_VALUE) {
          return 0;
        }
        return 1_000_000L * start * st.time_base().num() / st.time_base().den();
      }
    }
    return 0;
  }

  // AV_DISPOSITION_ATTACHED_PIC: cover art stored as a one-frame "video" stream.
  private static final int ATTACHED_PIC = 0x0400;

  /** One open grabber; closes the grabber and the converter. */
  private final class Opened implements AutoCloseable {
    private final String file;
    private final FFmpegFrameGrabber grabber;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();
    private VideoInfo info;
    private double position = -1; // timestamp of the last decoded frame, -1 before the first
    private long videoStartMicros;

    Opened(String file, FFmpegFrameGrabber grabber) {
      this.file = file;
      this.grabber = grabber;
    }

    List<TimedFrame> sampleAt(double[] times) {
      Integer[] order = new Integer[times.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingDouble(i -> times[i]));
      TimedFrame[] out = new TimedFrame[times.length];
      TimedFrame current = null;
      double end = Math.max(info.durationSeconds(), info.frameDurationSeconds());
      for (int k : order) {
        double t = times[k];
        if (t > end) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "video file %s: the requested time %.3f s is past the end of the video (%.3f s)",
                  file,
                  t,
                  end));
        }
        if (current != null && current.timestampSeconds() >= t - 1e-6) {
          out[k] = current; // already at or past it: the same frame serves both times
          continue;
        }
        if (current == null || t > position + DECODE_THROUGH_SECONDS) {
          seek(t);
          current = null;
        }
        TimedFrame next;
        boolean reached = false;
        while ((next = nextFrame()) != null) {
          current = next;
          if (next.timestampSeconds() >= t - 1e-6) {
            reached = true;
            break;
          }
        }
        if (current == null) {
          throw new IllegalArgumentException(
              "video file "
                  + file
                  + ": no frame could be decoded at or after "
                  + t
                  + " s (declared duration "
                  + info.durationSeconds()
                  + " s; truncated or damaged?)");
        }
        // the stream ended early: tolerate the last frame only if t is within its display time
        if (!reached && current.timestampSeconds() < t - 1.0 / info.fps()) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "video file %s: the video stream ends at %.3f s, before the requested %.3f s"
                      + " (declared duration %.3f s, %d frames; truncated or damaged?)",
                  file,
                  current.timestampSeconds(),
                  t,
                  info.durationSeconds(),
                  info.frameCount()));
        }
        out[k] = current;
      }
      return List.of(out);
    }

    private void seek(double t) {
      try {
        // JavaCV seeks to the keyframe before the target and decodes up to it; the loop in
        // sampleAt then steps to the first frame at or after t.
        grabber.setVideoTimestamp(Math.max(0, Math.round(t * 1e6) - 1000));
        position = -1;
      } catch (FrameGrabber.Exception e) {
        throw new IllegalArgumentException(
            "video file " + file + ": cannot seek to " + t + " s (" + e.getMessage() + ")", e);
      }
    }

    private TimedFrame nextFrame() {
      Frame f;
      try {
        f = grabber.grabImage();
      } catch (FrameGrabber.Exception e) {
        throw new IllegalArgumentException(
            "video file " + file + ": decoding failed (" + e.getMessage() + ")", e);
      }
      if (f == null) {
        return null;
      }
      double ts = Math.max(0, (f.timestamp - videoStartMicros) / 1e6);
      position = ts;
      BufferedImage converted = converter.convert(f);
      return new TimedFrame(ts, toIntRgb(converted));
    }

    AudioSignal readAudio() {
      long max = (long) Math.ceil(limits.maxDurationSeconds() * AUDIO_RATE);
      float[] buf =
          new float
              [(int) Math.min(Math.max(info.durationSeconds(), 1) * AUDIO_RATE + 4096, 1 << 24)];
      int n = 0;
      try {
        Frame f;
        while ((f = grabber.grabSamples()) != null) {
          if (f.samples == null || f.samples.length == 0) {
            continue;
          }
          if (!(f.samples[0] instanceof FloatBuffer fb)) {
            throw new IllegalStateException(
                "video file "
                    + file
                    + ": FFmpeg returned "
                    + f.samples[0].getClass().getSimpleName()
                    + " audio, expected floats");
          }
          int count = fb.remaining();
          if (n + (long) count > max) {
            throw new IllegalArgumentException(
                String.format(
                    Locale.ROOT,
                    "video file %s: the audio track exceeds the limit of %.1f s",
                    file,
                    limits.maxDurationSeconds()));
          }
          if (n + count > buf.length) {
            buf =
                Arrays.copyOf(
                    buf, (int) Math.min(max, Math.max(2L * buf.length, n + (long) count)));
          }
          fb.get(fb.position(), buf, n, count);
          n += count;
        }
      } catch (FrameGrabber.Exception e) {
        throw new IllegalArgumentException(
            "video file " + file + ": audio decoding failed (" + e.getMessage() + ")", e);
      }
      return new AudioSignal(Arrays.copyOf(buf, n), AUDIO_RATE);
    }

    void closeQuietly(Throwable primary) {
      try {
        close();
      } catch (RuntimeException e) {
        primary.addSuppressed(e);
      }
    }

    @Override
    public void close() {
      try {
        converter.close();
      } finally {
        try {
          grabber.close();
        } catch (FrameGrabber.Exception e) {
          throw new IllegalStateException("cannot release the FFmpeg grabber of " + file, e);
        }
      }
    }
  }

  /** Copies any decoded image into a fresh {@link BufferedImage#TYPE_INT_RGB} image. */
  static BufferedImage toIntRgb(BufferedImage src) {
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      src.getRGB(0, y, w, 1, row, 0, w);
      out.setRGB(0, y, w, 1, row, 0, w);
    }
    return out;
  }
}
