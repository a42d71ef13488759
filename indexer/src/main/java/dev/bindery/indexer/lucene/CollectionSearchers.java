package dev.bindery.indexer.lucene;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;

/**
 * The near-real-time searchers of one collection (Lucene's {@link SearcherManager}): lends one to
 * an operation and takes it back, naming the collection and the operation when I/O fails.
 */
final class CollectionSearchers implements Closeable {

  /** One operation on a searcher, which is released after it. */
  interface Work<T> {
    T run(IndexSearcher s) throws IOException;
  }

  private final String collection;
  private final SearcherManager manager;

  CollectionSearchers(String collection, SearcherManager manager) {
    this.collection = collection;
    this.manager = manager;
  }

  /** Runs {@code work} on a searcher; an I/O failure names {@code what}. */
  <T> T with(String what, Work<T> work) {
    IndexSearcher s = acquire();
    try {
      return work.run(s);
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + collection + "': " + what + " failed", e);
    } finally {
      release(s);
    }
  }

  /** Runs {@code work} on a searcher and lets I/O failures through (opening, refreshing). */
  <T> T withIo(Work<T> work) throws IOException {
    IndexSearcher s = manager.acquire();
    try {
      return work.run(s);
    } finally {
      manager.release(s);
    }
  }

  /** The version of the reader searches see now. */
  long version() throws IOException {
    return withIo(s -> ((DirectoryReader) s.getIndexReader()).getVersion());
  }

  /** Makes what was written (or, read-only, the latest commit) visible; waits for it. */
  void refresh() throws IOException {
    manager.maybeRefreshBlocking();
  }

  private IndexSearcher acquire() {
    try {
      return manager.acquire();
    } catch (IOException e) {
      throw new UncheckedIOException("collection '" + collection + "': cannot open a searcher", e);
    }
  }

  private void release(IndexSearcher s) {
    try {
      manager.release(s);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "collection '" + collection + "': cannot release a searcher", e);
    }
  }

  @Override
  public void close() throws IOException {
    manager.close();
  }
}
