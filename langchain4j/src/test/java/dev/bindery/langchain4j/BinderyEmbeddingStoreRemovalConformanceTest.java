package dev.bindery.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** langchain4j's own conformance suite for removal, run unchanged against the embedded store. */
class BinderyEmbeddingStoreRemovalConformanceTest extends EmbeddingStoreWithRemovalIT {
  @TempDir Path data;
  private BinderyEmbeddingStore store;

  @BeforeEach
  void open() {
    store =
        BinderyEmbeddingStore.builder()
            .dataDirectory(data)
            .dimension(SharedModel.get().dimension())
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
    return SharedModel.get();
  }
}
