package dev.bindery.springai;

import dev.bindery.client.BinderyClient;
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
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration of a {@link BinderyVectorStore} on {@code bindery.collection},
 * observed through the application's {@link ObservationRegistry} when there is one, in one of two
 * modes:
 *
 * <ul>
 *   <li><b>embedded</b> (no {@code bindery.server-url}): a {@link Bindery} library on {@code
 *       bindery.data-dir} and a {@link BinderyEmbeddingModel} on the package {@code bindery.model};
 *   <li><b>remote</b> ({@code bindery.server-url} set): a {@link BinderyClient} of that server with
 *       {@code bindery.api-key}, and a {@link BinderyRemoteEmbeddingModel} that embeds there with
 *       {@code bindery.model}.
 * </ul>
 *
 * The embedding model is made only when the application has no {@link EmbeddingModel} of its own;
 * every bean backs off when the application defines its own.
 */
@AutoConfiguration
@ConditionalOnClass({Bindery.class, EmbeddingModel.class})
@EnableConfigurationProperties(BinderyProperties.class)
public class BinderyVectorStoreAutoConfiguration {

  /** The embedded mode's beans: no {@code bindery.server-url}. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(NoServerUrl.class)
  static class Embedded {
    /** The embedded library; closed (committed) with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Bindery bindery(BinderyProperties properties) {
      return Bindery.open(properties.dataDir());
    }

    /** Bindery's own encoders, in-process, unless the application brings an embedding model. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public BinderyEmbeddingModel binderyEmbeddingModel(BinderyProperties properties) {
      return BinderyEmbeddingModel.open(properties.model());
    }
  }

  /** The remote mode's beans: {@code bindery.server-url} set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "bindery", name = "server-url")
  static class Remote {
    /** The server's client; closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public BinderyClient binderyClient(BinderyProperties properties) {
      return BinderyClient.builder(properties.serverUrl())
          .apiKey(properties.apiKey())
          .requestTimeout(properties.requestTimeout())
          .build();
    }

    /** The server's encoders, unless the application brings an embedding model. */
    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public BinderyRemoteEmbeddingModel binderyRemoteEmbeddingModel(
        BinderyClient client, BinderyProperties properties) {
      return new BinderyRemoteEmbeddingModel(client, properties.model());
    }
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
      ObjectProvider<Bindery> bindery,
      ObjectProvider<BinderyClient> client,
      EmbeddingModel embeddingModel,
      BinderyProperties properties,
      BatchingStrategy batchingStrategy,
      ObjectProvider<ObservationRegistry> observationRegistry,
      ObjectProvider<VectorStoreObservationConvention> convention) {
    BinderyVectorStore.Builder builder =
        properties.remote()
            ? BinderyVectorStore.builder(client.getObject(), embeddingModel)
            : BinderyVectorStore.builder(bindery.getObject(), embeddingModel);
    return builder
        .collection(properties.collection())
        .initializeSchema(properties.initializeSchema())
        .batchingStrategy(batchingStrategy)
        .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP))
        .customObservationConvention(convention.getIfAvailable(() -> null))
        .build();
  }

  /** Matches when {@code bindery.server-url} is not set. */
  static final class NoServerUrl extends NoneNestedConditions {
    NoServerUrl() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty(prefix = "bindery", name = "server-url")
    static final class ServerUrl {}
  }
}
