package dev.bindery.indexer;

/** A request named something (a collection, an item, a model) that does not exist (HTTP 404). */
public class NotFoundException extends BadArgumentException {
  public NotFoundException(String message) {
    super(message);
  }
}
