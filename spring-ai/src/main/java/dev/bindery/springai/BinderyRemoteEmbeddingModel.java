package dev.bindery.springai;

import dev.bindery.client.BinderyClient;
import dev.bindery.client.EmbeddingInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A Spring AI {@link EmbeddingModel} that embeds on a remote Bindery server ({@code POST
 * /v1/embeddings}) with a model package the server has ({@code bindery-mini}, {@code minilm-l6-v2},
 * {@code classpath:/models/...}, a {@code --models} sub-folder) or with a collection's package
 * (name the collection). The vectors are those {@link BinderyEmbeddingModel} computes in-process
 * with the same package. Requests carry at most {@value #BATCH} texts each. Thread-safe; the model
 * does not close the client.
 */
public final class BinderyRemoteEmbeddingModel implements EmbeddingModel {
  /** Texts per request: well under the server's 2048 inputs. */
  static final int BATCH = 512;

  private final BinderyClient client;
  private final String model;
  private volatile int dimensions;

  /** Embeds with {@code model} on the server {@code client} talks to. */
  public BinderyRemoteEmbeddingModel(BinderyClient client, String model) {
    this.client = Objects.requireNonNull(client, "client");
    this.model = Objects.requireNonNull(model, "model");
  }

  /** The model package (or collection) the server embeds with. */
  public String model() {
    return model;
  }

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    List<String> texts = request.getInstructions();
    List<Embedding> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += BATCH) {
      List<EmbeddingInput> inputs =
          texts.subList(from, Math.min(texts.size(), from + BATCH)).stream()
              .map(EmbeddingInput::text)
              .toList();
      for (float[] v : client.embed(model, inputs)) {
        out.add(new Embedding(v, out.size()));
      }
    }
    if (!out.isEmpty()) {
      dimensions = out.get(0).getOutput().length;
    }
    return new EmbeddingResponse(out);
  }

  @Override
  public float[] embed(Document document) {
    return client.embed(model, List.of(EmbeddingInput.text(getEmbeddingContent(document)))).get(0);
  }

  /** The package's dimension, asked of the server once (by embedding a short text). */
  @Override
  public int dimensions() {
    int d = dimensions;
    if (d == 0) {
      d = client.embed(model, List.of(EmbeddingInput.text("dimensions"))).get(0).length;
      dimensions = d;
    }
    return d;
  }
}
