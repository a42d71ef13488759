package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.Pooling;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One tower as a model package's manifest ({@code bindery-model.json}) describes it. See {@code
 * docs/model-packages.md} for the format and the formats each modality supports.
 *
 * @param modality what it reads
 * @param format how to drive it, e.g. {@code sentence-transformer}, {@code clip-text}, {@code
 *     clip-vision}, {@code imagebind-audio}: a {@link TowerFormat} name for the built-in factories,
 *     a string because factories found through {@link java.util.ServiceLoader} add their own
 * @param space embedding space id (the package's unless the tower overrides it)
 * @param dimension embedding dimension
 * @param onnx the ONNX file, relative to the package, or {@code classpath:/...}
 * @param tokenizer {@code tokenizer.json} for text towers (relative or {@code classpath:}), else
 *     null
 * @param inputs logical input role to the model's input name (e.g. {@code pixel_values})
 * @param output the model output that holds the embedding (or hidden states to pool)
 * @param pooling how a text tower pools its output (the manifest's {@code none}, {@code mean},
 *     {@code cls} or {@code eos}); null means {@link Pooling#NONE}
 * @param normalize L2-normalize the result
 * @param preprocess modality-specific preprocessing parameters (size, mean, std, mel bins...)
 */
public record TowerSpec(
    Modality modality,
    String format,
    String space,
    int dimension,
    String onnx,
    String tokenizer,
    Map<String, String> inputs,
    String output,
    Pooling pooling,
    boolean normalize,
    JsonNode preprocess) {

  public TowerSpec {
    Objects.requireNonNull(modality, "modality");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(onnx, "onnx");
    Objects.requireNonNull(output, "output");
    if (dimension < 1) {
      throw new IllegalArgumentException(
          modality + " tower: dimension must be >= 1, got " + dimension);
    }
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    pooling = pooling == null ? Pooling.NONE : pooling;
    preprocess = preprocess == null ? JsonNodeFactory.instance.objectNode() : preprocess;
  }

  /**
   * Rejects {@code preprocess} keys outside {@code valid}, naming the key as {@code
   * towers.<modality>.preprocess.<key>}.
   *
   * @throws IllegalArgumentException for the first unknown key, listing the valid ones
   */
  public void requirePreprocessKeys(List<String> valid) {
    for (Iterator<String> it = preprocess.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!valid.contains(key)) {
        throw new IllegalArgumentException(
            "unknown key 'towers."
                + modality
                + ".preprocess."
                + key
                + "'; valid keys here: "
                + valid);
      }
    }
  }

  /** The model input name for a logical role, or the role itself when the manifest is silent. */
  public String input(String role) {
    return inputs.getOrDefault(role, role);
  }
}
