package dev.bindery.springai;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring AI's own vector-store tests ({@code BaseVectorStoreTests} from spring-ai-test: delete by
 * id, by filter expression and by expression text), run unchanged against a store that the Boot
 * auto-configuration builds from {@code bindery.*} properties.
 */
class BinderyVectorStoreConformanceTest extends BaseVectorStoreTests {
  @TempDir Path data;

  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BinderyVectorStoreAutoConfiguration.class))
        .withPropertyValues("bindery.data-dir=" + data, "bindery.collection=conformance")
        .run(context -> testFunction.accept(context.getBean(VectorStore.class)));
  }
}
