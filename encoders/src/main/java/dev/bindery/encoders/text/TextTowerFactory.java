package dev.bindery.encoders.text;

import ai.onnxruntime.OnnxJavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerFactory;
import dev.bindery.encoders.pkg.TowerFormat;
import dev.bindery.encoders.pkg.TowerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds {@link TextEncoder}s for three formats and checks each model's signature at load:
 *
 * <ul>
 *   <li>{@code sentence-transformer} (BERT family): inputs {@code input_ids}, {@code
 *       attention_mask} and, if the model has it, {@code token_type_ids}, all int64 [B, T]; output
 *       {@code last_hidden_state} float [B, T, H] pooled {@code mean} (or {@code cls}).
 *   <li>{@code clip-text} (Hugging Face / Optimum {@code text_model.onnx}, open_clip {@code
 *       text.onnx}): input {@code input_ids} int64 [B, T] (plus {@code attention_mask} if the model
 *       has it; a static T is padded to); output [B, D] with pooling {@code none}, or hidden states
 *       [B, T, H] pooled {@code eos}.
 *   <li>{@code imagebind-text}: input {@code text} int64 [B, 77] of CLIP BPE tokens padded with 0;
 *       output [B, 1024] (the head pools at the end-of-text token inside the model).
 * </ul>
 *
 * Preprocessing parameters: {@code maxLength} (truncation, special tokens included), {@code padId}
 * (default: the tokenizer's own, else 0), {@code batchSize} (texts per model call, default 32).
 */
public final class TextTowerFactory implements TowerFactory {
  private static final List<String> PREPROCESS_KEYS = List.of("maxLength", "padId", "batchSize");

  @Override
  public Set<String> formats() {
    return TowerFormat.wireNames(
        TowerFormat.SENTENCE_TRANSFORMER, TowerFormat.CLIP_TEXT, TowerFormat.IMAGEBIND_TEXT);
  }

  @Override
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    requireFormat(spec, Modality.TEXT);
    if (spec.tokenizer() == null) {
      throw new IllegalArgumentException(
          "format '" + spec.format() + "' needs a 'tokenizer' (a Hugging Face tokenizer.json)");
    }
    TowerFormat format = TowerFormat.fromName(spec.format());
    Pooling pooling = spec.pooling();
    JsonNode pre = spec.preprocess();
    spec.requirePreprocessKeys(PREPROCESS_KEYS);
    int maxLength =
        positiveInt(pre, "maxLength", format == TowerFormat.SENTENCE_TRANSFORMER ? 256 : 77);
    int batchSize = positiveInt(pre, "batchSize", 32);

    OnnxModel model = files.loadModel(spec.onnx());
    TextTokenizer tokenizer = null;
    try {
      TextEncoder.Settings partial = signature(spec, model, pooling, batchSize);
      int fixed = partial.fixedLength();
      tokenizer =
          TextTokenizer.load(
              files.read(spec.tokenizer()),
              files.describe(spec.tokenizer()),
              fixed > 0 ? Math.min(maxLength, fixed) : maxLength);
      long padId = pre.has("padId") ? pre.get("padId").asLong() : defaultPad(spec, tokenizer);
      TextEncoder.Settings settings =
          new TextEncoder.Settings(
              partial.format(),
              partial.space(),
              partial.dimension(),
              partial.inputIds(),
              partial.attentionMask(),
              partial.typeIds(),
              partial.output(),
              partial.pooling(),
              partial.normalize(),
              partial.fixedLength(),
              padId,
              partial.maxBatch());
      return new TextEncoder(settings, model, tokenizer);
    } catch (RuntimeException e) {
      if (tokenizer != null) {
        tokenizer.close();
      }
      model.close();
      throw e;
    }
  }

  private static long defaultPad(TowerSpec spec, TextTokenizer tokenizer) {
    // ImageBind's SimpleTokenizer fills the 77 slots with zeros, whatever tokenizer.json says.
    return TowerFormat.fromName(spec.format()) == TowerFormat.IMAGEBIND_TEXT
        ? 0
        : tokenizer.padId();
  }

  private static int positiveInt(JsonNode pre, String key, int fallback) {
    JsonNode v = pre.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asInt() < 1) {
      throw new IllegalArgumentException(
          "towers.text.preprocess." + key + " must be an integer >= 1, got " + v);
    }
    return v.asInt();
  }

  // Optimum and open_clip exports take int64 token ids, immich's take int32; both are [B, T].
  private static void requireTokenInput(OnnxModel model, String name) {
    model.requireInput(name, null, -1, -1);
    OnnxJavaType type = model.inputType(name);
    if (type != OnnxJavaType.INT64 && type != OnnxJavaType.INT32) {
      throw new IllegalArgumentException(
          "model "
              + model.source()
              + ": input '"
              + name
              + "' has element type "
              + type
              + ", expected INT64 or INT32");
    }
  }

  /** Checks the model against the format and decides what to feed; padId is filled in later. */
  private static TextEncoder.Settings signature(
      TowerSpec spec, OnnxModel model, Pooling pooling, int batchSize) {
    String ids;
    String mask = null;
    String types = null;
    int fixed = 0;
    switch (TowerFormat.fromName(spec.format())) {
      case SENTENCE_TRANSFORMER -> {
        ids = spec.input("input_ids");
        mask = spec.input("attention_mask");
        model.requireInput(ids, OnnxJavaType.INT64, -1, -1);
        model.requireInput(mask, OnnxJavaType.INT64, -1, -1);
        String t = spec.input("token_type_ids");
        // BERT exports have token_type_ids, DistilBERT and MPNet exports do not; feed it only if
        // the model asks, unless the manifest insists on it.
        if (model.inputNames().contains(t) || spec.inputs().containsKey("token_type_ids")) {
          model.requireInput(t, OnnxJavaType.INT64, -1, -1);
          types = t;
        }
      }
      case CLIP_TEXT -> {
        ids = spec.input("input_ids");
        requireTokenInput(model, ids);
        String m = spec.input("attention_mask");
        if (model.inputNames().contains(m)) {
          requireTokenInput(model, m);
          mask = m;
        }
        fixed = (int) Math.max(0, model.inputShape(ids)[1]);
        // immich exports its towers with a static batch of 1: one text per model call.
        long batch = model.inputShape(ids)[0];
        if (batch > 1) {
          throw new IllegalArgumentException(
              "model "
                  + model.source()
                  + ": input '"
                  + ids
                  + "' has a fixed batch of "
                  + batch
                  + "; format 'clip-text' needs a dynamic batch axis or a batch of 1");
        }
        if (batch == 1) {
          batchSize = 1;
        }
      }
      case IMAGEBIND_TEXT -> {
        ids = spec.input("text");
        model.requireInput(ids, OnnxJavaType.INT64, -1, 77);
        fixed = 77;
      }
      default -> throw new IllegalStateException("not a text format: " + spec.format());
    }
    List<String> fed = new ArrayList<>();
    fed.add(ids);
    if (mask != null) {
      fed.add(mask);
    }
    if (types != null) {
      fed.add(types);
    }
    for (String input : model.inputNames()) {
      if (!fed.contains(input)) {
        throw new IllegalArgumentException(
            "model "
                + model.source()
                + " has input '"
                + input
                + "' that format '"
                + spec.format()
                + "' does not feed (it feeds "
                + fed
                + "). Model inputs: "
                + model.describeInputs());
      }
    }
    if (TowerFormat.fromName(spec.format()) == TowerFormat.IMAGEBIND_TEXT
        && pooling != Pooling.NONE) {
      throw new IllegalArgumentException(
          "format 'imagebind-text' pools inside the model; pooling must be 'none', got '"
              + pooling.wireName()
              + "'");
    }
    long dim = spec.dimension();
    if (pooling == Pooling.NONE) {
      model.requireOutput(spec.output(), OnnxJavaType.FLOAT, -1, dim);
    } else {
      model.requireOutput(spec.output(), OnnxJavaType.FLOAT, -1, -1, dim);
    }
    return new TextEncoder.Settings(
        spec.format(),
        spec.space(),
        spec.dimension(),
        ids,
        mask,
        types,
        spec.output(),
        pooling,
        spec.normalize(),
        fixed,
        0,
        batchSize);
  }
}
