package dev.bindery.solrcloud;

import java.time.Duration;
import java.util.Objects;

/**
 * How the SolrCloud backend creates collections and talks to the cluster.
 *
 * @param shards shards of each new collection, 1..1024
 * @param replicas NRT replicas per shard of each new collection, 1..64 (2 or more survive a node
 *     loss)
 * @param commitWithinMs when >= 0, every write asks Solr to make it visible within this many
 *     milliseconds; -1 (the default) leaves visibility to {@code refresh}/{@code commit}, which
 *     also keeps a failed batch from ever being visible while it is rolled back
 * @param maxRetries retries of a request that failed for a transient reason (a node down, a leader
 *     election, a timeout), 0..100; requests are idempotent, so a retry never duplicates
 * @param initialBackoff wait before the first retry; doubled each retry up to {@code maxBackoff}
 * @param maxBackoff longest wait between two retries
 * @param readyTimeout how long createCollection waits for every replica to become active
 */
public record SolrCloudOptions(
    int shards,
    int replicas,
    int commitWithinMs,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration readyTimeout) {

  public SolrCloudOptions {
    if (shards < 1 || shards > 1024) {
      throw new IllegalArgumentException("shards must be in 1..1024, got " + shards);
    }
    if (replicas < 1 || replicas > 64) {
      throw new IllegalArgumentException("replicas must be in 1..64, got " + replicas);
    }
    if (commitWithinMs < -1) {
      throw new IllegalArgumentException(
          "commitWithinMs must be -1 (off) or >= 0, got " + commitWithinMs);
    }
    if (maxRetries < 0 || maxRetries > 100) {
      throw new IllegalArgumentException("maxRetries must be in 0..100, got " + maxRetries);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= initialBackoff <= maxBackoff, got "
              + initialBackoff
              + " and "
              + maxBackoff);
    }
    if (readyTimeout.isNegative() || readyTimeout.isZero()) {
      throw new IllegalArgumentException("readyTimeout must be positive, got " + readyTimeout);
    }
  }

  /**
   * Two shards of two replicas, visibility by refresh/commit only, 6 retries from 100 ms up to 2 s
   * (about 6 s in all, longer than a leader election), 60 s for a new collection to be ready.
   */
  public static SolrCloudOptions defaults() {
    return new SolrCloudOptions(
        2, 2, -1, 6, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(60));
  }

  public SolrCloudOptions withShards(int n) {
    return new SolrCloudOptions(
        n, replicas, commitWithinMs, maxRetries, initialBackoff, maxBackoff, readyTimeout);
  }

  public SolrCloudOptions withReplicas(int n) {
    return new SolrCloudOptions(
        shards, n, commitWithinMs, maxRetries, initialBackoff, maxBackoff, readyTimeout);
  }

  public SolrCloudOptions withCommitWithinMs(int ms) {
    return new SolrCloudOptions(
        shards, replicas, ms, maxRetries, initialBackoff, maxBackoff, readyTimeout);
  }

  public SolrCloudOptions withRetries(int max, Duration initial, Duration maxWait) {
    return new SolrCloudOptions(
        shards, replicas, commitWithinMs, max, initial, maxWait, readyTimeout);
  }
}
