package dev.bindery.langchain4j;

import dev.bindery.client.testing.RemoteServer;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * langchain4j's own conformance suite for stores with metadata filters (with {@code
 * EmbeddingStoreIT} and {@code EmbeddingStoreWithoutMetadataIT}), run unchanged against the remote
 * mode: the store and the embedding model talk to a real Bindery server over HTTP, with an API key.
 */
class BinderyRemoteStoreFilteringConformanceTest extends EmbeddingStoreWithFilteringIT {
  private static BinderyRemoteEmbeddingModel model;
  private static BinderyEmbeddingStore store;

  @BeforeAll
  static void open() {
    RemoteServer server = RemoteServer.get();
    model =
        BinderyRemoteEmbeddingModel.builder()
            .serverUrl(server.url)
            .apiKey(server.readKey)
            .requestTimeout(RemoteServer.PATIENCE)
            .model("bindery-mini")
            .build();
    store =
        BinderyEmbeddingStore.builder()
            .serverUrl(server.url)
            .apiKey(server.adminKey)
            .requestTimeout(RemoteServer.PATIENCE)
            .collection("conformance-filtering")
            .dimension(model.dimension())
            .build();
  }

  @AfterAll
  static void close() {
    store.close();
    model.close();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return model;
  }

  @Override
  protected void clearStore() {
    store.removeAll();
  }
}
