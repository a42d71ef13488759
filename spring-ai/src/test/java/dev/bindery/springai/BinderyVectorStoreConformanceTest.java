package dev.bindery.springai;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring AI's own vector-store tests ({@code BaseVectorStoreTests} from spring-ai-test: delete by
 * id, by filter expression and by expression text), run unchanged against a store that the Boot
 * auto-configuration builds from {@code bindery.*} properties. One model serves every context
 * (loading it is most of a context's start); the auto-configured model has its own test.
 */
class BinderyVectorStoreConformanceTest extends BaseVectorStoreTests {
  @TempDir Path data;
  static BinderyEmbeddingModel model;

  @BeforeAll
  static void open() {
    model = BinderyEmbeddingModel.open("classpath:/models/bindery-mini");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** The shared model behind a bean that is not AutoCloseable, so no context closes it. */
  static EmbeddingModel shared() {
    return new EmbeddingModel() {
      @Override
      public EmbeddingResponse call(EmbeddingRequest request) {
        return model.call(request);
      }

      @Override
      public float[] embed(Document document) {
        return model.embed(document);
      }

      @Override
      public int dimensions() {
        return model.dimensions();
      }
    };
  }

  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BinderyVectorStoreAutoConfiguration.class))
        .withBean(EmbeddingModel.class, BinderyVectorStoreConformanceTest::shared)
        .withPropertyValues("bindery.data-dir=" + data, "bindery.collection=conformance")
        .run(context -> testFunction.accept(context.getBean(VectorStore.class)));
  }
}
