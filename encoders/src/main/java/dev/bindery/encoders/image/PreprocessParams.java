package dev.bindery.encoders.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a tower's {@code preprocess} object: typed values with defaults, each key possibly spelled
 * in Bindery's camelCase or Hugging Face's snake_case, and a rejection of unknown keys (a typo
 * would otherwise silently fall back to a default).
 */
final class PreprocessParams {
  private final JsonNode node;
  private final String where;

  /**
   * @param node the {@code preprocess} object (empty or null for all defaults)
   * @param where names the tower in messages, e.g. {@code clip-vision tower}
   * @param allowed every accepted key (all spellings)
   */
  PreprocessParams(JsonNode node, String where, Set<String> allowed) {
    this.where = Objects.requireNonNull(where, "where");
    this.node = node == null || node.isNull() ? null : node;
    if (this.node != null) {
      if (!this.node.isObject()) {
        throw new IllegalArgumentException(where + ": preprocess must be an object, got " + node);
      }
      Iterator<String> names = this.node.fieldNames();
      while (names.hasNext()) {
        String k = names.next();
        if (!allowed.contains(k)) {
          throw new IllegalArgumentException(
              where
                  + ": unknown preprocess key '"
                  + k
                  + "'; expected one of "
                  + new TreeSet<>(allowed));
        }
      }
    }
  }

  private JsonNode find(List<String> keys) {
    if (node == null) {
      return null;
    }
    for (String k : keys) {
      JsonNode v = node.get(k);
      if (v != null && !v.isNull()) {
        return v;
      }
    }
    return null;
  }

  /** The value under the first key present, or null. */
  JsonNode raw(List<String> keys) {
    return find(keys);
  }

  /**
   * A height and width: an int n gives {@code {n, n}}; {@code [h, w]}, {@code {"height": h,
   * "width": w}} give {@code {h, w}}.
   */
  int[] heightWidth(List<String> keys, int fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return new int[] {fallback, fallback};
    }
    if (v.isArray() && v.size() == 2) {
      return new int[] {requireInt(keys.get(0), v.get(0)), requireInt(keys.get(0), v.get(1))};
    }
    if (v.isObject() && v.has("height") && v.has("width")) {
      return new int[] {
        requireInt(keys.get(0), v.get("height")), requireInt(keys.get(0), v.get("width"))
      };
    }
    if (v.isObject()) {
      throw new IllegalArgumentException(
          where
              + ": preprocess."
              + keys.get(0)
              + " must be an int, [height, width] or {\"height\", \"width\"}, got "
              + v);
    }
    int n = requireInt(keys.get(0), v);
    return new int[] {n, n};
  }

  String text(List<String> keys, String fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(
          where + ": preprocess." + keys.get(0) + " must be a string, got " + v);
    }
    return v.asText();
  }

  boolean has(List<String> keys) {
    return find(keys) != null;
  }

  /**
   * An int; an object such as {@code {"shortest_edge": 224}} or {@code {"height": h, "width": w}}
   * with equal sides is accepted too.
   */
  int intValue(List<String> keys, int fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return fallback;
    }
    if (v.isObject()) {
      JsonNode edge = v.get("shortest_edge");
      if (edge != null) {
        return requireInt(keys.get(0), edge);
      }
      JsonNode h = v.get("height");
      JsonNode w = v.get("width");
      if (h != null && w != null && requireInt(keys.get(0), h) == requireInt(keys.get(0), w)) {
        return h.asInt();
      }
      throw new IllegalArgumentException(
          where
              + ": preprocess."
              + keys.get(0)
              + " must be an int, {\"shortest_edge\": n} or a square {\"height\", \"width\"}, got "
              + v);
    }
    return requireInt(keys.get(0), v);
  }

  private int requireInt(String key, JsonNode v) {
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(
          where + ": preprocess." + key + " must be an integer, got " + v);
    }
    return v.asInt();
  }

  double doubleValue(List<String> keys, double fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return fallback;
    }
    if (v.isArray() && v.size() == 1) {
      v = v.get(0);
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(
          where + ": preprocess." + keys.get(0) + " must be a number, got " + v);
    }
    return v.asDouble();
  }

  /** Whether the value was given; for required parameters. */
  double requiredDouble(List<String> keys, String why) {
    if (!has(keys)) {
      throw new IllegalArgumentException(
          where + ": preprocess." + keys.get(0) + " is required (" + why + ")");
    }
    return doubleValue(keys, Double.NaN);
  }

  double[] doubles(List<String> keys, int length, double[] fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return fallback.clone();
    }
    if (!v.isArray() || v.size() != length) {
      throw new IllegalArgumentException(
          where
              + ": preprocess."
              + keys.get(0)
              + " must be an array of "
              + length
              + " numbers, got "
              + v);
    }
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      if (!v.get(i).isNumber()) {
        throw new IllegalArgumentException(
            where
                + ": preprocess."
                + keys.get(0)
                + "["
                + i
                + "] must be a number, got "
                + v.get(i));
      }
      out[i] = v.get(i).asDouble();
    }
    return out;
  }

  boolean bool(List<String> keys, boolean fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(
          where + ": preprocess." + keys.get(0) + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  ResampleFilter filter(List<String> keys, ResampleFilter fallback) {
    JsonNode v = find(keys);
    if (v == null) {
      return fallback;
    }
    try {
      return ResampleFilter.fromName(v.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": preprocess." + keys.get(0) + ": " + e.getMessage(), e);
    }
  }
}
