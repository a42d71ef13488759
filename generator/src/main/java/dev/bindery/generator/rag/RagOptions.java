package dev.bindery.generator.rag;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the pipeline retrieves, assembles context and asks a model.
 *
 * @param contextTokens budget for the context text sent to a model, in approximate tokens (one
 *     token is counted as 4 characters, the usual ratio for English with BPE tokenizers; the real
 *     count depends on the model's tokenizer), >= 16
 * @param maxItemTokens the most approximate tokens of one item's block, so one long item cannot
 *     take the whole budget, >= 16
 * @param maxImages the most images sent to a model, the question's own image included, >= 0
 * @param imageMaxSide images are downscaled so their longer side is at most this many pixels (448
 *     is what LLaVA-1.5 and Qwen-VL class models read), 16..4096
 * @param imageEncoding how images are encoded for the model
 * @param questionTextWeight with a question image, the retrieval vector is the image's plus this
 *     weight times the question text's (0 = the image alone), finite, >= 0
 * @param hybrid whether a text question also runs a BM25 leg fused with the kNN leg (RRF)
 * @param answerTokens the most tokens a model may generate, >= 1
 * @param temperature sampling temperature for models, in [0, 2]
 * @param retPerMarker items retrieved for each {@code [RET]} marker, >= 1
 * @param groundingPrompt whether the system prompt tells the model how to draw boxes
 * @param sourceBaseDir where relative item sources (image paths) are resolved
 */
public record RagOptions(
    int contextTokens,
    int maxItemTokens,
    int maxImages,
    int imageMaxSide,
    ImageEncoding imageEncoding,
    double questionTextWeight,
    boolean hybrid,
    int answerTokens,
    double temperature,
    int retPerMarker,
    boolean groundingPrompt,
    Path sourceBaseDir) {

  public RagOptions {
    if (contextTokens < 16) {
      throw new IllegalArgumentException("contextTokens must be >= 16, got " + contextTokens);
    }
    if (maxItemTokens < 16) {
      throw new IllegalArgumentException("maxItemTokens must be >= 16, got " + maxItemTokens);
    }
    if (maxImages < 0) {
      throw new IllegalArgumentException("maxImages must be >= 0, got " + maxImages);
    }
    if (imageMaxSide < 16 || imageMaxSide > 4096) {
      throw new IllegalArgumentException("imageMaxSide must be in 16..4096, got " + imageMaxSide);
    }
    Objects.requireNonNull(imageEncoding, "imageEncoding");
    if (!(questionTextWeight >= 0) || Double.isInfinite(questionTextWeight)) {
      throw new IllegalArgumentException(
          "questionTextWeight must be finite and >= 0, got " + questionTextWeight);
    }
    if (answerTokens < 1) {
      throw new IllegalArgumentException("answerTokens must be >= 1, got " + answerTokens);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
    }
    if (retPerMarker < 1) {
      throw new IllegalArgumentException("retPerMarker must be >= 1, got " + retPerMarker);
    }
    Objects.requireNonNull(sourceBaseDir, "sourceBaseDir");
  }

  /**
   * 1,500 context tokens, 300 per item, 4 images at 448 px as PNG, question text weight 0.5 with an
   * image, hybrid text retrieval, 512 answer tokens at temperature 0.2, 3 items per [RET], box
   * instructions on, sources resolved against the working directory.
   */
  public static RagOptions defaults() {
    return new RagOptions(
        1_500, 300, 4, 448, ImageEncoding.PNG, 0.5, true, 512, 0.2, 3, true, Path.of(""));
  }

  public RagOptions withContextTokens(int tokens, int perItem) {
    return new RagOptions(
        tokens,
        perItem,
        maxImages,
        imageMaxSide,
        imageEncoding,
        questionTextWeight,
        hybrid,
        answerTokens,
        temperature,
        retPerMarker,
        groundingPrompt,
        sourceBaseDir);
  }

  public RagOptions withImages(int max, int maxSide, ImageEncoding encoding) {
    return new RagOptions(
        contextTokens,
        maxItemTokens,
        max,
        maxSide,
        encoding,
        questionTextWeight,
        hybrid,
        answerTokens,
        temperature,
        retPerMarker,
        groundingPrompt,
        sourceBaseDir);
  }

  public RagOptions withGeneration(int tokens, double temp) {
    return new RagOptions(
        contextTokens,
        maxItemTokens,
        maxImages,
        imageMaxSide,
        imageEncoding,
        questionTextWeight,
        hybrid,
        tokens,
        temp,
        retPerMarker,
        groundingPrompt,
        sourceBaseDir);
  }

  public RagOptions withRetrieval(double textWeight, boolean bm25, int perMarker) {
    return new RagOptions(
        contextTokens,
        maxItemTokens,
        maxImages,
        imageMaxSide,
        imageEncoding,
        textWeight,
        bm25,
        answerTokens,
        temperature,
        perMarker,
        groundingPrompt,
        sourceBaseDir);
  }

  public RagOptions withSourceBaseDir(Path dir) {
    return new RagOptions(
        contextTokens,
        maxItemTokens,
        maxImages,
        imageMaxSide,
        imageEncoding,
        questionTextWeight,
        hybrid,
        answerTokens,
        temperature,
        retPerMarker,
        groundingPrompt,
        dir);
  }
}
