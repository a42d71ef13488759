package dev.bindery.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * langchain4j's own conformance suite for stores with metadata filters (which includes {@code
 * EmbeddingStoreIT} and {@code EmbeddingStoreWithoutMetadataIT}), run unchanged against the
 * embedded store with the default settings and the default model package.
 */
class BinderyEmbeddingStoreFilteringConformanceTest extends EmbeddingStoreWithFilteringIT {
  @TempDir static Path data;
  private static BinderyEmbeddingStore store;

  @BeforeAll
  static void open() {
    store =
        BinderyEmbeddingStore.builder()
            .dataDirectory(data)
            .collection("conformance")
            .dimension(SharedModel.get().dimension())
            .build();
  }

  @AfterAll
  static void close() {
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

  @Override
  protected void clearStore() {
    store.removeAll();
  }
}
