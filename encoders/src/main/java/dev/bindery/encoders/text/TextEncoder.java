package dev.bindery.encoders.text;

import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.onnx.OnnxTower;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A transformer text tower: tokenize and pad ({@link #preprocess}) -> run the ONNX model ({@link
 * #run}) -> pool and L2-normalize ({@link #postprocess}). One class serves the {@code
 * sentence-transformer}, {@code clip-text} and {@code imagebind-text} formats; {@link
 * TextTowerFactory} checks the model against the format and fills in {@link Settings}. Batches are
 * padded to their longest text (or to the model's fixed length), so a text embeds the same alone
 * and in a batch. Batching, the closed guard and normalization are {@link OnnxTower}'s.
 * Thread-safe; {@link #close()} frees the session and the tokenizer.
 */
public final class TextEncoder extends OnnxTower<String> {
  /**
   * What the factory decided about a tower.
   *
   * @param format the manifest format
   * @param space embedding space id
   * @param dimension embedding dimension
   * @param inputIds model input for token ids
   * @param attentionMask model input for the attention mask, or null when the model has none
   * @param typeIds model input for token type ids, or null when the model has none
   * @param output model output to pool
   * @param pooling how to pool it
   * @param normalize L2-normalize the pooled vector
   * @param fixedLength pad every batch to this length (a model with a static sequence axis), or 0
   * @param padId token id at padded positions
   * @param maxBatch texts per model call; longer lists are split
   */
  record Settings(
      String format,
      String space,
      int dimension,
      String inputIds,
      String attentionMask,
      String typeIds,
      String output,
      Pooling pooling,
      boolean normalize,
      int fixedLength,
      long padId,
      int maxBatch) {
    Settings {
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(inputIds, "inputIds");
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(pooling, "pooling");
      if (maxBatch < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + maxBatch);
      }
    }
  }

  private final Settings settings;
  private final OnnxModel model;
  private final TextTokenizer tokenizer;

  TextEncoder(Settings settings, OnnxModel model, TextTokenizer tokenizer) {
    super(
        new OnnxTower.Settings(
            settings.format(),
            Modality.TEXT,
            settings.space(),
            settings.dimension(),
            settings.normalize(),
            settings.maxBatch()),
        model);
    this.settings = settings;
    this.model = model;
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
  }

  /** The manifest format this tower was built for. */
  public String format() {
    return settings.format();
  }

  /** How the model output is pooled. */
  public Pooling pooling() {
    return settings.pooling();
  }

  @Override
  protected String inputNoun() {
    return "text";
  }

  /** Tokenizes and pads one chunk to its longest text, runs the model, pools and normalizes. */
  @Override
  protected List<float[]> encodeChunk(List<String> texts) {
    TokenBatch batch = tokenize(texts);
    return postprocess(runModel(batch), batch);
  }

  /**
   * Embeds pre-tokenized input (for parity tests and callers with their own tokenization); the
   * batch must already be padded as the model expects.
   */
  public List<float[]> encodeTokens(TokenBatch batch) {
    Objects.requireNonNull(batch, "batch");
    return guarded(() -> postprocess(runModel(batch), batch));
  }

  /** Tokenizes and pads texts (pure apart from the tokenizer; no model call). */
  public TokenBatch preprocess(List<String> texts) {
    return guarded(() -> tokenize(texts));
  }

  private TokenBatch tokenize(List<String> texts) {
    return tokenizer.tokenize(texts, settings.padId(), settings.fixedLength());
  }

  /** Runs the model and returns the output named in the manifest. */
  public FloatTensor run(TokenBatch batch) {
    Objects.requireNonNull(batch, "batch");
    return guarded(() -> runModel(batch));
  }

  private FloatTensor runModel(TokenBatch batch) {
    Map<String, Object> feeds = new LinkedHashMap<>();
    feeds.put(settings.inputIds(), batch.inputIds());
    if (settings.attentionMask() != null) {
      feeds.put(settings.attentionMask(), batch.attentionMask());
    }
    if (settings.typeIds() != null) {
      feeds.put(settings.typeIds(), batch.typeIds());
    }
    return model.run(feeds, List.of(settings.output())).get(settings.output());
  }

  /** Pools (and normalizes) a model output into one vector per text. */
  public List<float[]> postprocess(FloatTensor output, TokenBatch batch) {
    float[][] pooled = settings.pooling().pool(output, batch);
    List<float[]> out = new ArrayList<>(pooled.length);
    for (float[] v : pooled) {
      if (v.length != settings.dimension()) {
        throw new IllegalStateException(
            "model "
                + model.source()
                + " produced "
                + v.length
                + "-d vectors, the package declares "
                + settings.dimension());
      }
      out.add(normalized(v));
    }
    return out;
  }

  /** Divides by the norm as sentence-transformers does (see {@link Pooling#normalize}). */
  @Override
  protected float[] l2Normalize(float[] v) {
    Pooling.normalize(v);
    return v;
  }

  @Override
  protected void closeResources() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "TextEncoder["
        + settings.format()
        + ", "
        + model.source()
        + ", space="
        + settings.space()
        + ", dim="
        + settings.dimension()
        + ", pooling="
        + settings.pooling().wireName()
        + "]";
  }
}
