package dev.bindery.generator.grounding;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads grounding boxes from generated text, as Kosmos-2 / Qwen-VL style models write them:
 *
 * <ul>
 *   <li>{@code <ref>a red kite</ref><box>(120,40),(560,610)</box>} (Qwen-VL; the {@code <ref>} is
 *       optional), and Qwen2-VL's {@code <|object_ref_start|>...<|object_ref_end|>
 *       <|box_start|>(x1,y1),(x2,y2)<|box_end|>};
 *   <li>coordinates are integers (decimals accepted) on a 0..1000 grid over the image's width and
 *       height, top-left origin; they become {@code value / 1000}.
 * </ul>
 *
 * <p>Validation: a coordinate outside [0,1000] is clamped into it and swapped corners are put in
 * order (both set {@link Region#clamped()}); a box with no area after that, one whose content is
 * not two {@code (x,y)} pairs, and an opening tag that is never closed are reported as {@link
 * MalformedBox}es, never thrown.
 *
 * <p>Attachment: a box belongs to the item of the nearest citation marker that ends before it (the
 * last id of that marker); without one it is on the question image if there is one, else
 * unattached. Immutable.
 */
public final class BoxParser {
  /** The grid size models draw on. */
  public static final double GRID = 1000.0;

  private static final String NUM = "\\s*(-?\\d+(?:\\.\\d+)?)\\s*";
  private static final Pattern PAIRS =
      Pattern.compile(
          "\\s*\\(" + NUM + "," + NUM + "\\)\\s*,?\\s*\\(" + NUM + "," + NUM + "\\)\\s*");
  private static final Pattern BOX =
      Pattern.compile(
          "(?:<ref>(.*?)</ref>\\s*)?<box>(.*?)</box>"
              + "|(?:<\\|object_ref_start\\|>(.*?)<\\|object_ref_end\\|>\\s*)?"
              + "<\\|box_start\\|>(.*?)<\\|box_end\\|>",
          Pattern.DOTALL);
  private static final Pattern OPENING = Pattern.compile("<box>|<\\|box_start\\|>");

  /** Regions and malformed boxes of one text. */
  public record Result(List<Region> regions, List<MalformedBox> malformed) {
    public Result {
      regions = List.copyOf(regions);
      malformed = List.copyOf(malformed);
    }
  }

  /**
   * @param text the answer
   * @param citations the answer's citations (for attachment)
   * @param questionHasImage whether an unattached box is on the question's image
   */
  public Result parse(String text, Citations citations, boolean questionHasImage) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(citations, "citations");
    List<Region> regions = new ArrayList<>();
    List<MalformedBox> malformed = new ArrayList<>();
    List<int[]> matched = new ArrayList<>();
    Matcher m = BOX.matcher(text);
    while (m.find()) {
      matched.add(new int[] {m.start(), m.end()});
      boolean qwen2 = m.group(4) != null;
      String label = qwen2 ? m.group(3) : m.group(1);
      String content = qwen2 ? m.group(4) : m.group(2);
      label = label == null || label.isBlank() ? null : label.strip();
      Matcher p = PAIRS.matcher(content);
      if (!p.matches()) {
        malformed.add(
            new MalformedBox(
                cut(m.group()), "expected (x1,y1),(x2,y2), got '" + cut(content) + "'", m.start()));
        continue;
      }
      double[] c = new double[4];
      boolean clamped = false;
      for (int i = 0; i < 4; i++) {
        double v = Double.parseDouble(p.group(i + 1));
        if (v < 0 || v > GRID) {
          clamped = true;
          v = Math.max(0, Math.min(GRID, v));
        }
        c[i] = v / GRID;
      }
      if (c[0] > c[2] || c[1] > c[3]) {
        clamped = true;
      }
      double x1 = Math.min(c[0], c[2]);
      double x2 = Math.max(c[0], c[2]);
      double y1 = Math.min(c[1], c[3]);
      double y2 = Math.max(c[1], c[3]);
      if (!(x2 > x1 && y2 > y1)) {
        malformed.add(new MalformedBox(cut(m.group()), "the box has no area", m.start()));
        continue;
      }
      String item = itemBefore(citations, m.start());
      Region.Target target =
          item != null
              ? Region.Target.ITEM
              : questionHasImage ? Region.Target.QUESTION_IMAGE : Region.Target.UNATTACHED;
      regions.add(new Region(target, item, label, x1, y1, x2, y2, clamped, m.start(), m.end()));
    }
    Matcher open = OPENING.matcher(text);
    while (open.find()) {
      int at = open.start();
      if (matched.stream().noneMatch(r -> at >= r[0] && at < r[1])) {
        malformed.add(new MalformedBox(cut(text.substring(at)), "the box is never closed", at));
      }
    }
    malformed.sort(java.util.Comparator.comparingInt(MalformedBox::start));
    return new Result(regions, malformed);
  }

  private static String itemBefore(Citations citations, int offset) {
    String id = null;
    for (Citations.Marker mk : citations.markers()) {
      if (mk.end() <= offset) {
        id = mk.ids().get(mk.ids().size() - 1);
      }
    }
    return id;
  }

  private static String cut(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
