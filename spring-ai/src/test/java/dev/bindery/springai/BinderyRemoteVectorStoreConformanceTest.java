package dev.bindery.springai;

import dev.bindery.client.testing.RemoteServer;
import java.util.function.Consumer;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring AI's own vector-store tests ({@code BaseVectorStoreTests} from spring-ai-test), run
 * unchanged against the remote mode: the Boot auto-configuration, given {@code bindery.server-url}
 * and {@code bindery.api-key}, builds a store and an embedding model that both work on a real
 * Bindery server over HTTP.
 */
class BinderyRemoteVectorStoreConformanceTest extends BaseVectorStoreTests {
  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    RemoteServer server = RemoteServer.get();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BinderyVectorStoreAutoConfiguration.class))
        .withPropertyValues(
            "bindery.server-url=" + server.url,
            "bindery.api-key=" + server.adminKey,
            "bindery.request-timeout=" + RemoteServer.PATIENCE,
            "bindery.collection=conformance",
            "bindery.model=bindery-mini")
        .run(context -> testFunction.accept(context.getBean(VectorStore.class)));
  }
}
