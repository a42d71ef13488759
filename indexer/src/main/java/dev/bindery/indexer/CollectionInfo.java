package dev.bindery.indexer;

import java.util.Set;

/**
 * A collection's configuration and size as seen by the latest refresh.
 *
 * @param config spaces and metadata fields (including inferred ones)
 * @param count items visible to search
 * @param vectorCount vector documents (item-level plus segments) visible to search
 * @param filterSets names of the collection's filter sets
 */
public record CollectionInfo(
    CollectionConfig config, long count, long vectorCount, Set<String> filterSets) {
  public CollectionInfo {
    filterSets = Set.copyOf(filterSets);
  }
}
