package dev.bindery.fusion.query;

import dev.bindery.fusion.rank.FusedHit;
import dev.bindery.fusion.rank.LegResult;
import dev.bindery.fusion.rank.LegScore;
import dev.bindery.fusion.rank.Mmr;
import dev.bindery.fusion.rank.RankFusion;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.ValueCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a {@link QuerySpec} against a collection: embedding arithmetic into one query vector, one
 * kNN leg for its space ({@code knn:<space>}), a recommend leg ({@code recommend:<space>}, run by
 * {@link Recommender}; its examples are left out of every leg) and a BM25 leg ({@code bm25}) when
 * the spec has them, all under the same filter; two or more legs are fused with {@link RankFusion},
 * a single leg keeps its own ranking and scores; optional MMR over the candidates using the stored
 * vectors; explain per hit. Stateless apart from the backend; thread-safe.
 */
public final class QueryExecutor {
  /** Name of the BM25 leg, for fusion weights and explain. */
  public static final String BM25_LEG = "bm25";

  /** Prefix of kNN leg names: {@code knn:<space>}. */
  public static final String KNN_PREFIX = "knn:";

  /** Prefix of recommend leg names: {@code recommend:<space>}. */
  public static final String RECOMMEND_PREFIX = "recommend:";

  private final IndexBackend backend;
  private final Recommender recommender;

  public QueryExecutor(IndexBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.recommender = new Recommender(backend);
  }

  /** Resolves a vector expression to one normalized vector in one space of the collection. */
  public QueryVector resolve(String collection, QueryExpr expr, TermEmbedder embedder) {
    CollectionConfig config = backend.config(collection);
    return new EmbeddingArithmetic(
            collection, config.spaces(), embedder, id -> backend.get(collection, id))
        .resolve(expr);
  }

  /**
   * Searches.
   *
   * @throws IllegalArgumentException for a query that cannot run: see {@link EmbeddingArithmetic},
   *     fusion weights naming legs the query does not have
   */
  public SearchResponse search(
      String collection, QuerySpec spec, SearchOptions options, TermEmbedder embedder) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(embedder, "embedder");
    long start = System.nanoTime();
    CollectionConfig config = backend.config(collection);

    String knnSpace = null;
    float[] queryVector = null;
    List<String> legNames = new ArrayList<>();
    if (spec.expression() != null) {
      QueryVector qv =
          new EmbeddingArithmetic(
                  collection, config.spaces(), embedder, id -> backend.get(collection, id))
              .resolve(spec.expression());
      knnSpace = qv.space();
      queryVector = qv.vector();
      legNames.add(KNN_PREFIX + knnSpace);
    }
    Recommender.Examples examples = null;
    Set<String> excluded = Set.of();
    if (spec.recommend() != null) {
      examples = recommender.resolve(collection, spec.recommend(), embedder);
      excluded = examples.excluded();
      legNames.add(RECOMMEND_PREFIX + examples.space());
    }
    if (spec.bm25() != null) {
      legNames.add(BM25_LEG);
    }
    for (String weighted : options.fusion().weights().keySet()) {
      if (!legNames.contains(weighted)) {
        throw new BadArgumentException(
            "fusion weight for leg '" + weighted + "', but this query's legs are " + legNames);
      }
    }
    for (String thresholded : options.legMinScores().keySet()) {
      if (!legNames.contains(thresholded)) {
        throw new BadArgumentException(
            "leg min score for leg '" + thresholded + "', but this query's legs are " + legNames);
      }
    }
    int fingerprint = fingerprint(collection, spec, options);
    if (options.after() != null && options.after().fingerprint() != fingerprint) {
      throw new BadArgumentException(
          "the cursor was issued for another query, filter or options; a cursor continues only"
              + " the search that returned it (k may change between pages)");
    }
    boolean fusing = legNames.size() > 1;
    boolean mmr = options.mmrLambda() != null;
    // Best-score candidates depend on how deep each positive's search goes (a deeper one can
    // bring an item that outranks one found shallower), so like a fused query every page of it
    // cuts one candidate pool of a fixed depth.
    boolean bestScore = examples != null && examples.strategy() == RecommendStrategy.BEST_SCORE;
    int depth = options.legDepth(fusing || mmr || bestScore);
    // The examples never come back: the other legs fetch as many more and drop them too.
    int fetch = Math.min(KnnQuery.MAX_K, depth + excluded.size());

