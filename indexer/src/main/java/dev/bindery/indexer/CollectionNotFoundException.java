package dev.bindery.indexer;

/** A request named a collection that does not exist. */
public class CollectionNotFoundException extends NotFoundException {
  public CollectionNotFoundException(String name, java.util.Collection<String> existing) {
    super(
        "unknown collection '"
            + name
            + "'"
            + (existing.isEmpty()
                ? "; there are no collections"
                : "; there are " + existing.stream().sorted().toList()));
  }
}
