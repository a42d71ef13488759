package dev.bindery.encoders.imu;

import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Preprocessor;
import java.util.ArrayList;
import java.util.List;

/**
 * ImageBind's IMU input: [6, 2000] windows (10 s at 200 Hz), values as recorded (ImageBind
 * normalizes nothing outside its model). {@link #apply} takes the first window of a trace, zero-
 * padded at the end when the trace is shorter and cropped when longer; {@link #windows} cuts the
 * whole trace into consecutive windows for segments, the last one zero-padded and kept when it
 * holds at least {@code minLastSamples} samples (the first is always kept). Samples are taken as
 * they come, without resampling: a trace recorded at another rate covers a different span per
 * window. Immutable and thread-safe.
 *
 * @param windowSamples samples per window (2000)
 * @param minLastSamples shortest partial last window kept by {@link #windows} (500)
 */
public record ImuPreprocessor(int windowSamples, int minLastSamples)
    implements Preprocessor<ImuTrace> {
  public ImuPreprocessor {
    if (windowSamples < 1 || minLastSamples < 0) {
      throw new IllegalArgumentException(
          "IMU window must be >= 1 samples and min last >= 0, got "
              + windowSamples
              + ", "
              + minLastSamples);
    }
  }

  /** ImageBind's 2000-sample windows; partial tails kept from 500 samples. */
  public static ImuPreprocessor imageBind() {
    return new ImuPreprocessor(2000, 500);
  }

  /** One window with its position in the trace. */
  public record Window(int fromSample, int toSample, FloatTensor tensor) {}

  /** The first window, [6, windowSamples]. */
  @Override
  public FloatTensor apply(ImuTrace trace) {
    return window(trace, 0);
  }

  /** All windows of the trace, in order. */
  public List<Window> windows(ImuTrace trace) {
    List<Window> out = new ArrayList<>();
    int n = trace.length();
    for (int from = 0; from < n; from += windowSamples) {
      int to = Math.min(n, from + windowSamples);
      if (from > 0 && to - from < windowSamples && to - from < minLastSamples) {
        break;
      }
      out.add(new Window(from, to, window(trace, from)));
    }
    return out;
  }

  private FloatTensor window(ImuTrace trace, int from) {
    int w = windowSamples;
    float[] data = new float[ImuTrace.CHANNELS * w];
    int len = Math.max(0, Math.min(w, trace.length() - from));
    for (int c = 0; c < ImuTrace.CHANNELS; c++) {
      System.arraycopy(trace.channels()[c], from, data, c * w, len);
    }
    return FloatTensor.of(data, ImuTrace.CHANNELS, w);
  }
}
