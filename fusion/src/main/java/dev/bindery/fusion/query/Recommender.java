package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.UnprocessableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a {@link Recommend} over the backend contract only ({@link IndexBackend#get} for the
 * examples' stored vectors, {@link IndexBackend#knn} for candidates), so every backend gets it.
 *
 * <p>The examples are left out of the results without an id filter in the contract: each kNN asks
 * for as many more hits as there are example ids and drops those ids. A grouped kNN returns an item
 * at most once, so what remains is exactly the k best items that are not examples, the same answer
 * an exclusion pre-filter gives. Stateless apart from the backend; thread-safe.
 */
public final class Recommender {
  private final IndexBackend backend;

  public Recommender(IndexBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /**
   * A recommend with its examples resolved to vectors in one space.
   *
   * @param space the space searched
   * @param similarity that space's similarity
   * @param positive the positive examples' vectors (cosine spaces: unit length)
   * @param negative the negative examples' vectors
   * @param excluded ids of the items the examples name, left out of every result
   * @param strategy how to rank
   */
  public record Examples(
      String space,
      Similarity similarity,
      List<float[]> positive,
      List<float[]> negative,
      Set<String> excluded,
      RecommendStrategy strategy) {
    public Examples {
      positive = List.copyOf(positive);
      negative = List.copyOf(negative);
      excluded = Set.copyOf(excluded);
    }
  }

  /**
   * Resolves the examples: an {@code item:ID} example is that item's stored item-level vector, any
   * other example is resolved by {@link EmbeddingArithmetic} (unit length). The space is {@link
   * Recommend#space()} or else the one space every example fits.
   *
   * @throws NotFoundException naming an example item that is not in the collection
   * @throws UnprocessableException for an empty collection
   * @throws IllegalArgumentException naming the example and the reason: no space fits every
   *     example, several do, an item without an item-level vector in the space, a wrong dimension
   */
  public Examples resolve(String collection, Recommend recommend, TermEmbedder embedder) {
    Objects.requireNonNull(recommend, "recommend");
    CollectionInfo info = backend.describe(collection);
    if (info.count() == 0) {
      throw new UnprocessableException(
          "collection '"
              + collection
              + "' is empty: recommend needs example items and items to recommend");
    }
    Map<String, SpaceConfig> spaces = info.config().spaces();
    Map<String, Item> items = new LinkedHashMap<>();
    EmbeddingArithmetic arithmetic =
        new EmbeddingArithmetic(
            collection, spaces, embedder, id -> Optional.of(item(collection, id, items)));
    List<QueryExpr> all = new ArrayList<>(recommend.positive());
    all.addAll(recommend.negative());
    // The spaces each example can live in, then the one they share.
    Map<QueryExpr, Set<String>> fits = new LinkedHashMap<>();
    for (QueryExpr e : all) {
      String id = Recommend.itemId(e);
      fits.put(
          e,
          id != null
              ? new TreeSet<>(item(collection, id, items).vectors().keySet())
              : arithmetic.spacesFor(e));
    }
    String space = chooseSpace(collection, recommend, spaces, fits);
    SpaceConfig config = spaces.get(space);
    List<float[]> positive = new ArrayList<>();
    for (QueryExpr e : recommend.positive()) {
      positive.add(vector(collection, e, config, items, arithmetic));
    }
    List<float[]> negative = new ArrayList<>();
    for (QueryExpr e : recommend.negative()) {
      negative.add(vector(collection, e, config, items, arithmetic));
    }
    return new Examples(
        space,
        config.similarity(),
        positive,
        negative,
        recommend.exampleIds(),
        recommend.strategy());
  }

  /**
   * The k best items for the examples among those passing {@code filter}, examples left out.
   *
   * @param k hits wanted; for {@link RecommendStrategy#BEST_SCORE} also how many nearest items of
   *     each positive are candidates
   * @param minScore hits scoring below this are left out (the strategy's score), or null
   * @param mode HNSW or exact kNN for the candidate searches
   */
  public SearchResult search(
      String collection,
      Examples examples,
      int k,
      Filter filter,
      Double minScore,
      SearchMode mode) {
    Objects.requireNonNull(examples, "examples");
    // One more hit per example id, so k remain once the examples are dropped.
    int depth = Math.min(KnnQuery.MAX_K, k + examples.excluded().size());
    return switch (examples.strategy()) {
      case AVERAGE_VECTOR -> {
        float[] q = averageVector(examples);
        SearchResult r =
            backend.knn(
                collection,
                new KnnQuery(examples.space(), q, depth, filter, 0, mode, true, minScore));
        yield without(r, examples.excluded(), k);
      }
      case BEST_SCORE -> bestScore(collection, examples, k, depth, filter, minScore, mode);
    };
  }

  /**
   * {@code mean(P) + (mean(P) - mean(N))}, or {@code mean(P)} without negatives; unit length in
   * cosine and dot spaces, where only the direction counts. In an L2 space the point itself is
   * searched for.
   *
   * @throws IllegalArgumentException if the examples cancel out in a cosine or dot space
   */
  static float[] averageVector(Examples examples) {
    int dim = examples.positive().get(0).length;
    double[] q = new double[dim];
    boolean negatives = !examples.negative().isEmpty();
    double wp = (negatives ? 2.0 : 1.0) / examples.positive().size();
    for (float[] p : examples.positive()) {
      for (int i = 0; i < dim; i++) {
        q[i] += wp * p[i];
      }
    }
    if (negatives) {
      double wn = 1.0 / examples.negative().size();
      for (float[] n : examples.negative()) {
        for (int i = 0; i < dim; i++) {
          q[i] -= wn * n[i];
        }
      }
    }
    double scale = 1;
    if (examples.similarity() != Similarity.L2) {
      double norm = 0;
      for (double x : q) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      if (!(norm > 1e-12)) {
        throw new BadArgumentException(
            "the recommend's average vector is zero: its positive and negative examples cancel"
                + " out; give examples that differ");
      }
      scale = 1 / norm;
    }
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = (float) (q[i] * scale);
    }
    return out;
  }

  private SearchResult bestScore(
      String collection,
      Examples examples,
      int k,
      int depth,
      Filter filter,
      Double minScore,
      SearchMode mode) {
    // Candidates: each positive's nearest items. Scores are then computed exactly from the
    // candidates' stored vectors, because a candidate found near one example has no score for the
    // others in a kNN answer.
    Set<String> pool = new LinkedHashSet<>();
    long visited = 0;
    int segments = 0;
    int exactSegments = 0;
    int rescored = 0;
    Set<SearchResult.Strategy> strategies = new LinkedHashSet<>();
    for (float[] p : examples.positive()) {
      SearchResult r =
          backend.knn(
              collection, new KnnQuery(examples.space(), p, depth, filter, 0, mode, true, null));
      for (Hit h : r.hits()) {
        if (!examples.excluded().contains(h.id())) {
          pool.add(h.id());
        }
      }
      visited += r.visited();
      segments = Math.max(segments, r.segments());
      exactSegments = Math.max(exactSegments, r.exactSegments());
      rescored += r.rescored();
      strategies.add(r.strategy());
    }
    List<Hit> scored = new ArrayList<>(pool.size());
    for (String id : pool) {
      Item item = backend.get(collection, id).orElse(null);
      if (item == null) {
        continue; // deleted since the kNN searches ran: no longer a result
      }
      Hit h = score(item, examples);
      if (h != null && (minScore == null || h.score() >= minScore)) {
        scored.add(h);
      }
    }
    scored.sort(Hit.RANKING);
    SearchResult.Strategy strategy =
        strategies.size() == 1
            ? strategies.iterator().next()
            : SearchResult.Strategy.HNSW_WITH_EXACT_FALLBACK;
    return new SearchResult(
        scored.subList(0, Math.min(k, scored.size())),
        strategy,
        visited,
        segments,
        exactSegments,
        rescored);
  }

  /**
   * An item's best-score hit: {@code sp} = its best similarity to a positive, {@code sn} = to a
   * negative, each over the item's vectors in the space (item-level and segments, as grouped kNN
   * does); {@code sp} when {@code sp > sn}, else {@code -1 - (sn - sp)}. Null if the item has no
   * vector in the space.
   */
  static Hit score(Item item, Examples examples) {
    List<float[]> vectors = new ArrayList<>();
    List<Integer> segmentOf = new ArrayList<>();
    float[] own = item.vectors().get(examples.space());
    if (own != null) {
      vectors.add(own);
      segmentOf.add(-1);
    }
    List<Segment> segs = item.segments();
    for (int i = 0; i < segs.size(); i++) {
      float[] v = segs.get(i).vectors().get(examples.space());
      if (v != null) {
        vectors.add(v);
        segmentOf.add(i);
      }
    }
    if (vectors.isEmpty()) {
      return null;
    }
    double sp = Double.NEGATIVE_INFINITY;
    int best = -1;
    for (float[] p : examples.positive()) {
      for (int v = 0; v < vectors.size(); v++) {
        double s = similarity(examples.similarity(), vectors.get(v), p);
        if (s > sp) {
          sp = s;
          best = v;
        }
      }
    }
    double sn = Double.NEGATIVE_INFINITY;
    for (float[] n : examples.negative()) {
      for (float[] v : vectors) {
        sn = Math.max(sn, similarity(examples.similarity(), v, n));
      }
    }
    double score = sp > sn ? sp : -1 - (sn - sp);
    int segment = segmentOf.get(best);
    Hit.SegmentMatch match =
        segment < 0
            ? null
            : new Hit.SegmentMatch(segment, segs.get(segment).start(), segs.get(segment).end());
    return new Hit(
        item.id(), (float) score, item.modality(), item.source(), item.metadata(), match);
  }

  /** The space's user score: cosine, dot product, or 1 / (1 + squared distance). */
  static double similarity(Similarity similarity, float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    double d2 = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
      double d = (double) a[i] - b[i];
      d2 += d * d;
    }
    return switch (similarity) {
      case COSINE -> dot / Math.sqrt(na * nb);
      case DOT_PRODUCT -> dot;
      case L2 -> 1 / (1 + d2);
    };
  }

  /** {@code r} without the hits of {@code excluded} ids, cut to k. */
  static SearchResult without(SearchResult r, Set<String> excluded, int k) {
    List<Hit> kept = new ArrayList<>(Math.min(k, r.hits().size()));
    for (Hit h : r.hits()) {
      if (kept.size() == k) {
        break;
      }
      if (!excluded.contains(h.id())) {
        kept.add(h);
      }
    }
    return kept.size() == r.hits().size()
        ? r
        : new SearchResult(
            kept, r.strategy(), r.visited(), r.segments(), r.exactSegments(), r.rescored());
  }

  private String chooseSpace(
      String collection,
      Recommend recommend,
      Map<String, SpaceConfig> spaces,
      Map<QueryExpr, Set<String>> fits) {
    if (recommend.space() != null) {
      if (!spaces.containsKey(recommend.space())) {
        throw new BadArgumentException(
            "recommend names space '"
                + recommend.space()
                + "', which collection '"
                + collection
                + "' does not have; it has "
                + new TreeSet<>(spaces.keySet()));
      }
      fits.forEach(
          (e, s) -> {
            if (!s.contains(recommend.space())) {
              throw new BadArgumentException(
                  "recommend example "
                      + e
                      + " cannot be in space '"
                      + recommend.space()
                      + "'; it fits "
                      + (s.isEmpty() ? "no space" : s));
            }
          });
      return recommend.space();
    }
    Set<String> shared = new TreeSet<>(spaces.keySet());
    fits.values().forEach(shared::retainAll);
    if (shared.size() == 1) {
      return shared.iterator().next();
    }
    StringBuilder each = new StringBuilder();
    fits.forEach(
        (e, s) -> each.append(each.isEmpty() ? "" : ", ").append(e).append(" fits ").append(s));
    throw new BadArgumentException(
        "recommend examples must share one space of collection '"
            + collection
            + "', "
            + (shared.isEmpty()
                ? "but no space fits them all: " + each
                : "and spaces " + shared + " all fit; name one with space=NAME (JSON: \"space\")"));
  }

  private float[] vector(
      String collection,
      QueryExpr example,
      SpaceConfig space,
      Map<String, Item> items,
      EmbeddingArithmetic arithmetic) {
    String id = Recommend.itemId(example);
    if (id == null) {
      return arithmetic.resolve(example, space.name()).vector();
    }
    Item item = item(collection, id, items);
    float[] v = item.vectors().get(space.name());
    if (v == null) {
      throw new BadArgumentException(
          "recommend example item '"
              + id
              + "' has no item-level vector in space '"
              + space.name()
              + "'; it has "
              + new TreeSet<>(item.vectors().keySet()));
    }
    if (v.length != space.dim()) {
      throw new IllegalStateException(
          "item '" + id + "' has " + v.length + " dimensions in " + space.dim() + "-d space");
    }
    if (space.similarity() != Similarity.COSINE) {
      return v.clone();
    }
    // Cosine ranks by direction only: every example counts the same whatever its stored length.
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    float[] unit = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      unit[i] = (float) (v[i] / norm);
    }
    return unit;
  }

  private Item item(String collection, String id, Map<String, Item> items) {
    Item item = items.get(id);
    if (item == null) {
      item =
          backend
              .get(collection, id)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "recommend example item '"
                              + id
                              + "' is not in collection '"
                              + collection
                              + "'"));
      items.put(id, item);
    }
    return item;
  }
}
