package dev.bindery.encoders;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of input Bindery can embed. */
public enum Modality {
  TEXT,
  IMAGE,
  AUDIO,
  VIDEO,
  /** Depth maps (ImageBind feeds them as disparity images). */
  DEPTH,
  /** Thermal images (one channel). */
  THERMAL,
  /** Inertial traces: 3-axis accelerometer plus 3-axis gyroscope. */
  IMU;

  /** Lower-case name used in manifests, JSON and the CLI. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name, rejecting unknown ones with the list of valid names. */
  public static Modality fromName(String name) {
    String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
    for (Modality m : values()) {
      if (m.name().equals(n)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown modality '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(Modality::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName();
  }
}
