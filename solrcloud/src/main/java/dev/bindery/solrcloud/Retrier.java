package dev.bindery.solrcloud;

import dev.bindery.indexer.IndexUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.common.SolrException;

/**
 * Runs a Solr request, retrying transient failures (a node down or restarting, a leader election,
 * an I/O error, a 5xx answer) with exponential backoff, a bounded number of times. Solr's 4xx
 * answers are the caller's fault and are never retried. Every request Bindery sends is idempotent
 * (fixed document ids, reads), so a retry of a request that did reach Solr changes nothing.
 */
final class Retrier {
  /** One Solr call. */
  @FunctionalInterface
  interface SolrCall<T> {
    T run() throws SolrServerException, IOException;
  }

  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final AtomicLong retries = new AtomicLong();

  Retrier(SolrCloudOptions options) {
    this.maxRetries = options.maxRetries();
    this.initialBackoff = options.initialBackoff();
    this.maxBackoff = options.maxBackoff();
  }

  /** Retries made so far by this retrier (all requests together). */
  long retries() {
    return retries.get();
  }

  /**
   * Runs {@code call}; {@code what} names the request in the error. A permanent Solr error comes
   * back as {@link IllegalStateException} with Solr's message; transient errors that outlast the
   * retries as {@link IndexUnavailableException}.
   */
  <T> T call(String what, SolrCall<T> call) {
    long backoff = initialBackoff.toMillis();
    for (int attempt = 0; ; attempt++) {
      try {
        return call.run();
      } catch (SolrServerException | IOException | SolrException e) {
        if (!isTransient(e)) {
          throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
        if (attempt >= maxRetries) {
          throw new IndexUnavailableException(
              what
                  + " failed after "
                  + (attempt + 1)
                  + " attempt(s); SolrCloud did not answer: "
                  + e.getMessage(),
              e);
        }
      }
      retries.incrementAndGet();
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(what + " was interrupted while waiting to retry", ie);
      }
      backoff = Math.min(maxBackoff.toMillis(), Math.max(1, backoff * 2));
    }
  }

  /** True for failures that another try may not see: I/O, 5xx, no answer. */
  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SolrException se && se.code() >= 400 && se.code() < 500) {
        // 4xx: the request itself is wrong (bad syntax, conflict, unknown field): do not retry.
        return false;
      }
    }
    return true;
  }
}
