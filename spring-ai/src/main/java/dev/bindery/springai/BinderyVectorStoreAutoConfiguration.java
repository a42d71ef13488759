package dev.bindery.springai;

import dev.bindery.fusion.Bindery;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationConvention;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: an embedded {@link Bindery} on {@code bindery.data-dir}, a {@link
 * BinderyEmbeddingModel} on {@code bindery.model} unless the application has an {@link
 * EmbeddingModel} of its own, and a {@link BinderyVectorStore} on {@code bindery.collection},
 * observed through the application's {@link ObservationRegistry} when there is one. Each bean backs
 * off when the application defines its own.
 */
@AutoConfiguration
@ConditionalOnClass({Bindery.class, EmbeddingModel.class})
@EnableConfigurationProperties(BinderyProperties.class)
public class BinderyVectorStoreAutoConfiguration {

  /** The embedded library; closed (committed) with the context. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Bindery bindery(BinderyProperties properties) {
    return Bindery.open(properties.dataDir());
  }

  /** Bindery's own encoders, unless the application brings an embedding model. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(EmbeddingModel.class)
  public BinderyEmbeddingModel binderyEmbeddingModel(BinderyProperties properties) {
    return BinderyEmbeddingModel.open(properties.model());
  }

  /** How documents are batched for embedding (Spring AI's default, by token count). */
  @Bean
  @ConditionalOnMissingBean(BatchingStrategy.class)
  public BatchingStrategy binderyBatchingStrategy() {
    return new TokenCountBatchingStrategy();
  }

  @Bean
  @ConditionalOnMissingBean
  public BinderyVectorStore binderyVectorStore(
      Bindery bindery,
      EmbeddingModel embeddingModel,
      BinderyProperties properties,
      BatchingStrategy batchingStrategy,
      ObjectProvider<ObservationRegistry> observationRegistry,
      ObjectProvider<VectorStoreObservationConvention> convention) {
    return BinderyVectorStore.builder(bindery, embeddingModel)
        .collection(properties.collection())
        .initializeSchema(properties.initializeSchema())
        .batchingStrategy(batchingStrategy)
        .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP))
        .customObservationConvention(convention.getIfAvailable(() -> null))
        .build();
  }
}
