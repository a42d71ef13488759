package dev.bindery.encoders.video;

import ai.onnxruntime.OnnxJavaType;
import dev.bindery.encoders.EmbeddingMath;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.SegmentingEncoder;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code imagebind-video} tower: ImageBind's vision tower run on video clips. Inputs are video
 * files; each goes through four separate steps:
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
 * With {@code normalize = false} no step normalizes. Thread-safe; {@link #close()} closes the
 * model.
 */
public final class ImageBindVideoEncoder implements SegmentingEncoder<Path> {
  private final OnnxModel model;
  private final String space;
  private final int dimension;
  private final String input;
  private final String output;
  private final boolean normalize;
  private final int maxViewsPerRun;
  private final VideoDecoder decoder;
  private final VideoClipSampler sampler;
  private final VideoClipPreprocessor preprocessor;

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
    this.model = Objects.requireNonNull(model, "model");
    this.space = Objects.requireNonNull(space, "space");
    this.input = Objects.requireNonNull(input, "input");
    this.output = Objects.requireNonNull(output, "output");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    if (dimension < 1 || maxViewsPerRun < 1) {
      throw new IllegalArgumentException(
          "dimension and max views per run must be >= 1, got "
              + dimension
              + " and "
              + maxViewsPerRun);
    }
    this.dimension = dimension;
    this.normalize = normalize;
    this.maxViewsPerRun = maxViewsPerRun;
    int size = preprocessor.size();
    model.requireInput(input, OnnxJavaType.FLOAT, -1, 3, sampler.framesPerClip(), size, size);
    model.requireOutput(output, OnnxJavaType.FLOAT, -1, dimension);
  }

  @Override
  public Modality modality() {
    return Modality.VIDEO;
  }

  @Override
  public String space() {
    return space;
  }

  @Override
  public int dimension() {
    return dimension;
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
  public SampledVideo sample(Path file) {
    VideoDecoder.DecodedFrames decoded =
        decoder.probeAndFrames(
            file,
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
    int crops = preprocessor.crops();
    List<FloatTensor> views = new ArrayList<>(video.clips().size());
    for (SampledClip clip : video.clips()) {
      List<BufferedImage> images = clip.frames().stream().map(TimedFrame::image).toList();
      views.add(preprocessor.apply(images));
    }
    List<float[]> perView = run(views);
    float[][] perClip = new float[video.clips().size()][];
    for (int c = 0; c < perClip.length; c++) {
      perClip[c] = finish(EmbeddingMath.mean(perView, c * crops, (c + 1) * crops));
    }
    float[] vector = finish(EmbeddingMath.mean(perView, 0, perView.size()));
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
  public VideoEmbedding encodeVideo(Path file) {
    return embed(sample(file));
  }

  @Override
  public List<float[]> encodeBatch(List<Path> inputs) {
    List<float[]> out = new ArrayList<>(inputs.size());
    for (Path p : inputs) {
      out.add(encodeVideo(p).vector());
    }
    return out;
  }

  @Override
  public List<TimedEmbedding> encodeSegments(Path input) {
    return encodeVideo(input).segments();
  }

  /** Runs every view ([crops, 3, T, S, S] per clip) and returns the (normalized) view vectors. */
  private List<float[]> run(List<FloatTensor> clips) {
    List<FloatTensor> views = new ArrayList<>();
    clips.forEach(c -> views.addAll(c.unstack()));
    List<float[]> vectors = model.embedRows(input, output, dimension, views, maxViewsPerRun);
    vectors.forEach(this::finish);
    return vectors;
  }

  /** L2-normalizes in place when this tower normalizes. */
  private float[] finish(float[] v) {
    return normalize ? EmbeddingMath.l2Normalize(v) : v;
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "ImageBindVideoEncoder["
        + model.source()
        + ", space="
        + space
        + ", dim="
        + dimension
        + ", "
        + sampler
        + ", "
        + preprocessor
        + "]";
  }
}
