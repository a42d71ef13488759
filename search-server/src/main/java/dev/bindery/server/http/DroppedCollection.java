package dev.bindery.server.http;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.NotFoundException;

/**
 * What a failure during a write or read means when its collection was dropped meanwhile: 404 when
 * the collection is gone, 409 when its index was closed under the request, else the failure itself
 * (rather than whatever the closed index threw: a 500 that was nobody's bug).
 */
final class DroppedCollection {
  private DroppedCollection() {}

  /**
   * The failure to report for {@code e}, which happened while a request used {@code collection}.
   */
  static RuntimeException or(Bindery bindery, String collection, RuntimeException e) {
    if (e instanceof ApiProblem || e instanceof BadArgumentException) {
      return e; // already says what was wrong with the request
    }
    boolean closed = false;
    for (Throwable t = e; t != null && !closed; t = t.getCause() == t ? null : t.getCause()) {
      // The embedded index closes a collection's writer and readers when it is dropped; a
      // request that was between its steps then meets them closed before the name is gone.
      closed = t instanceof org.apache.lucene.store.AlreadyClosedException;
    }
    boolean exists;
    try {
      exists = bindery.listCollections().contains(collection);
    } catch (RuntimeException listing) {
      e.addSuppressed(listing);
      return e;
    }
    RuntimeException p;
    if (!exists) {
      p =
          new NotFoundException(
              "collection '"
                  + collection
                  + "' was dropped while this request was running; nothing was written");
    } else if (closed) {
      p =
          new ConflictException(
              "collection '"
                  + collection
                  + "' was being dropped or closed while this request was running; the request"
                  + " did not complete");
    } else {
      return e;
    }
    p.addSuppressed(e);
    return p;
  }
}
