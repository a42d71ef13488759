package dev.bindery.encoders.audio;

import ai.onnxruntime.OnnxJavaType;
import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.EmbeddingMath;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.SegmentingEncoder;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code imagebind-audio} tower: an ONNX export of ImageBind's audio encoder with input {@code
 * audio} float [N, 1, 128, 204] (log-mel clips, see {@link ImageBindAudioPreprocessor}) and an
 * output float [N, D] (D = 1024 for ImageBind-huge).
 *
 * <p>{@link #encode}: the clips of one input (3 by default) run as 3 rows and their embeddings are
 * averaged, then L2-normalized when the package says so; ImageBind's own evaluation averages the
 * clip embeddings the same way. {@link #encodeSegments}: the input is cut by an {@link
 * AudioSegmenter} and each window becomes one clip (no clip sampling inside a window), one row, one
 * normalized vector with its time span. Rows go to the model in chunks of at most {@code
 * batchSize}. Thread-safe; owns and closes its model.
 */
public final class ImageBindAudioEncoder implements SegmentingEncoder<AudioSignal> {
  private final TowerSpec spec;
  private final OnnxModel model;
  private final ImageBindAudioPreprocessor preprocessor;
  private final AudioSegmenter segmenter;
  private final int batchSize;
  private final String input;

  /** An encoder with ImageBind's preprocessing, 2 s segments and 48 rows per model call. */
  public ImageBindAudioEncoder(TowerSpec spec, OnnxModel model) {
    this(spec, model, new ImageBindAudioPreprocessor(), AudioSegmenter.defaults(), 48);
  }

  /**
   * @throws IllegalArgumentException if the model's input or output does not fit the spec, saying
   *     what the model has
   */
  public ImageBindAudioEncoder(
      TowerSpec spec,
      OnnxModel model,
      ImageBindAudioPreprocessor preprocessor,
      AudioSegmenter segmenter,
      int batchSize) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.model = Objects.requireNonNull(model, "model");
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    this.input = spec.input("audio");
    long[] clip = preprocessor.clipShape();
    model.requireInput(input, OnnxJavaType.FLOAT, -1, clip[0], clip[1], clip[2]);
    model.requireOutput(spec.output(), OnnxJavaType.FLOAT, -1, spec.dimension());
    if (model.inputNames().size() != 1) {
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + " has inputs "
              + model.describeInputs()
              + "; format '"
              + spec.format()
              + "' feeds only '"
              + input
              + "'");
    }
  }

  public ImageBindAudioPreprocessor preprocessor() {
    return preprocessor;
  }

  public AudioSegmenter segmenter() {
    return segmenter;
  }

  @Override
  public Modality modality() {
    return Modality.AUDIO;
  }

  @Override
  public String space() {
    return spec.space();
  }

  @Override
  public int dimension() {
    return spec.dimension();
  }

  @Override
  public List<float[]> encodeBatch(List<AudioSignal> inputs) {
    if (inputs.isEmpty()) {
      return List.of();
    }
    List<FloatTensor> clips = new ArrayList<>();
    int[] counts = new int[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      List<FloatTensor> own = preprocessor.apply(inputs.get(i)).unstack();
      counts[i] = own.size();
      clips.addAll(own);
    }
    List<float[]> rows = run(clips);
    List<float[]> out = new ArrayList<>(inputs.size());
    int r = 0;
    for (int count : counts) {
      float[] mean = EmbeddingMath.mean(rows, r, r + count);
      r += count;
      out.add(spec.normalize() ? EmbeddingMath.l2Normalize(mean) : mean);
    }
    return out;
  }

  @Override
  public List<TimedEmbedding> encodeSegments(AudioSignal input) {
    List<AudioSegmenter.Segment> segments = segmenter.segments(input);
    List<FloatTensor> clips = new ArrayList<>(segments.size());
    for (AudioSegmenter.Segment s : segments) {
      clips.add(preprocessor.clip(s.signal()));
    }
    List<float[]> rows = run(clips);
    List<TimedEmbedding> out = new ArrayList<>(segments.size());
    for (int i = 0; i < segments.size(); i++) {
      float[] v = spec.normalize() ? EmbeddingMath.l2Normalize(rows.get(i)) : rows.get(i);
      out.add(new TimedEmbedding(segments.get(i).start(), segments.get(i).end(), v));
    }
    return out;
  }

  /** Runs clip tensors (without batch dimension) in chunks; returns one row per clip. */
  private List<float[]> run(List<FloatTensor> clips) {
    return model.embedRows(input, spec.output(), dimension(), clips, batchSize);
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "ImageBindAudioEncoder[" + spec.space() + ", " + model.source() + "]";
  }
}
