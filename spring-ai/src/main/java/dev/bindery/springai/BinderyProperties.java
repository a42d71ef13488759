package dev.bindery.springai;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code bindery.*} properties of the Spring Boot auto-configuration. Without {@code
 * server-url} the store is embedded (a Lucene index in {@code data-dir}); with it, the store and
 * the embedding model work on that Bindery server.
 *
 * @param dataDir the data directory of the embedded library (default {@code ./bindery-data});
 *     unused with {@code server-url}
 * @param serverUrl a remote Bindery server's root URL ({@code http://127.0.0.1:7700}); none by
 *     default (embedded)
 * @param apiKey the remote server's API key ({@code write} scope, {@code admin} to create the
 *     collection); none by default
 * @param collection the collection the vector store uses (default {@code spring-ai})
 * @param model the model package that embeds, when the application defines no other {@code
 *     EmbeddingModel} (default {@code classpath:/models/bindery-mini}): opened in-process when
 *     embedded, named to the server's {@code /v1/embeddings} when remote
 * @param initializeSchema create the collection when it is missing (default true)
 * @param requestTimeout how long the remote mode waits for each answer of the server (default 60 s;
 *     the server's own search timeout, {@code serve --timeout}, answers 503 before it)
 */
@ConfigurationProperties(prefix = "bindery")
public record BinderyProperties(
    Path dataDir,
    String serverUrl,
    String apiKey,
    String collection,
    String model,
    Boolean initializeSchema,
    Duration requestTimeout) {

  public BinderyProperties {
    dataDir = dataDir == null ? Path.of("bindery-data") : dataDir;
    serverUrl = serverUrl == null || serverUrl.isBlank() ? null : serverUrl.strip();
    apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
    collection = collection == null ? "spring-ai" : collection;
    model = model == null ? "classpath:/models/bindery-mini" : model;
    initializeSchema = initializeSchema == null ? Boolean.TRUE : initializeSchema;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
  }

  /** True when {@code server-url} is set: the store works on that server. */
  public boolean remote() {
    return serverUrl != null;
  }
}
