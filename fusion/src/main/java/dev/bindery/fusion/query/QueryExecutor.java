package dev.bindery.fusion.query;

import dev.bindery.fusion.rank.FusedHit;
import dev.bindery.fusion.rank.LegResult;
import dev.bindery.fusion.rank.LegScore;
import dev.bindery.fusion.rank.Mmr;
import dev.bindery.fusion.rank.RankFusion;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.TextQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Runs a {@link QuerySpec} against a collection: embedding arithmetic into one query vector, one
 * kNN leg for its space ({@code knn:<space>}) and a BM25 leg ({@code bm25}) when the spec has BM25
 * text, all under the same filter; two or more legs are fused with {@link RankFusion}, a single leg
 * keeps its own ranking and scores; optional MMR over the candidates using the stored vectors;
 * explain per hit. Stateless apart from the backend; thread-safe.
 */
public final class QueryExecutor {
  /** Name of the BM25 leg, for fusion weights and explain. */
  public static final String BM25_LEG = "bm25";

  /** Prefix of kNN leg names: {@code knn:<space>}. */
  public static final String KNN_PREFIX = "knn:";

  private final IndexBackend backend;

  public QueryExecutor(IndexBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /** Resolves a vector expression to one normalized vector in one space of the collection. */
  public QueryVector resolve(String collection, QueryExpr expr, TermEmbedder embedder) {
    CollectionConfig config = backend.describe(collection).config();
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
    CollectionConfig config = backend.describe(collection).config();

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
    if (spec.bm25() != null) {
      legNames.add(BM25_LEG);
    }
    for (String weighted : options.fusion().weights().keySet()) {
      if (!legNames.contains(weighted)) {
        throw new IllegalArgumentException(
            "fusion weight for leg '" + weighted + "', but this query's legs are " + legNames);
      }
    }
    boolean fusing = legNames.size() > 1;
    boolean mmr = options.mmrLambda() != null;
    int depth = options.legDepth(fusing || mmr);

    List<LegResult> legs = new ArrayList<>();
    Map<String, LegInfo> infos = new LinkedHashMap<>();
    if (queryVector != null) {
      KnnQuery q =
          new KnnQuery(knnSpace, queryVector, depth, options.filter(), 0, SearchMode.AUTO, true);
      SearchResult r = backend.knn(collection, q);
      String leg = KNN_PREFIX + knnSpace;
      legs.add(LegResult.of(leg, r));
      infos.put(leg, new LegInfo("knn", knnSpace, r.strategy(), r.visited(), r.hits().size()));
    }
    if (spec.bm25() != null) {
      SearchResult r =
          backend.text(
              collection,
              new TextQuery(spec.bm25(), options.bm25Fields(), depth, options.filter()));
      legs.add(LegResult.of(BM25_LEG, r));
      infos.put(BM25_LEG, new LegInfo("bm25", null, r.strategy(), r.visited(), r.hits().size()));
    }

    List<FusedHit> ranked;
    int keep = mmr ? depth : options.k();
    if (fusing) {
      ranked = RankFusion.fuse(legs, options.fusion(), keep);
    } else {
      ranked = asIs(legs.get(0), keep);
    }
    if (mmr && !ranked.isEmpty()) {
      String space = mmrSpace(config, knnSpace);
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
              options.explain() ? f.toExplainMap(legs) : null));
    }
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    return new SearchResponse(hits, tookMs, infos);
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
    throw new IllegalArgumentException(
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
      throw new IllegalArgumentException(
          "MMR needs a vector in space '" + space + "' but item '" + hit.id() + "' has none");
    }
    return v;
  }
}
