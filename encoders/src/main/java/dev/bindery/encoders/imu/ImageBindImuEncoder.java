package dev.bindery.encoders.imu;

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
 * The {@code imagebind-imu} tower: an ONNX export of ImageBind's IMU encoder with input {@code imu}
 * float [B, 6, 2000] and an output float [B, D] (1024 for ImageBind-huge). {@link #encode} embeds
 * the first window of a trace ({@link ImuPreprocessor#apply}); {@link #encodeSegments} embeds every
 * window with its time span (sample index / trace rate). Vectors are L2-normalized when the package
 * says so. Thread-safe; owns and closes its model.
 */
public final class ImageBindImuEncoder extends OnnxTower<ImuTrace>
    implements SegmentingEncoder<ImuTrace> {
  private final ImuPreprocessor preprocessor;
  private final RowSignature signature;

  /** ImageBind's 6 x 2000 windows, 32 windows per model call. */
  public ImageBindImuEncoder(TowerSpec spec, OnnxModel model) {
    this(spec, model, ImuPreprocessor.imageBind(), 32);
  }

  /**
   * @throws IllegalArgumentException if the model's signature does not fit, saying what it has
   */
  public ImageBindImuEncoder(
      TowerSpec spec, OnnxModel model, ImuPreprocessor preprocessor, int batchSize) {
    super(
        new Settings(
            spec.format(),
            Modality.IMU,
            spec.space(),
            spec.dimension(),
            spec.normalize(),
            batchSize),
        model);
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    this.signature =
        requireRowSignature(
            spec.input("imu"), spec.output(), ImuTrace.CHANNELS, preprocessor.windowSamples());
  }

  public ImuPreprocessor preprocessor() {
    return preprocessor;
  }

  /** Each trace's first window is one row. */
  @Override
  protected List<float[]> encodeChunk(List<ImuTrace> inputs) {
    List<FloatTensor> rows = new ArrayList<>(inputs.size());
    for (ImuTrace t : inputs) {
      rows.add(preprocessor.apply(t));
    }
    return run(rows);
  }

  @Override
  public List<TimedEmbedding> encodeSegments(ImuTrace trace) {
    Objects.requireNonNull(trace, "trace");
    return guarded(
        () -> {
          List<ImuPreprocessor.Window> windows = preprocessor.windows(trace);
          List<float[]> vectors =
              run(windows.stream().map(ImuPreprocessor.Window::tensor).toList());
          List<TimedEmbedding> out = new ArrayList<>(windows.size());
          for (int i = 0; i < windows.size(); i++) {
            ImuPreprocessor.Window w = windows.get(i);
            out.add(
                new TimedEmbedding(
                    w.fromSample() / trace.sampleRateHz(),
                    w.toSample() / trace.sampleRateHz(),
                    vectors.get(i)));
          }
          return out;
        });
  }

  private List<float[]> run(List<FloatTensor> rows) {
    List<float[]> vectors = runRows(signature, rows);
    vectors.forEach(this::normalized);
    return vectors;
  }

  @Override
  public String toString() {
    return "ImageBindImuEncoder[" + space() + ", " + model().source() + "]";
  }
}
