package dev.bindery.fusion.query;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded least-recently-used cache of text-query embeddings, keyed by model and text, since
 * people repeat queries and a text tower's forward pass dominates a search's time. Values are
 * copied in and out, so a caller that normalizes its vector in place cannot change a cached one.
 * Thread-safe (one lock; a lookup is a hash probe and a copy, far cheaper than the embedding it
 * saves).
 */
public final class TextEmbeddingCache {

  /** Entries kept by {@link #defaultCache()}: about 6 MiB of 384-d vectors. */
  public static final int DEFAULT_CAPACITY = 4096;

  private record Key(String model, String text) {}

  private final int capacity;
  private final LinkedHashMap<Key, float[]> entries;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /**
   * @param capacity most entries kept; 0 disables caching (every lookup is a miss)
   */
  public TextEmbeddingCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, float[]> eldest) {
            return size() > TextEmbeddingCache.this.capacity;
          }
        };
  }

  /** A cache of {@link #DEFAULT_CAPACITY} entries. */
  public static TextEmbeddingCache defaultCache() {
    return new TextEmbeddingCache(DEFAULT_CAPACITY);
  }

  /** What the cache has done so far. */
  public record Stats(long hits, long misses, int size, int capacity) {
    /** hits / (hits + misses), or 0 before any lookup. */
    public double hitRate() {
      long n = hits + misses;
      return n == 0 ? 0 : (double) hits / n;
    }
  }

  /**
   * The embedding of {@code text} under {@code model}: a copy of the cached one, or {@code
   * compute}'s result (cached, then copied). Two threads missing on the same text at once both
   * compute it; the results are equal, so either may stay.
   */
  public float[] get(String model, String text, java.util.function.Supplier<float[]> compute) {
    Key key = new Key(Objects.requireNonNull(model, "model"), Objects.requireNonNull(text, "text"));
    float[] cached;
    synchronized (entries) {
      cached = entries.get(key);
    }
    if (cached != null) {
      hits.increment();
      return cached.clone();
    }
    misses.increment();
    float[] v = compute.get();
    if (capacity > 0) {
      float[] stored = Arrays.copyOf(v, v.length);
      synchronized (entries) {
        entries.put(key, stored);
      }
    }
    return v;
  }

  /** Counters and size now. */
  public Stats stats() {
    int size;
    synchronized (entries) {
      size = entries.size();
    }
    return new Stats(hits.sum(), misses.sum(), size, capacity);
  }
}
