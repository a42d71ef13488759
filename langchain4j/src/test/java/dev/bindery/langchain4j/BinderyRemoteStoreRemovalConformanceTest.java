package dev.bindery.langchain4j;

import dev.bindery.client.testing.RemoteServer;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * langchain4j's own removal suite, run unchanged against the remote mode: each test gets a store on
 * a fresh collection of a real Bindery server.
 */
class BinderyRemoteStoreRemovalConformanceTest extends EmbeddingStoreWithRemovalIT {
  private static final AtomicInteger COLLECTIONS = new AtomicInteger();
  private static BinderyRemoteEmbeddingModel model;
  private BinderyEmbeddingStore store;

  @BeforeAll
  static void openModel() {
    RemoteServer server = RemoteServer.get();
    model =
        BinderyRemoteEmbeddingModel.builder()
            .serverUrl(server.url)
            .apiKey(server.readKey)
            .requestTimeout(RemoteServer.PATIENCE)
            .model("bindery-mini")
            .build();
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @BeforeEach
  void open() {
    RemoteServer server = RemoteServer.get();
    store =
        BinderyEmbeddingStore.builder()
            .serverUrl(server.url)
            .apiKey(server.adminKey)
            .requestTimeout(RemoteServer.PATIENCE)
            .collection("conformance-removal-" + COLLECTIONS.incrementAndGet())
            .dimension(model.dimension())
            .build();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return model;
  }
}
