package dev.bindery.springai;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code bindery.*} properties of the Spring Boot auto-configuration.
 *
 * @param dataDir the data directory of the embedded library (default {@code ./bindery-data})
 * @param collection the collection the vector store uses (default {@code spring-ai})
 * @param model the model package {@link BinderyEmbeddingModel} embeds with, when the application
 *     defines no other {@code EmbeddingModel} (default {@code classpath:/models/bindery-mini})
 * @param initializeSchema create the collection when it is missing (default true)
 */
@ConfigurationProperties(prefix = "bindery")
public record BinderyProperties(
    Path dataDir, String collection, String model, Boolean initializeSchema) {

  public BinderyProperties {
    dataDir = dataDir == null ? Path.of("bindery-data") : dataDir;
    collection = collection == null ? "spring-ai" : collection;
    model = model == null ? "classpath:/models/bindery-mini" : model;
    initializeSchema = initializeSchema == null ? Boolean.TRUE : initializeSchema;
  }
}