    List<LegResult> legs = new ArrayList<>();
    Map<String, LegInfo> infos = new LinkedHashMap<>();
    if (queryVector != null) {
      String leg = KNN_PREFIX + knnSpace;
      KnnQuery q =
          new KnnQuery(
              knnSpace,
              queryVector,
              fetch,
              options.filter(),
              0,
              SearchMode.AUTO,
              true,
              options.legMinScores().get(leg));
      SearchResult r = Recommender.without(backend.knn(collection, q), excluded, depth);
      legs.add(LegResult.of(leg, r));
      infos.put(leg, new LegInfo("knn", knnSpace, r.strategy(), r.visited(), r.hits().size()));
    }
    if (examples != null) {
      String leg = RECOMMEND_PREFIX + examples.space();
      SearchResult r =
          recommender.search(
              collection,
              examples,
              depth,
              options.filter(),
              options.legMinScores().get(leg),
              SearchMode.AUTO);
      legs.add(LegResult.of(leg, r));
      infos.put(
          leg,
          new LegInfo("recommend", examples.space(), r.strategy(), r.visited(), r.hits().size()));
    }
    if (spec.bm25() != null) {
      SearchResult r =
          backend.text(
              collection,
              new TextQuery(
                  spec.bm25(),
                  options.bm25Fields(),
                  fetch,
                  options.filter(),
                  options.legMinScores().get(BM25_LEG)));
      r = Recommender.without(r, excluded, depth);
      legs.add(LegResult.of(BM25_LEG, r));
      infos.put(BM25_LEG, new LegInfo("bm25", null, r.strategy(), r.visited(), r.hits().size()));
    }

    List<FusedHit> ranked;
    // Without MMR: the whole fused list (at most the legs' hits), then threshold and page.
    int keep = mmr ? depth : legs.stream().mapToInt(l -> l.hits().size()).sum();
    if (fusing) {
      ranked = keep == 0 ? List.of() : RankFusion.fuse(legs, options.fusion(), keep);
    } else {
      ranked = asIs(legs.get(0), keep);
    }
    if (options.minScore() != null) {
      double min = options.minScore();
      ranked = ranked.stream().filter(h -> h.score() >= min).toList();
    }
    Map<String, Facet> facets = facets(collection, config, ranked, options);
    if (!mmr) {
      ranked = page(ranked, options);
    }
    if (mmr && !ranked.isEmpty()) {
      String space =
          mmrSpace(
              config, knnSpace != null ? knnSpace : examples == null ? null : examples.space());
      Map<String, float[]> vectors = new LinkedHashMap<>();
      List<FusedHit> present = new ArrayList<>(ranked.size());
      for (FusedHit h : ranked) {
        float[] v = storedVector(collection, h.hit(), space);
        if (v != null) {
          vectors.put(h.id(), v);
          present.add(h);
        }
      }
      ranked = Mmr.rerank(present, vectors::get, options.mmrLambda(), options.k());
    }

