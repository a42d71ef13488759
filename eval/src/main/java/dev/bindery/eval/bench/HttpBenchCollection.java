package dev.bindery.eval.bench;

import dev.bindery.encoders.Modality;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Item;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What {@code bench http} searches: a collection of items with 384-d vectors clustered around
 * MiniLM embeddings of topic phrases (subject x setting), built once and reused from the data
 * directory, and query texts made of the same words with a style in front, as {@code text:"..."}
 * expressions or as {@code vector:[...]} literals of their embeddings.
 */
final class HttpBenchCollection {
  /** Topic phrases: items cluster around their embeddings, queries are made of the same words. */
  private static final String[] SUBJECTS = {
    "a cat",
    "a dog",
    "an old bicycle",
    "a red car",
    "a sailing boat",
    "a lighthouse",
    "a mountain lake",
    "a city street",
    "a bowl of soup",
    "a violin",
    "a steam train",
    "a sunflower field",
    "a snowy forest",
    "a desert road",
    "a child's drawing",
    "a chess board"
  };

  private static final String[] SETTINGS = {
    "at night",
    "in the rain",
    "at sunrise",
    "in winter",
    "on a sunny afternoon",
    "under neon lights"
  };

  private static final String[] STYLES = {
    "photo of", "watercolor of", "sketch of", "close-up of", "poster of"
  };

  private static final int BATCH = 2_000;
  private static final double NOISE = 0.6;
  private static final long SEED = 42;

  /**
   * How the collection came to be.
   *
   * @param cached whether a matching collection was reused from the data directory
   * @param buildSeconds seconds the build took (NaN when cached)
   * @param dim the vectors' dimension (0 when cached: not looked up)
   */
  record Status(boolean cached, double buildSeconds, int dim) {}

  private HttpBenchCollection() {}

  /** The collection's name for {@code items} items. */
  static String name(int items) {
    return "bench-http-" + items;
  }

  /**
   * Reuses collection {@code name} when it holds {@code items} items of the default text model and
   * {@code rebuild} is false; else (re)builds it, printing progress to {@code err}.
   */
  static Status ensure(Bindery bindery, String name, int items, boolean rebuild, PrintWriter err) {
    if (bindery.listCollections().contains(name) && !rebuild) {
      CollectionInfo info = bindery.describe(name);
      if (info.count() == items
          && bindery.modelLocation(name).map(ModelPackage.DEFAULT_TEXT::equals).orElse(false)) {
        return new Status(true, Double.NaN, 0);
      }
    }
    bindery.dropCollection(name);
    long t0 = System.nanoTime();
    bindery.createCollection(name, ModelPackage.DEFAULT_TEXT);
    String space = bindery.describe(name).config().spaces().keySet().iterator().next();
    List<String> topics = topics();
    float[][] centroids = new float[topics.size()][];
    for (int t = 0; t < centroids.length; t++) {
      centroids[t] = bindery.embedder(name).embed(Modality.TEXT, topics.get(t));
    }
    int dim = centroids[0].length;
    Random random = new Random(SEED);
    List<Item> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < items; i++) {
      int topic = i % centroids.length;
      float[] v = new float[dim];
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        // Noise of about NOISE times the unit centroid's length, spread over all dimensions.
        v[d] = (float) (centroids[topic][d] + NOISE * random.nextGaussian() / Math.sqrt(dim));
        norm += v[d] * v[d];
      }
      float inv = (float) (1 / Math.sqrt(norm));
      for (int d = 0; d < dim; d++) {
        v[d] *= inv;
      }
      batch.add(
          new Item(
              String.format(Locale.ROOT, "item-%06d", i),
              "vector",
              null,
              Map.of(),
              Map.of("topic", (long) topic),
              Map.of(space, v),
              List.of()));
      if (batch.size() == BATCH || i == items - 1) {
        bindery.add(name, batch);
        batch = new ArrayList<>(BATCH);
        if ((i + 1) % 20_000 == 0 || i == items - 1) {
          err.println("built " + (i + 1) + " of " + items + " items");
          err.flush();
        }
      }
    }
    bindery.commit(name);
    return new Status(false, (System.nanoTime() - t0) / 1e9, dim);
  }

  private static List<String> topics() {
    List<String> t = new ArrayList<>();
    for (String subject : SUBJECTS) {
      for (String setting : SETTINGS) {
        t.add(subject + " " + setting);
      }
    }
    return t;
  }

  /** Distinct query texts from the same vocabulary as the topics, in a fixed shuffled order. */
  static List<String> queries(int n) {
    List<String> all = new ArrayList<>();
    for (String style : STYLES) {
      for (String subject : SUBJECTS) {
        for (String setting : SETTINGS) {
          all.add("text:\"" + style + " " + subject + " " + setting + "\"");
        }
      }
    }
    Collections.shuffle(all, new Random(SEED));
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all.get(i % all.size()));
    }
    return out;
  }

  /**
   * The same queries as {@code vector:[...]} literals of their text embeddings (computed here,
   * once, by the collection's own text tower), so measuring them runs no model.
   */
  static List<String> vectorQueries(Bindery bindery, String collection, List<String> textQueries) {
    Map<String, String> byText = new HashMap<>();
    List<String> out = new ArrayList<>(textQueries.size());
    for (String q : textQueries) {
      out.add(
          byText.computeIfAbsent(
              q,
              t -> {
                String text = t.substring("text:\"".length(), t.length() - 1);
                float[] v = bindery.embedder(collection).embed(Modality.TEXT, text);
                StringBuilder sb = new StringBuilder("vector:[");
                for (int i = 0; i < v.length; i++) {
                  sb.append(i == 0 ? "" : ",").append(v[i]);
                }
                return sb.append(']').toString();
              }));
    }
    return out;
  }
}
