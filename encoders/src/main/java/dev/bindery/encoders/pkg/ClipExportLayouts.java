package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Recognizes CLIP exports that come without a {@code bindery-model.json} and synthesizes the
 * manifest they imply: the file names of each layout, the order they are tried in, and the license
 * and version a {@code bindery models pull} record adds. Each layout is read by its own class:
 *
 * <ul>
 *   <li>Hugging Face / Optimum, and transformers.js one folder down: {@link HuggingFaceClipExport};
 *   <li>immich ({@code textual/}, {@code visual/}): {@link ImmichClipExport};
 *   <li>open_clip ({@code open_clip_config.json}): {@link OpenClipExport}.
 * </ul>
 *
 * The text tower gets format {@code clip-text}, the image tower {@code clip-vision}; both share one
 * space named after the package directory ({@link ClipTowers}).
 */
public final class ClipExportLayouts {
  static final String HF_TEXT = "text_model.onnx";
  static final String HF_VISION = "vision_model.onnx";
  static final String HF_PREPROCESSOR = "preprocessor_config.json";
  static final String HF_CONFIG = "config.json";
  static final String OPEN_CLIP_CONFIG = "open_clip_config.json";
  static final String OPEN_CLIP_TEXT = "text.onnx";
  static final String OPEN_CLIP_VISION = "visual.onnx";
  static final String TOKENIZER = "tokenizer.json";
  static final String JS_TEXT = "onnx/text_model.onnx";
  static final String JS_VISION = "onnx/vision_model.onnx";
  static final String JS_TEXT_QUANTIZED = "onnx/text_model_quantized.onnx";
  static final String JS_VISION_QUANTIZED = "onnx/vision_model_quantized.onnx";
  static final String IMMICH_CONFIG = "config.json";
  static final String IMMICH_TEXT = "textual/model.onnx";
  static final String IMMICH_VISION = "visual/model.onnx";
  static final String IMMICH_TOKENIZER = "textual/tokenizer.json";
  static final String IMMICH_TOKENIZER_CONFIG = "textual/tokenizer_config.json";
  static final String IMMICH_PREPROCESS = "visual/preprocess_cfg.json";
  // immich's exporters name the towers' single output "embedding" (already normalized).
  static final String IMMICH_OUTPUT = "embedding";

  /** Written by {@code bindery models pull}: where the files came from and their license. */
  static final String PULL_RECORD = "bindery-pull.json";

  private ClipExportLayouts() {}

  /**
   * The manifest a CLIP export implies, or empty when the files are not a known export layout.
   *
   * @throws IllegalArgumentException if the layout is recognized but its configuration is missing
   *     or wrong
   */
  public static Optional<ModelManifest> detect(PackageFiles files) {
    ModelManifest m;
    if (files.exists(HF_TEXT) || files.exists(HF_VISION)) {
      m = HuggingFaceClipExport.manifest(files, HF_TEXT, HF_VISION);
    } else if (files.exists(JS_TEXT) || files.exists(JS_VISION)) {
      // transformers.js: the same exports one folder down; fp32 wins over quantized when both.
      m = HuggingFaceClipExport.manifest(files, JS_TEXT, JS_VISION);
    } else if (files.exists(JS_TEXT_QUANTIZED) || files.exists(JS_VISION_QUANTIZED)) {
      m = HuggingFaceClipExport.manifest(files, JS_TEXT_QUANTIZED, JS_VISION_QUANTIZED);
    } else if (files.exists(IMMICH_TEXT) || files.exists(IMMICH_VISION)) {
      m = ImmichClipExport.manifest(files);
    } else if (files.exists(OPEN_CLIP_CONFIG)) {
      m = OpenClipExport.manifest(files);
    } else {
      return Optional.empty();
    }
    return Optional.of(withPullRecord(files, m));
  }

  // A pulled model keeps the license its catalog entry or repository states; an export on disk
  // says nothing about it.
  private static ModelManifest withPullRecord(PackageFiles files, ModelManifest m) {
    if (!files.exists(PULL_RECORD)) {
      return m;
    }
    JsonNode record = files.readJson(PULL_RECORD);
    String license = record.path("license").asText("");
    String version = record.path("commit").asText("");
    return new ModelManifest(
        m.name(),
        version.isEmpty() ? m.version() : version,
        license.isEmpty() ? m.license() : license,
        m.space(),
        m.dimension(),
        m.towers());
  }
}
