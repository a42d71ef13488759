package dev.bindery.encoders.audio;

import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.EmbeddingMath;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.SegmentingEncoder;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.onnx.OnnxTower;
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
 * normalized vector with its time span. Rows go to the model in chunks of at most {@code batchSize}
 * ({@link OnnxTower}). Thread-safe; owns and closes its model.
 */
public final class ImageBindAudioEncoder extends OnnxTower<AudioSignal>
    implements SegmentingEncoder<AudioSignal> {
  private final ImageBindAudioPreprocessor preprocessor;
  private final AudioSegmenter segmenter;
  private final RowSignature signature;

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
    super(
        new Settings(
            spec.format(),
            Modality.AUDIO,
            spec.space(),
            spec.dimension(),
            spec.normalize(),
            batchSize),
        model);
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
    this.signature =
        requireRowSignature(spec.input("audio"), spec.output(), preprocessor.clipShape());
  }

  public ImageBindAudioPreprocessor preprocessor() {
    return preprocessor;
  }

  public AudioSegmenter segmenter() {
    return segmenter;
  }

  /** Each input's clips run as rows; an input's vector is the mean of its clips' rows. */
  @Override
  protected List<float[]> encodeChunk(List<AudioSignal> inputs) {
    List<FloatTensor> clips = new ArrayList<>();
    int[] counts = new int[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      List<FloatTensor> own = preprocessor.apply(inputs.get(i)).unstack();
      counts[i] = own.size();
      clips.addAll(own);
    }
    List<float[]> rows = runRows(signature, clips);
    List<float[]> out = new ArrayList<>(inputs.size());
    int r = 0;
    for (int count : counts) {
      out.add(normalized(EmbeddingMath.mean(rows, r, r + count)));
      r += count;
    }
    return out;
  }

  @Override
  public List<TimedEmbedding> encodeSegments(AudioSignal input) {
    Objects.requireNonNull(input, "input");
    return guarded(
        () -> {
          List<AudioSegmenter.Segment> segments = segmenter.segments(input);
          List<FloatTensor> clips = new ArrayList<>(segments.size());
          for (AudioSegmenter.Segment s : segments) {
            clips.add(preprocessor.clip(s.signal()));
          }
          List<float[]> rows = runRows(signature, clips);
          List<TimedEmbedding> out = new ArrayList<>(segments.size());
          for (int i = 0; i < segments.size(); i++) {
            out.add(
                new TimedEmbedding(
                    segments.get(i).start(), segments.get(i).end(), normalized(rows.get(i))));
          }
          return out;
        });
  }

  @Override
  public String toString() {
    return "ImageBindAudioEncoder[" + space() + ", " + model().source() + "]";
  }
}
