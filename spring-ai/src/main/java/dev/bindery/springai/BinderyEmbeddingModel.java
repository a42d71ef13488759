package dev.bindery.springai;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.pkg.ModelPackage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A Spring AI {@link EmbeddingModel} over the text tower of a Bindery model package (for example
 * {@link ModelPackage#DEFAULT}, whose image tower shares the space). Runs in-process through ONNX
 * Runtime; nothing is downloaded. Thread-safe; {@link #close()} frees the package.
 */
public final class BinderyEmbeddingModel implements EmbeddingModel, AutoCloseable {
  private final ModelPackage pkg;
  private final Encoder<String> text;

  private BinderyEmbeddingModel(ModelPackage pkg) {
    this.pkg = Objects.requireNonNull(pkg, "model package");
    this.text = pkg.textEncoder();
  }

  /** Opens the package at {@code location}: a directory or {@code classpath:/models/...}. */
  public static BinderyEmbeddingModel open(String location) {
    return new BinderyEmbeddingModel(ModelPackage.open(location));
  }

  /** The package underneath. */
  public ModelPackage modelPackage() {
    return pkg;
  }

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    List<float[]> vectors = text.encodeBatch(request.getInstructions());
    List<Embedding> out = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      out.add(new Embedding(vectors.get(i), i));
    }
    return new EmbeddingResponse(out);
  }

  @Override
  public float[] embed(Document document) {
    return text.encode(getEmbeddingContent(document));
  }

  @Override
  public int dimensions() {
    return text.dimension();
  }

  @Override
  public void close() {
    pkg.close();
  }
}