    List<ResultHit> hits = new ArrayList<>(ranked.size());
    for (FusedHit f : ranked) {
      Hit h = f.hit();
      hits.add(
          new ResultHit(
              h.id(),
              f.score(),
              h.modality(),
              h.source(),
              h.metadata(),
              h.segment(),
              options.explain() ? f.explain(legs) : null));
    }
    String next = null;
    if (!mmr && hits.size() == options.k()) {
      ResultHit last = hits.get(hits.size() - 1);
      next =
          new SearchCursor(
                  last.score(), last.id(), options.start() + hits.size(), depth, fingerprint)
              .encode();
    }
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    return new SearchResponse(hits, tookMs, infos, next, facets);
  }

  /**
   * The facets asked for: counted by the backend over every item passing the filter, or here over
   * the top N hits of the ranking (after thresholds, before paging).
   */
  private Map<String, Facet> facets(
      String collection, CollectionConfig config, List<FusedHit> ranked, SearchOptions options) {
    FacetRequest request = options.facets();
    if (request == null) {
      return Map.of();
    }
    Map<String, FieldType> types = ValueCounts.fieldTypes(config, request.fields());
    Map<String, Map<Object, Long>> counts;
    if (request.topHits() == 0) {
      counts = backend.valueCounts(collection, options.filter(), request.fields());
    } else {
      ValueCounts c = new ValueCounts(config, request.fields());
      for (FusedHit h : ranked.subList(0, Math.min(request.topHits(), ranked.size()))) {
        c.add(h.id(), h.hit().metadata());
      }
      counts = c.counts();
    }
    Map<String, Facet> out = new LinkedHashMap<>();
    types.forEach(
        (field, type) ->
            out.put(
                field,
                Facet.of(field, type, counts.getOrDefault(field, Map.of()), request.size())));
    return out;
  }

  /** This page of a ranked list: after the cursor, or from the offset; k hits at most. */
  private static List<FusedHit> page(List<FusedHit> ranked, SearchOptions options) {
    int from;
    SearchCursor after = options.after();
    if (after == null) {
      from = Math.min(options.offset(), ranked.size());
    } else {
      from = 0;
      while (from < ranked.size()
          && !after.before(ranked.get(from).score(), ranked.get(from).id())) {
        from++;
      }
    }
    return ranked.subList(from, Math.min(ranked.size(), from + options.k()));
  }

  /**
   * What a cursor must continue: the collection, query and every option that changes the ranking
   * (not k, which may change between pages).
   */
  private static int fingerprint(String collection, QuerySpec spec, SearchOptions o) {
    return java.util.Objects.hash(
        collection,
        // Vectors by their bits, not printed: formatting a 384-float literal cost ~5% of a search.
        ExpressionPrinter.identity(spec),
        String.valueOf(o.filter()),
        o.fusion().toString(),
        o.candidates(),
        o.bm25Fields(),
        o.minScore(),
        o.legMinScores());
  }

  /** A single leg's ranking as it is, in the fused-hit shape: its score is the leg's score. */
  private static List<FusedHit> asIs(LegResult leg, int k) {
    List<FusedHit> out = new ArrayList<>();
    List<Hit> hits = leg.hits();
    for (int i = 0; i < hits.size() && i < k; i++) {
      Hit h = hits.get(i);
      out.add(
          new FusedHit(h, h.score(), Map.of(leg.leg(), new LegScore(i + 1, h.score(), h.score()))));
    }
    return out;
  }

  private static String mmrSpace(CollectionConfig config, String knnSpace) {
    if (knnSpace != null) {
      return knnSpace;
    }
    if (config.spaces().size() == 1) {
      return config.spaces().keySet().iterator().next();
    }
    throw new BadArgumentException(
        "MMR needs vectors, but this BM25-only query names no space and collection '"
            + config.name()
            + "' has several: "
            + new TreeSet<>(config.spaces().keySet())
            + "; add a vector expression");
  }

  /**
   * The item-level vector, else the matched segment's, else the first segment's; null if the item
   * was deleted after the legs searched (a concurrent delete), so it is no longer a result.
   */
  private float[] storedVector(String collection, Hit hit, String space) {
    Item item = backend.get(collection, hit.id()).orElse(null);
    if (item == null) {
      return null;
    }
    float[] v = item.vectors().get(space);
    if (v != null) {
      return v;
    }
    List<Segment> segments = item.segments();
    if (hit.segment() != null && hit.segment().index() < segments.size()) {
      v = segments.get(hit.segment().index()).vectors().get(space);
    }
    for (int i = 0; v == null && i < segments.size(); i++) {
      v = segments.get(i).vectors().get(space);
    }
    if (v == null) {
      throw new BadArgumentException(
          "MMR needs a vector in space '" + space + "' but item '" + hit.id() + "' has none");
    }
    return v;
  }
}
