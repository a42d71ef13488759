package dev.bindery.encoders.image;

import ai.onnxruntime.OnnxJavaType;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The model half of an image-like tower: checks the ONNX signature against the spec once, then
 * stacks preprocessed {@code [C, H, W]} tensors into {@code [B, C, H, W]}, runs the model, checks
 * its {@code [B, D]} output and L2-normalises each row when the spec asks. Thread-safe; owns the
 * model.
 */
final class PixelTower implements AutoCloseable {
  /**
   * The logical input role every image-like tower feeds; map it in the manifest's {@code inputs}.
   */
  static final String ROLE = "pixel_values";

  private final TowerSpec spec;
  private final OnnxModel model;
  private final String input;
  private final long[] itemShape;

  /**
   * @param modalities the modalities this format may serve
   * @param itemShape the preprocessed item shape {@code [C, H, W]}
   */
  PixelTower(TowerSpec spec, OnnxModel model, Set<Modality> modalities, long[] itemShape) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.model = Objects.requireNonNull(model, "model");
    this.itemShape = itemShape.clone();
    String where = spec.format() + " tower (" + spec.modality() + ")";
    if (!modalities.contains(spec.modality())) {
      throw new IllegalArgumentException(
          where
              + ": format "
              + spec.format()
              + " reads "
              + modalities
              + ", not "
              + spec.modality());
    }
    if (!spec.pooling().equals("none")) {
      throw new IllegalArgumentException(
          where
              + ": pooling must be 'none' (the model outputs one embedding per input), got '"
              + spec.pooling()
              + "'");
    }
    this.input = spec.input(ROLE);
    if (!model.inputNames().equals(Set.of(input))) {
      model.requireInput(input, OnnxJavaType.FLOAT);
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + ": "
              + where
              + " feeds only '"
              + input
              + "', but the model has inputs "
              + model.describeInputs());
    }
    long[] full = new long[itemShape.length + 1];
    full[0] = -1;
    System.arraycopy(itemShape, 0, full, 1, itemShape.length);
    model.requireInput(input, OnnxJavaType.FLOAT, full);
    model.requireOutput(spec.output(), OnnxJavaType.FLOAT, -1, spec.dimension());
  }

  TowerSpec spec() {
    return spec;
  }

  List<float[]> run(List<FloatTensor> items) {
    if (items.isEmpty()) {
      return List.of();
    }
    for (FloatTensor t : items) {
      if (!Arrays.equals(t.shape(), itemShape)) {
        throw new IllegalArgumentException(
            spec.format()
                + " tower: preprocessed input has shape "
                + Arrays.toString(t.shape())
                + ", the model takes "
                + Arrays.toString(itemShape));
      }
    }
    FloatTensor batch = FloatTensor.stack(items);
    FloatTensor out = model.run(Map.of(input, batch), List.of(spec.output())).get(spec.output());
    long[] s = out.shape();
    if (s.length != 2 || s[0] != items.size() || s[1] != spec.dimension()) {
      throw new IllegalStateException(
          "model "
              + model.source()
              + ": output '"
              + spec.output()
              + "' has shape "
              + Arrays.toString(s)
              + " for a batch of "
              + items.size()
              + ", expected ["
              + items.size()
              + ", "
              + spec.dimension()
              + "]");
    }
    int d = spec.dimension();
    List<float[]> vectors = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      float[] v = Arrays.copyOfRange(out.data(), i * d, (i + 1) * d);
      if (spec.normalize()) {
        l2Normalize(v);
      }
      vectors.add(v);
    }
    return vectors;
  }

  private static void l2Normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum > 0) {
      float inv = (float) (1.0 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return spec.format()
        + "["
        + model.source()
        + ", "
        + input
        + " "
        + Arrays.toString(itemShape)
        + " -> "
        + spec.output()
        + " ["
        + spec.dimension()
        + "], space="
        + spec.space()
        + "]";
  }
}
