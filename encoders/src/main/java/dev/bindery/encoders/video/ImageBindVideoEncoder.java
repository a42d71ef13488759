package dev.bindery.encoders.video;

import dev.bindery.encoders.EmbeddingMath;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.SegmentingEncoder;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.onnx.OnnxTower;
import dev.bindery.encoders.pkg.TowerFormat;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code imagebind-video} tower: ImageBind's vision tower run on video clips. Inputs are video
 * files or bytes in memory ({@link MediaSource}); each goes through four separate steps:
 *
 * <ol>
 *   <li>decode ({@link #sample}): {@link VideoClipSampler} picks the clips and frame numbers,
 *       {@link VideoDecoder} decodes just those frames;
 *   <li>preprocess: {@link VideoClipPreprocessor} turns each clip into {@code crops} views of
 *       {@code [3, T, size, size]};
 *   <li>run ({@link #embed}): the ONNX model maps views {@code [V, 3, T, size, size]} to {@code [V,
 *       D]}, at most {@code maxViewsPerRun} per call;
 *   <li>postprocess: each view is L2-normalized (ImageBind's vision postprocessor); a clip's vector
 *       is the mean of its crops' vectors, L2-normalized; the video's vector is the mean over all
 *       views, L2-normalized (ImageBind returns that mean of normalized views; normalizing it again
 *       changes no cosine).
 * </ol>
 *
 * With {@code normalize = false} no step normalizes. Batching of views, the closed guard and the
 * signature checks are {@link OnnxTower}'s. Thread-safe; {@link #close()} closes the model.
 */
public final class ImageBindVideoEncoder extends OnnxTower<MediaSource>
    implements SegmentingEncoder<MediaSource> {
  private final VideoDecoder decoder;
  private final VideoClipSampler sampler;
  private final VideoClipPreprocessor preprocessor;
  private final RowSignature signature;

  /**
   * Wraps a loaded model after checking its signature: input {@code input} float {@code [B, 3, T,
   * size, size]}, output {@code output} float {@code [B, dimension]}. Takes ownership of the model.
   *
   * @throws IllegalArgumentException if the model does not match, saying what it has
   */
  public ImageBindVideoEncoder(
      OnnxModel model,
      String space,
      int dimension,
      String input,
      String output,
      boolean normalize,
      int maxViewsPerRun,
      VideoDecoder decoder,
      VideoClipSampler sampler,
      VideoClipPreprocessor preprocessor) {
    super(
        new Settings(
            TowerFormat.IMAGEBIND_VIDEO.wireName(),
            Modality.VIDEO,
            space,
            dimension,
            normalize,
            maxViewsPerRun),
        model);
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    int size = preprocessor.size();
    this.signature =
        requireRowSignature(
            Objects.requireNonNull(input, "input"),
            Objects.requireNonNull(output, "output"),
            3,
            sampler.framesPerClip(),
            size,
            size);
  }

  public VideoClipSampler sampler() {
    return sampler;
  }

  public VideoClipPreprocessor preprocessor() {
    return preprocessor;
  }

  /**
   * A video's sampled clips, decoded.
   *
   * @param info the stream facts
   * @param clips the clips in time order with their decoded frames
   */
  public record SampledVideo(VideoInfo info, List<SampledClip> clips) {
    public SampledVideo {
      Objects.requireNonNull(info, "info");
      clips = List.copyOf(clips);
      if (clips.isEmpty()) {
        throw new IllegalArgumentException("video " + info.source() + ": no clips");
      }
    }
  }

  /**
   * One clip: its window and its frames.
   *
   * @param start seconds
   * @param end seconds
   * @param frames the frames, in time order
   */
  public record SampledClip(double start, double end, List<TimedFrame> frames) {
    public SampledClip {
      frames = List.copyOf(frames);
    }
  }

  /**
   * The embeddings of a video.
   *
   * @param vector the whole video's vector
   * @param segments one vector per distinct clip window, in time order
   */
  public record VideoEmbedding(float[] vector, List<TimedEmbedding> segments) {
    public VideoEmbedding {
      Objects.requireNonNull(vector, "vector");
      segments = List.copyOf(segments);
    }
  }

  /** The decode step: picks the clips of a video and decodes their frames. */
  public SampledVideo sample(MediaSource video) {
    VideoDecoder.DecodedFrames decoded =
        decoder.probeAndFrames(
            video,
            info -> {
              List<VideoClipSampler.Clip> clips = sampler.clips(info.fps(), info.frameCount());
              return clips.stream().flatMapToInt(c -> Arrays.stream(c.frames())).toArray();
            });
    VideoInfo info = decoded.info();
    List<VideoClipSampler.Clip> clips = sampler.clips(info.fps(), info.frameCount());
    List<SampledClip> out = new ArrayList<>(clips.size());
    int at = 0;
    for (VideoClipSampler.Clip c : clips) {
      int n = c.frames().length;
      out.add(new SampledClip(c.start(), c.end(), decoded.frames().subList(at, at + n)));
      at += n;
    }
    return new SampledVideo(info, out);
  }

  /** The preprocess, run and postprocess steps on a sampled video. */
  public VideoEmbedding embed(SampledVideo video) {
    Objects.requireNonNull(video, "video");
    return guarded(() -> embedSampled(video));
  }

  private VideoEmbedding embedSampled(SampledVideo video) {
    int crops = preprocessor.crops();
    List<FloatTensor> views = new ArrayList<>(video.clips().size());
    for (SampledClip clip : video.clips()) {
      List<BufferedImage> images = clip.frames().stream().map(TimedFrame::image).toList();
      views.add(preprocessor.apply(images));
    }
    List<float[]> perView = run(views);
    float[][] perClip = new float[video.clips().size()][];
    for (int c = 0; c < perClip.length; c++) {
      perClip[c] = normalized(EmbeddingMath.mean(perView, c * crops, (c + 1) * crops));
    }
    float[] vector = normalized(EmbeddingMath.mean(perView, 0, perView.size()));
    double videoEnd = video.info().frameDurationSeconds();
    List<TimedEmbedding> segments = new ArrayList<>();
    double lastStart = -1;
    for (int c = 0; c < perClip.length; c++) {
      SampledClip clip = video.clips().get(c);
      if (clip.start() == lastStart) {
        continue; // a video shorter than one clip repeats the same window; keep it once
      }
      lastStart = clip.start();
      double end = Math.max(clip.start(), Math.min(clip.end(), videoEnd));
      segments.add(new TimedEmbedding(clip.start(), end, perClip[c]));
    }
    return new VideoEmbedding(vector, segments);
  }

  /** Decodes and embeds one video: its vector and its per-clip segments. */
  public VideoEmbedding encodeVideo(MediaSource video) {
    Objects.requireNonNull(video, "video");
    return guarded(() -> embedSampled(sample(video)));
  }

  /** Videos are decoded and embedded one at a time; their views go to the model in batches. */
  @Override
  protected List<float[]> encodeChunk(List<MediaSource> inputs) {
    List<float[]> out = new ArrayList<>(inputs.size());
    for (MediaSource p : inputs) {
      out.add(embedSampled(sample(p)).vector());
    }
    return out;
  }

  @Override
  public List<TimedEmbedding> encodeSegments(MediaSource input) {
    return encodeVideo(input).segments();
  }

  /** One decode for both: the video's vector and its clips' vectors. */
  @Override
  public Segmented encodeWithSegments(MediaSource input) {
    VideoEmbedding v = encodeVideo(input);
    return new Segmented(v.vector(), v.segments());
  }

  /** Runs every view ([crops, 3, T, S, S] per clip) and returns the (normalized) view vectors. */
  private List<float[]> run(List<FloatTensor> clips) {
    List<FloatTensor> views = new ArrayList<>();
    clips.forEach(c -> views.addAll(c.unstack()));
    List<float[]> vectors = runRows(signature, views);
    vectors.forEach(this::normalized);
    return vectors;
  }

  @Override
  public String toString() {
    return "ImageBindVideoEncoder["
        + model().source()
        + ", space="
        + space()
        + ", dim="
        + dimension()
        + ", "
        + sampler
        + ", "
        + preprocessor
        + "]";
  }
}
