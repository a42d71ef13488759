package dev.bindery.encoders.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.LongTensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One ONNX Runtime session with its declared inputs and outputs. Loading checks that the file is an
 * ONNX model; {@link #requireInput} and {@link #requireOutput} check names, element types and
 * shapes against what a manifest expects and say what the model actually has when they differ.
 * Thread-safe (ONNX Runtime sessions are); {@link #close()} frees the native session.
 */
public final class OnnxModel implements AutoCloseable {
  private final String source;
  private final OrtSession session;
  private final Map<String, TensorInfo> inputs;
  private final Map<String, TensorInfo> outputs;

  private OnnxModel(String source, OrtSession session) throws OrtException {
    this.source = source;
    this.session = session;
    this.inputs = tensorInfos(session.getInputInfo());
    this.outputs = tensorInfos(session.getOutputInfo());
  }

  /**
   * Loads a model file by path: ONNX Runtime maps and reads it natively, so the model never sits in
   * the Java heap (and external-data files next to it resolve).
   *
   * @param threads intra-op threads (0 lets ONNX Runtime choose)
   * @throws IllegalArgumentException if the file is missing, empty or not an ONNX model
   */
  public static OnnxModel load(Path file, int threads) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("ONNX model file " + file + " does not exist");
    }
    try {
      if (Files.size(file) == 0) {
        throw new IllegalArgumentException("ONNX model " + file + " is empty (0 bytes)");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read ONNX model " + file + ": " + e, e);
    }
    String path = file.toAbsolutePath().toString();
    return create(file.toString(), threads, (env, opts) -> env.createSession(path, opts));
  }

  /**
   * Loads a model from bytes; {@code source} names it in messages. For models that have no path of
   * their own (a resource inside a jar); files go through {@link #load(Path, int)}.
   */
  public static OnnxModel load(byte[] bytes, String source, int threads) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("ONNX model " + source + " is empty (0 bytes)");
    }
    return create(source, threads, (env, opts) -> env.createSession(bytes, opts));
  }

  private interface SessionFactory {
    OrtSession create(OrtEnvironment env, OrtSession.SessionOptions opts) throws OrtException;
  }

  private static OnnxModel create(String source, int threads, SessionFactory factory) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (threads > 0) {
        opts.setIntraOpNumThreads(threads);
        opts.setInterOpNumThreads(1);
      }
      OrtSession session = factory.create(env, opts);
      try {
        return new OnnxModel(source, session);
      } catch (OrtException | RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      throw new IllegalArgumentException(
          source + " is not a loadable ONNX model: " + e.getMessage(), e);
    }
  }

  private static Map<String, TensorInfo> tensorInfos(Map<String, NodeInfo> nodes) {
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    nodes.forEach(
        (name, node) -> {
          if (node.getInfo() instanceof TensorInfo ti) {
            out.put(name, ti);
          }
        });
    return out;
  }

  /** Where the model came from (a path or a resource name). */
  public String source() {
    return source;
  }

  /** Input names with element type and shape (-1 for a dynamic dimension). */
  public Map<String, String> describeInputs() {
    return describe(inputs);
  }

  /** Output names with element type and shape (-1 for a dynamic dimension). */
  public Map<String, String> describeOutputs() {
    return describe(outputs);
  }

  private static Map<String, String> describe(Map<String, TensorInfo> infos) {
    Map<String, String> m = new TreeMap<>();
    infos.forEach((k, v) -> m.put(k, v.type + Arrays.toString(v.getShape())));
    return m;
  }

  /** Shape of an input as the model declares it (-1 for dynamic dimensions). */
  public long[] inputShape(String name) {
    return info(inputs, "input", name).getShape();
  }

  /** Shape of an output as the model declares it (-1 for dynamic dimensions). */
  public long[] outputShape(String name) {
    return info(outputs, "output", name).getShape();
  }

  /** The element type of an input (fails like {@link #requireInput} when there is none). */
  public OnnxJavaType inputType(String name) {
    return info(inputs, "input", name).type;
  }

  public Set<String> inputNames() {
    return inputs.keySet();
  }

  public Set<String> outputNames() {
    return outputs.keySet();
  }

  /**
   * Checks that the model has an input of this name, element type and shape. In {@code shape}, -1
   * means "any"; a dynamic dimension in the model matches anything.
   */
  public void requireInput(String name, OnnxJavaType type, long... shape) {
    check(inputs, "input", name, type, shape);
  }

  /** Like {@link #requireInput} for outputs. */
  public void requireOutput(String name, OnnxJavaType type, long... shape) {
    check(outputs, "output", name, type, shape);
  }

  private void check(
      Map<String, TensorInfo> infos, String kind, String name, OnnxJavaType type, long[] shape) {
    TensorInfo ti = info(infos, kind, name);
    if (type != null && ti.type != type) {
      throw new IllegalArgumentException(
          "model "
              + source
              + ": "
              + kind
              + " '"
              + name
              + "' has element type "
              + ti.type
              + ", expected "
              + type);
    }
    if (shape != null && shape.length > 0) {
      long[] actual = ti.getShape();
      boolean ok = actual.length == shape.length;
      for (int i = 0; ok && i < shape.length; i++) {
        ok = shape[i] < 0 || actual[i] < 0 || shape[i] == actual[i];
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "model "
                + source
                + ": "
                + kind
                + " '"
                + name
                + "' has shape "
                + Arrays.toString(actual)
                + ", expected "
                + Arrays.toString(shape)
                + " (-1 = any)");
      }
    }
  }

  private TensorInfo info(Map<String, TensorInfo> infos, String kind, String name) {
    TensorInfo ti = infos.get(name);
    if (ti == null) {
      throw new IllegalArgumentException(
          "model "
              + source
              + " does not contain required "
              + kind
              + " '"
              + name
              + "'. Model contains: "
              + describe(infos));
    }
    return ti;
  }

  /**
   * Runs the model.
   *
   * @param feeds input name to {@link FloatTensor} or {@link LongTensor} (fed as int32 where the
   *     model's input is int32, as in immich's exports)
   * @param wanted output names to fetch
   * @return the requested float outputs, by name
   */
  public Map<String, FloatTensor> run(Map<String, ?> feeds, List<String> wanted) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<OnnxTensor> created = new ArrayList<>();
    try {
      Map<String, OnnxTensor> in = new LinkedHashMap<>();
      for (Map.Entry<String, ?> e : feeds.entrySet()) {
        info(inputs, "input", e.getKey());
        OnnxTensor t =
            switch (e.getValue()) {
              case FloatTensor f ->
                  OnnxTensor.createTensor(env, FloatBuffer.wrap(f.data()), f.shape());
              case LongTensor l when inputs.get(e.getKey()).type == OnnxJavaType.INT32 ->
                  OnnxTensor.createTensor(env, IntBuffer.wrap(toInts(e.getKey(), l)), l.shape());
              case LongTensor l ->
                  OnnxTensor.createTensor(env, LongBuffer.wrap(l.data()), l.shape());
              default ->
                  throw new IllegalArgumentException(
                      "input '" + e.getKey() + "' must be a FloatTensor or LongTensor");
            };
        created.add(t);
        in.put(e.getKey(), t);
      }
      wanted.forEach(w -> info(outputs, "output", w));
      try (OrtSession.Result result = session.run(in, Set.copyOf(wanted))) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (String w : wanted) {
          OnnxValue v =
              result
                  .get(w)
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "model " + source + " returned no '" + w + "'"));
          if (!(v instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException(
                "model " + source + ": output '" + w + "' is not a float tensor: " + v.getInfo());
          }
          FloatBuffer fb = t.getFloatBuffer();
          float[] data = new float[fb.remaining()];
          fb.get(data);
          out.put(w, new FloatTensor(t.getInfo().getShape(), data));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "model "
              + source
              + " failed on inputs "
              + feeds.entrySet().stream()
                  .map(e2 -> e2.getKey() + "=" + e2.getValue())
                  .collect(Collectors.joining(", "))
              + ": "
              + e.getMessage(),
          e);
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  // Token ids and masks fit in 32 bits; a value that does not is a caller bug worth naming.
  private int[] toInts(String input, LongTensor l) {
    long[] src = l.data();
    int[] out = new int[src.length];
    for (int i = 0; i < src.length; i++) {
      if (src[i] < Integer.MIN_VALUE || src[i] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "model " + source + ": int32 input '" + input + "' cannot hold " + src[i]);
      }
      out[i] = (int) src[i];
    }
    return out;
  }

  /**
   * Runs embedding rows through a model with one float input and one {@code [B, dimension]} output:
   * stacks the rows (tensors without the batch dimension, all of one shape) in chunks of at most
   * {@code batchSize}, checks each output and returns one vector per row, in order, not normalised.
   *
   * @throws IllegalArgumentException if {@code batchSize < 1} or the rows differ in shape
   * @throws IllegalStateException if the model's output is not {@code [chunk, dimension]}
   */
  public List<float[]> embedRows(
      String input, String output, int dimension, List<FloatTensor> rows, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    List<float[]> vectors = new ArrayList<>(rows.size());
    for (int from = 0; from < rows.size(); from += batchSize) {
      int n = Math.min(batchSize, rows.size() - from);
      FloatTensor batch = FloatTensor.stack(rows.subList(from, from + n));
      FloatTensor y = run(Map.of(input, batch), List.of(output)).get(output);
      long[] s = y.shape();
      if (s.length != 2 || s[0] != n || s[1] != dimension) {
        throw new IllegalStateException(
            "model "
                + source
                + ": output '"
                + output
                + "' has shape "
                + Arrays.toString(s)
                + " for a batch of "
                + n
                + ", expected ["
                + n
                + ", "
                + dimension
                + "]");
      }
      for (int i = 0; i < n; i++) {
        vectors.add(Arrays.copyOfRange(y.data(), i * dimension, (i + 1) * dimension));
      }
    }
    return vectors;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close ONNX session of " + source, e);
    }
  }

  @Override
  public String toString() {
    return "OnnxModel["
        + source
        + ", inputs="
        + describeInputs()
        + ", outputs="
        + describeOutputs()
        + "]";
  }
}
