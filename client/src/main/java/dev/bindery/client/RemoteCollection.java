package dev.bindery.client;

import dev.bindery.indexer.CollectionConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * A collection as a Bindery server describes it ({@code GET /v1/collections/{name}}).
 *
 * @param config its name, vector spaces and declared metadata field types
 * @param count items visible to search
 * @param model the model package that embeds its items and queries; empty for raw-vector
 *     collections
 */
public record RemoteCollection(CollectionConfig config, long count, Optional<String> model) {
  public RemoteCollection {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(model, "model");
  }

  /** The collection's name. */
  public String name() {
    return config.name();
  }
}
