package dev.bindery.generator.grounding;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/**
 * A box an answer drew on an image, in normalized coordinates: (0,0) is the top-left corner and
 * (1,1) the bottom-right, whatever the image's size.
 *
 * @param target what the box is on
 * @param itemId the item whose image the box is on, when {@code target} is {@link Target#ITEM}
 * @param label the {@code <ref>} phrase before the box, or null
 * @param x1 left, in [0,1]
 * @param y1 top, in [0,1]
 * @param x2 right, in [0,1], > x1
 * @param y2 bottom, in [0,1], > y1
 * @param clamped true when a coordinate was outside [0,1000] and was clamped, or corners swapped
 * @param start offset of the box (or its {@code <ref>}) in the answer text
 * @param end offset after the box in the answer text
 */
public record Region(
    Target target,
    String itemId,
    String label,
    double x1,
    double y1,
    double x2,
    double y2,
    boolean clamped,
    int start,
    int end) {

  /** What a box is drawn on. */
  public enum Target {
    /** A retrieved item: the nearest cited id before the box. */
    ITEM,
    /** The user's own image (no citation came before the box, and the question had an image). */
    QUESTION_IMAGE,
    /** Nothing: no citation before the box and no question image. */
    UNATTACHED;

    /** The lower-case name used in JSON. */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Region {
    Objects.requireNonNull(target, "target");
    if ((target == Target.ITEM) != (itemId != null)) {
      throw new IllegalArgumentException(
          "a region has an item id exactly when its target is ITEM: " + target + ", " + itemId);
    }
    check("x1", x1);
    check("y1", y1);
    check("x2", x2);
    check("y2", y2);
    if (!(x2 > x1 && y2 > y1)) {
      throw new IllegalArgumentException(
          "region must have positive area: (" + x1 + "," + y1 + "),(" + x2 + "," + y2 + ")");
    }
  }

  private static void check(String what, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(what + " must be in [0,1], got " + v);
    }
  }
}
