package dev.bindery.encoders.imu;

import java.util.Objects;

/**
 * A decoded inertial trace: 6 channels (accelerometer x, y, z, then gyroscope x, y, z, ImageBind's
 * order) of equal length.
 *
 * @param channels [6][samples]
 * @param sampleRateHz samples per second (used for segment times)
 */
public record ImuTrace(float[][] channels, double sampleRateHz) {
  /** Channels of a trace. */
  public static final int CHANNELS = 6;

  public ImuTrace {
    Objects.requireNonNull(channels, "channels");
    if (channels.length != CHANNELS) {
      throw new IllegalArgumentException(
          "IMU trace needs "
              + CHANNELS
              + " channels (acc x,y,z, gyro x,y,z), got "
              + channels.length);
    }
    int n = channels[0].length;
    for (int c = 0; c < CHANNELS; c++) {
      if (channels[c].length != n) {
        throw new IllegalArgumentException(
            "IMU channels differ in length: channel 0 has "
                + n
                + ", channel "
                + c
                + " has "
                + channels[c].length);
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("IMU trace has no samples");
    }
    if (!(sampleRateHz > 0) || Double.isInfinite(sampleRateHz)) {
      throw new IllegalArgumentException(
          "IMU sample rate must be finite and > 0, got " + sampleRateHz);
    }
  }

  /** Samples per channel. */
  public int length() {
    return channels[0].length;
  }

  /** Length in seconds. */
  public double durationSeconds() {
    return length() / sampleRateHz;
  }

  @Override
  public String toString() {
    return "ImuTrace[6 x " + length() + " @ " + sampleRateHz + " Hz]";
  }
}
