package dev.bindery.encoders.pkg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The ways model repositories are laid out when published (on the Hugging Face Hub or elsewhere)
 * that {@link ModelPackage#open} reads: from a repository's file list, which layout it is and which
 * of its files a download needs. Detection follows the order {@link ClipExportLayouts#detect} and
 * {@link ModelPackage#readManifest} use, so what is downloaded is what opens.
 */
public enum PublishedLayout {
  /** A Bindery package: {@code bindery-model.json} and the files it names. */
  BINDERY("bindery"),
  /** Hugging Face / Optimum split exports at the top: {@code text_model.onnx}, ... */
  HUGGING_FACE("hugging-face"),
  /**
   * transformers.js: {@code onnx/text_model.onnx}, {@code onnx/vision_model.onnx} (+ quantized).
   */
  TRANSFORMERS_JS("transformers.js"),
  /** immich: {@code config.json}, {@code textual/model.onnx}, {@code visual/model.onnx}. */
  IMMICH("immich"),
  /** open_clip: {@code open_clip_config.json}, {@code text.onnx}, {@code visual.onnx}. */
  OPEN_CLIP("open_clip");

  /** What each layout needs, for messages about repositories Bindery cannot read. */
  public static final String NEEDED =
      "bindery-model.json (Bindery package); text_model.onnx and/or vision_model.onnx with"
          + " tokenizer.json / preprocessor_config.json (Hugging Face); onnx/text_model.onnx and/or"
          + " onnx/vision_model.onnx (or *_quantized.onnx) with tokenizer.json /"
          + " preprocessor_config.json (transformers.js); config.json with textual/model.onnx +"
          + " textual/tokenizer.json and/or visual/model.onnx + visual/preprocess_cfg.json (immich);"
          + " open_clip_config.json with text.onnx + tokenizer.json and/or visual.onnx (open_clip)";

  private final String wireName;

  PublishedLayout(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in the catalog, in {@code bindery-pull.json} and on the command line. */
  public String wireName() {
    return wireName;
  }

  /**
   * The layout of this name.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static PublishedLayout fromName(String name) {
    for (PublishedLayout l : values()) {
      if (l.wireName.equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "unknown layout '"
            + name
            + "'; one of "
            + Arrays.stream(values()).map(PublishedLayout::wireName).toList());
  }

  /** The layout a repository's files (paths relative to its root, '/'-separated) are in. */
  public static Optional<PublishedLayout> detect(Collection<String> paths) {
    Set<String> p = Set.copyOf(paths);
    if (p.contains(ModelManifest.FILE_NAME)) {
      return Optional.of(BINDERY);
    }
    if (p.contains(ClipExportLayouts.HF_TEXT) || p.contains(ClipExportLayouts.HF_VISION)) {
      return Optional.of(HUGGING_FACE);
    }
    if (p.contains(ClipExportLayouts.JS_TEXT)
        || p.contains(ClipExportLayouts.JS_VISION)
        || p.contains(ClipExportLayouts.JS_TEXT_QUANTIZED)
        || p.contains(ClipExportLayouts.JS_VISION_QUANTIZED)) {
      return Optional.of(TRANSFORMERS_JS);
    }
    if (p.contains(ClipExportLayouts.IMMICH_TEXT) || p.contains(ClipExportLayouts.IMMICH_VISION)) {
      return Optional.of(IMMICH);
    }
    if (p.contains(ClipExportLayouts.OPEN_CLIP_CONFIG)) {
      return Optional.of(OPEN_CLIP);
    }
    return Optional.empty();
  }

  /**
   * The files of a repository in this layout that a download needs, sorted.
   *
   * @param what names the repository in messages
   * @param paths the repository's files
   * @param quantized pick the quantized variant (transformers.js only)
   * @throws IllegalArgumentException naming the files found and those missing, or when {@code
   *     quantized} is asked of a layout or repository without a quantized variant
   */
  public List<String> select(String what, Collection<String> paths, boolean quantized) {
    Set<String> p = new TreeSet<>(paths);
    if (quantized && this != TRANSFORMERS_JS) {
      throw new IllegalArgumentException(
          what
              + " is in the "
              + wireName
              + " layout, which publishes no quantized ONNX variant (only transformers.js"
              + " repositories have onnx/*_quantized.onnx); pull it without --quantized");
    }
    List<String> out = new ArrayList<>();
    switch (this) {
      case BINDERY -> {
        // The manifest may name any file; everything but documentation and git metadata.
        for (String f : p) {
          String lower = f.toLowerCase(Locale.ROOT);
          if (!lower.endsWith(".md") && !lower.startsWith(".git") && !lower.contains("/.git")) {
            out.add(f);
          }
        }
      }
      case HUGGING_FACE ->
          huggingFace(what, p, ClipExportLayouts.HF_TEXT, ClipExportLayouts.HF_VISION, out);
      case TRANSFORMERS_JS -> {
        String text = quantized ? ClipExportLayouts.JS_TEXT_QUANTIZED : ClipExportLayouts.JS_TEXT;
        String vision =
            quantized ? ClipExportLayouts.JS_VISION_QUANTIZED : ClipExportLayouts.JS_VISION;
        if (!p.contains(text) && !p.contains(vision)) {
          throw new IllegalArgumentException(
              what
                  + " (transformers.js layout) has neither "
                  + text
                  + " nor "
                  + vision
                  + (quantized ? "; pull it without --quantized" : "; try --quantized")
                  + ". Its ONNX files: "
                  + onnxFiles(p));
        }
        huggingFace(what, p, text, vision, out);
        optional(p, "tokenizer_config.json", out);
      }
      case IMMICH -> {
        require(what, p, ClipExportLayouts.IMMICH_CONFIG, "the immich layout", out);
        if (p.contains(ClipExportLayouts.IMMICH_TEXT)) {
          out.add(ClipExportLayouts.IMMICH_TEXT);
          externalData(p, ClipExportLayouts.IMMICH_TEXT, out);
          require(what, p, ClipExportLayouts.IMMICH_TOKENIZER, ClipExportLayouts.IMMICH_TEXT, out);
          optional(p, ClipExportLayouts.IMMICH_TOKENIZER_CONFIG, out);
        }
        if (p.contains(ClipExportLayouts.IMMICH_VISION)) {
          out.add(ClipExportLayouts.IMMICH_VISION);
          externalData(p, ClipExportLayouts.IMMICH_VISION, out);
          require(
              what, p, ClipExportLayouts.IMMICH_PREPROCESS, ClipExportLayouts.IMMICH_VISION, out);
        }
      }
      case OPEN_CLIP -> {
        out.add(ClipExportLayouts.OPEN_CLIP_CONFIG);
        boolean any = false;
        if (p.contains(ClipExportLayouts.OPEN_CLIP_TEXT)) {
          any = true;
          out.add(ClipExportLayouts.OPEN_CLIP_TEXT);
          externalData(p, ClipExportLayouts.OPEN_CLIP_TEXT, out);
          require(what, p, ClipExportLayouts.TOKENIZER, ClipExportLayouts.OPEN_CLIP_TEXT, out);
        }
        if (p.contains(ClipExportLayouts.OPEN_CLIP_VISION)) {
          any = true;
          out.add(ClipExportLayouts.OPEN_CLIP_VISION);
          externalData(p, ClipExportLayouts.OPEN_CLIP_VISION, out);
        }
        if (!any) {
          throw new IllegalArgumentException(
              what
                  + " has "
                  + ClipExportLayouts.OPEN_CLIP_CONFIG
                  + " but neither "
                  + ClipExportLayouts.OPEN_CLIP_TEXT
                  + " nor "
                  + ClipExportLayouts.OPEN_CLIP_VISION
                  + ". Found: "
                  + excerpt(p));
        }
      }
      default -> throw new IllegalStateException("unreachable layout " + this);
    }
    return out.stream().distinct().sorted().toList();
  }

  private static void huggingFace(
      String what, Set<String> p, String text, String vision, List<String> out) {
    if (p.contains(text)) {
      out.add(text);
      externalData(p, text, out);
      require(what, p, ClipExportLayouts.TOKENIZER, text, out);
    }
    if (p.contains(vision)) {
      out.add(vision);
      externalData(p, vision, out);
      require(what, p, ClipExportLayouts.HF_PREPROCESSOR, vision, out);
    }
    optional(p, ClipExportLayouts.HF_CONFIG, out);
  }

  private static void require(
      String what, Set<String> p, String file, String neededBy, List<String> out) {
    if (!p.contains(file)) {
      throw new IllegalArgumentException(
          what
              + " has "
              + neededBy
              + " but not "
              + file
              + ", which it needs. Found: "
              + excerpt(p));
    }
    out.add(file);
  }

  private static void optional(Set<String> p, String file, List<String> out) {
    if (p.contains(file)) {
      out.add(file);
    }
  }

  // Models over 2 GB keep their weights beside the graph (ONNX external data).
  private static void externalData(Set<String> p, String onnx, List<String> out) {
    for (String suffix : List.of("_data", ".data")) {
      optional(p, onnx + suffix, out);
    }
    String base = onnx.substring(0, onnx.length() - ".onnx".length());
    optional(p, base + ".onnx_data", out);
  }

  private static List<String> onnxFiles(Set<String> p) {
    return p.stream().filter(f -> f.endsWith(".onnx")).toList();
  }

  /** The first files of a listing, for messages (a repository can hold thousands). */
  public static String excerpt(Collection<String> paths) {
    List<String> sorted = new TreeSet<>(paths).stream().toList();
    int shown = Math.min(25, sorted.size());
    String list = sorted.subList(0, shown).stream().collect(Collectors.joining(", ", "[", ""));
    return list + (sorted.size() > shown ? ", ... " + (sorted.size() - shown) + " more]" : "]");
  }
}
