package dev.bindery.encoders.imu;

import ai.onnxruntime.OnnxJavaType;
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
 * The {@code imagebind-imu} tower: an ONNX export of ImageBind's IMU encoder with input {@code imu}
 * float [B, 6, 2000] and an output float [B, D] (1024 for ImageBind-huge). {@link #encode} embeds
 * the first window of a trace ({@link ImuPreprocessor#apply}); {@link #encodeSegments} embeds every
 * window with its time span (sample index / trace rate). Vectors are L2-normalized when the package
 * says so. Thread-safe; owns and closes its model.
 */
public final class ImageBindImuEncoder implements SegmentingEncoder<ImuTrace> {
  private final TowerSpec spec;
  private final OnnxModel model;
  private final ImuPreprocessor preprocessor;
  private final int batchSize;
  private final String input;

  /** ImageBind's 6 x 2000 windows, 32 windows per model call. */
  public ImageBindImuEncoder(TowerSpec spec, OnnxModel model) {
    this(spec, model, ImuPreprocessor.imageBind(), 32);
  }

  /**
   * @throws IllegalArgumentException if the model's signature does not fit, saying what it has
   */
  public ImageBindImuEncoder(
      TowerSpec spec, OnnxModel model, ImuPreprocessor preprocessor, int batchSize) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.model = Objects.requireNonNull(model, "model");
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    this.input = spec.input("imu");
    model.requireInput(
        input, OnnxJavaType.FLOAT, -1, ImuTrace.CHANNELS, preprocessor.windowSamples());
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

  public ImuPreprocessor preprocessor() {
    return preprocessor;
  }

  @Override
  public Modality modality() {
    return Modality.IMU;
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
  public List<float[]> encodeBatch(List<ImuTrace> inputs) {
    List<FloatTensor> rows = new ArrayList<>(inputs.size());
    for (ImuTrace t : inputs) {
      rows.add(preprocessor.apply(t));
    }
    return run(rows);
  }

  @Override
  public List<TimedEmbedding> encodeSegments(ImuTrace trace) {
    List<ImuPreprocessor.Window> windows = preprocessor.windows(trace);
    List<float[]> vectors = run(windows.stream().map(ImuPreprocessor.Window::tensor).toList());
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
  }

  private List<float[]> run(List<FloatTensor> rows) {
    List<float[]> vectors = model.embedRows(input, spec.output(), dimension(), rows, batchSize);
    if (spec.normalize()) {
      vectors.forEach(EmbeddingMath::l2Normalize);
    }
    return vectors;
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "ImageBindImuEncoder[" + spec.space() + ", " + model.source() + "]";
  }
}
