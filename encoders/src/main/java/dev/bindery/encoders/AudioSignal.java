package dev.bindery.encoders;

import java.util.Objects;

/**
 * Decoded mono audio as float samples in [-1, 1].
 *
 * @param samples the samples
 * @param sampleRate samples per second
 */
public record AudioSignal(float[] samples, int sampleRate) {
  public AudioSignal {
    Objects.requireNonNull(samples, "samples");
    if (sampleRate < 1) {
      throw new IllegalArgumentException("sample rate must be >= 1, got " + sampleRate);
    }
  }

  /** Length in seconds. */
  public double durationSeconds() {
    return samples.length / (double) sampleRate;
  }

  @Override
  public String toString() {
    return "AudioSignal[" + samples.length + " samples @ " + sampleRate + " Hz]";
  }
}
