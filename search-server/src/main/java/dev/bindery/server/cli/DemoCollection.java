package dev.bindery.server.cli;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.SyntheticVectors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The synthetic collection that {@code bindery demo} indexes until real encoders land: "images" and
 * "videos" whose vectors come from {@link SyntheticVectors} clusters, one cluster per topic, with
 * captions, years and timed video segments. Everything is derived from one seed, so every run
 * indexes the same items.
 */
final class DemoCollection {

  static final String NAME = "demo";
  static final String SPACE = "embedding";
  static final String CAPTION = "caption";
  static final String VIDEO_SET = "videos";
  static final int DIM = 384;
  static final int TOPICS = 20;
  static final int IMAGES = 2000;
  static final int VIDEOS = 50;
  static final int SEGMENTS_PER_VIDEO = 4;
  static final long SEED = 20_240_501L;

  /** One word per topic, so captions give BM25 something to find. */
  private static final String[] THEMES = {
    "lighthouse", "forest", "desert", "glacier", "market",
    "orchard", "volcano", "canyon", "meadow", "harbor",
    "library", "stadium", "bridge", "garden", "reef",
    "tundra", "vineyard", "cathedral", "waterfall", "skyline"
  };

  private static final String[] SETTINGS = {
    "at dawn", "at noon", "at dusk", "at night", "in the rain", "in the snow", "in fog"
  };

  private final SyntheticVectors vectors;
  private final List<Item> items;
  private final Map<String, String> captions;
  private final List<String> videoIds;

  private DemoCollection(
      SyntheticVectors vectors,
      List<Item> items,
      Map<String, String> captions,
      List<String> videoIds) {
    this.vectors = vectors;
    this.items = List.copyOf(items);
    this.captions = Map.copyOf(captions);
    this.videoIds = List.copyOf(videoIds);
  }

  /** Builds the demo items; the same on every call and every JVM. */
  static DemoCollection generate() {
    // Images take the first IMAGES vectors; video segments draw from the rest by topic, so a
    // video's scenes can be chosen to be about given topics. The pool is ~100 vectors per topic,
    // far more than the ~10 segments any topic needs.
    SyntheticVectors vectors = SyntheticVectors.clustered(2 * IMAGES, DIM, TOPICS, SEED);
    float[][] v = vectors.vectors();
    int[] labels = vectors.labels();
    Random random = new Random(SEED);
    List<Item> items = new ArrayList<>(IMAGES + VIDEOS);
    Map<String, String> captions = new HashMap<>();

    for (int i = 0; i < IMAGES; i++) {
      String id = String.format(Locale.ROOT, "img-%04d", i + 1);
      int topic = labels[i];
      String caption =
          "synthetic item "
              + (i + 1)
              + " about "
              + topic(topic)
              + ": a "
              + theme(topic)
              + " "
              + SETTINGS[random.nextInt(SETTINGS.length)];
      captions.put(id, caption);
      items.add(
          Item.builder(id, "image")
              .text(CAPTION, caption)
              .meta("topic", topic(topic))
              .meta("year", 2000L + random.nextInt(25))
              .vector(SPACE, v[i])
              .build());
    }

    List<ArrayDeque<float[]>> pool = new ArrayList<>();
    for (int t = 0; t < TOPICS; t++) {
      pool.add(new ArrayDeque<>());
    }
    for (int i = IMAGES; i < v.length; i++) {
      pool.get(labels[i]).add(v[i]);
    }

    List<String> videoIds = new ArrayList<>();
    for (int n = 0; n < VIDEOS; n++) {
      String id = String.format(Locale.ROOT, "vid-%02d", n + 1);
      // Scenes alternate between two topics, so a topic query matches two segments of the same
      // video: exactly what grouping by parent collapses.
      int first = n % TOPICS;
      int second = (n + 7) % TOPICS;
      String caption =
          "synthetic video "
              + (n + 1)
              + " about "
              + topic(first)
              + " and "
              + topic(second)
              + ": "
              + theme(first)
              + " and "
              + theme(second)
              + " scenes";
      captions.put(id, caption);
      Item.Builder video =
          Item.builder(id, "video")
              .text(CAPTION, caption)
              .meta("topic", List.of(topic(first), topic(second)))
              .meta("year", 2000L + random.nextInt(25));
      double start = 0;
      for (int s = 0; s < SEGMENTS_PER_VIDEO; s++) {
        int topic = s % 2 == 0 ? first : second;
        float[] segmentVector = pool.get(topic).poll();
        if (segmentVector == null) {
          throw new IllegalStateException(
              "demo vector pool ran out of vectors for " + topic(topic));
        }
        double end = start + 4 + random.nextInt(9); // scenes of 4..12 s
        video.segment(
            new Segment(start, end, "scene about " + theme(topic), Map.of(SPACE, segmentVector)));
        start = end;
      }
      items.add(video.build());
      videoIds.add(id);
    }
    return new DemoCollection(vectors, items, captions, videoIds);
  }

  /** The collection's configuration: one 384-d cosine float32 space, typed topic and year. */
  CollectionConfig config() {
    return CollectionConfig.of(NAME, SpaceConfig.of(SPACE, DIM, Similarity.COSINE))
        .withField("topic", FieldType.KEYWORD)
        .withField("year", FieldType.LONG);
  }

  /** Images first, then videos. */
  List<Item> items() {
    return items;
  }

  /** Ids of the video items (the {@value #VIDEO_SET} filter set). */
  List<String> videoIds() {
    return videoIds;
  }

  /** The caption an item was indexed with. */
  String caption(String id) {
    String c = captions.get(id);
    if (c == null) {
      throw new IllegalArgumentException("no demo item '" + id + "'");
    }
    return c;
  }

  /** Vector documents the collection holds: one per image, one per video segment. */
  int vectorCount() {
    return items.stream().mapToInt(Item::vectorDocCount).sum();
  }

  /** How many items have {@code year >= from}. */
  long countYearAtLeast(long from) {
    return items.stream().filter(i -> (Long) i.metadata().get("year") >= from).count();
  }

  /** The centre of a topic's cluster: the ideal query for that topic. */
  float[] centroid(int topic) {
    return vectors.centroid(topic);
  }

  /** Fresh query vectors from the collection's distribution (not copies of indexed vectors). */
  float[][] queries(int n, long seed) {
    return vectors.queries(n, seed);
  }

  /** {@code topic-07} for topic 7. */
  static String topic(int topic) {
    return String.format(Locale.ROOT, "topic-%02d", topic);
  }

  /** The word captions use for a topic ("canyon" for topic 7). */
  static String theme(int topic) {
    return THEMES[topic];
  }
}
