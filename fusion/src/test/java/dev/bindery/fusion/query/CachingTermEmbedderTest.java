package dev.bindery.fusion.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bindery.encoders.Modality;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CachingTermEmbedderTest {

  /** A deterministic "tower": a vector drawn from the text's hash, counting its calls. */
  private static final class CountingEmbedder implements TermEmbedder {
    final List<String> calls = new ArrayList<>();

    @Override
    public Map<Modality, String> spaces() {
      return Map.of(Modality.TEXT, "text", Modality.IMAGE, "image");
    }

    @Override
    public String describe() {
      return "counting";
    }

    @Override
    public float[] embed(Modality modality, String value) {
      calls.add(modality.name() + ":" + value);
      Random r = new Random(value.hashCode() * 31L + modality.ordinal());
      float[] v = new float[8];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextFloat();
      }
      return v;
    }
  }

  @Test
  void sameVectorsWithAndWithoutTheCacheOnRepeatedQueries() {
    long seed = 7;
    Random random = new Random(seed);
    CountingEmbedder plain = new CountingEmbedder();
    CountingEmbedder behindCache = new CountingEmbedder();
    TextEmbeddingCache cache = new TextEmbeddingCache(16);
    TermEmbedder cached = new CachingTermEmbedder(behindCache, cache, "model-a");
    int lookups = 500;
    for (int i = 0; i < lookups; i++) {
      String text = "query " + random.nextInt(40); // more distinct texts than the cache holds
      assertArrayEquals(
          plain.embed(Modality.TEXT, text), cached.embed(Modality.TEXT, text), "seed " + seed);
    }
    TextEmbeddingCache.Stats s = cache.stats();
    assertEquals(lookups, s.hits() + s.misses());
    assertEquals(s.misses(), behindCache.calls.size(), "every miss and only misses compute");
    assertEquals(16, s.size(), "bounded by its capacity");
  }

  @Test
  void aCallerChangingItsVectorCannotChangeTheCachedOne() {
    TextEmbeddingCache cache = new TextEmbeddingCache(4);
    CountingEmbedder tower = new CountingEmbedder();
    TermEmbedder cached = new CachingTermEmbedder(tower, cache, "m");
    float[] first = cached.embed(Modality.TEXT, "cat");
    float[] expected = first.clone();
    first[0] = 99; // as a caller normalizing in place would
    float[] second = cached.embed(Modality.TEXT, "cat");
    assertArrayEquals(expected, second);
    second[1] = 42;
    assertArrayEquals(expected, cached.embed(Modality.TEXT, "cat"));
    assertEquals(1, tower.calls.size());
    assertEquals(2, cache.stats().hits());
  }

  @Test
  void evictsTheLeastRecentlyUsedAndKeepsModelsApart() {
    TextEmbeddingCache cache = new TextEmbeddingCache(2);
    CountingEmbedder tower = new CountingEmbedder();
    TermEmbedder a = new CachingTermEmbedder(tower, cache, "a");
    TermEmbedder b = new CachingTermEmbedder(tower, cache, "b");
    a.embed(Modality.TEXT, "x");
    b.embed(Modality.TEXT, "x"); // another model: a miss, not a's vector
    a.embed(Modality.TEXT, "x"); // hit; now b:x is the least recently used
    a.embed(Modality.TEXT, "y"); // evicts b:x
    b.embed(Modality.TEXT, "x"); // miss again
    assertEquals(List.of("TEXT:x", "TEXT:x", "TEXT:y", "TEXT:x"), tower.calls);
    assertEquals(1, cache.stats().hits());
  }

  @Test
  void imagePathsAreNeverCached() {
    TextEmbeddingCache cache = new TextEmbeddingCache(8);
    CountingEmbedder tower = new CountingEmbedder();
    TermEmbedder cached = new CachingTermEmbedder(tower, cache, "m");
    cached.embed(Modality.IMAGE, "/tmp/a.jpg");
    cached.embed(Modality.IMAGE, "/tmp/a.jpg");
    assertEquals(2, tower.calls.size());
    assertEquals(0, cache.stats().hits() + cache.stats().misses());
  }

  @Test
  void zeroCapacityCachesNothingAndNegativeIsRejected() {
    TextEmbeddingCache cache = new TextEmbeddingCache(0);
    CountingEmbedder tower = new CountingEmbedder();
    TermEmbedder cached = new CachingTermEmbedder(tower, cache, "m");
    cached.embed(Modality.TEXT, "x");
    cached.embed(Modality.TEXT, "x");
    assertEquals(2, tower.calls.size());
    assertThrows(IllegalArgumentException.class, () -> new TextEmbeddingCache(-1));
  }
}
