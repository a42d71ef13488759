package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.DataUrl;
import dev.bindery.fusion.query.Facet;
import dev.bindery.fusion.query.FacetRequest;
import dev.bindery.fusion.query.LegInfo;
import dev.bindery.fusion.query.QueryExecutor;
import dev.bindery.fusion.query.QueryLimits;
import dev.bindery.fusion.query.QueryParser;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.QuerySpecJson;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchCursor;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.query.SearchResponse;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.FusionMethod;
import dev.bindery.fusion.rank.Normalization;
import dev.bindery.generator.rag.Answer;
import dev.bindery.generator.rag.RagPipeline;
import dev.bindery.generator.rag.RetrievedItem;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.server.http.Api.AskBody;
import dev.bindery.server.http.Api.AskRequest;
import dev.bindery.server.http.Api.ExplainBody;
import dev.bindery.server.http.Api.FacetBody;
import dev.bindery.server.http.Api.FacetRangeBody;
import dev.bindery.server.http.Api.FacetValueBody;
import dev.bindery.server.http.Api.FusionRequest;
import dev.bindery.server.http.Api.HitBody;
import dev.bindery.server.http.Api.LegBody;
import dev.bindery.server.http.Api.SearchBody;
import dev.bindery.server.http.Api.SearchRequest;
import dev.bindery.server.http.Api.SegmentBody;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /v1/collections/{name}/search} and {@code .../ask} (through the generator module's
 * {@link RagPipeline}). A search runs on the {@link SearchPool} (bounded, with a deadline) through
 * the same {@link QueryExecutor} as {@link Bindery#search}, with one difference: query media come
 * only as data: URLs ({@link HttpTermEmbedder}), because a path in a remote query must not read the
 * server's files.
 */
final class SearchController {
  static final int DEFAULT_K = 10;

  private final Bindery bindery;
  private final ServerConfig config;
  private final HttpIo io;
  private final SearchPool pool;
  private final ServerMetrics metrics;
  private final ContentFiles content;
  private final QueryExecutor executor;
  private final QueryParser parser;
  private final QuerySpecJson specJson;
  private final RagPipeline rag;
  private final DecodeGate decodes;
  private final RequestBounds bounds;

  SearchController(
      Bindery bindery,
      ServerConfig config,
      HttpIo io,
      SearchPool pool,
      ServerMetrics metrics,
      ContentFiles content,
      RagPipeline rag,
      DecodeGate decodes) {
    this.decodes = decodes;
    this.bounds = new RequestBounds(io.json(), config.maxExpressionLength());
    this.bindery = bindery;
    this.config = config;
    this.io = io;
    this.pool = pool;
    this.metrics = metrics;
    this.content = content;
    this.rag = rag;
    this.executor = new QueryExecutor(bindery.backend());
    QueryLimits limits =
        new QueryLimits(
            config.maxExpressionLength(),
            QueryLimits.DEFAULT.maxTerms(),
            QueryLimits.DEFAULT.maxDepth());
    this.parser = new QueryParser(limits);
    this.specJson = new QuerySpecJson(limits);
  }

  List<Route> routes() {
    return List.of(
        Route.of(HandlerType.POST, "/v1/collections/{name}/search", "search")
            .summary(
                "Search with an expression or a JSON query spec, or recommend from examples;"
                    + " filters, fusion, MMR, paging, facets")
            .scope(Scope.READ)
            .body(SearchRequest.class)
            .responds(200, SearchBody.class)
            .responseHeader(
                ServerTiming.HEADER,
                "Where the request's time went inside the server (W3C Server-Timing), in"
                    + " milliseconds, phases in the order they ran: read (body, parse, checks),"
                    + " wait (queued for a search thread), search (the engine), respond (writing"
                    + " the JSON), total (first handler to header)")
            .errors(404, 422, 503)
            .handler(this::search),
        Route.of(HandlerType.POST, "/v1/collections/{name}/ask", "ask")
            .summary("Answer a question over retrieved items, citing them")
            .scope(Scope.READ)
            .body(AskRequest.class)
            .responds(200, AskBody.class)
            .errors(404, 422, 502, 503)
            .handler(this::ask));
  }

  private void search(Context ctx, Caller caller) throws Exception {
    ServerTiming timing = new ServerTiming(BinderyServer.startNanos(ctx));
    String collection = ctx.pathParam("name");
    byte[] body = io.body(ctx);
    bounds.check(body, "request body");
    SearchRequest req = io.json().read(body, SearchRequest.class, "request body");
    QuerySpec spec = req.recommend() == null ? query(req.query()) : recommend(req);
    SearchOptions options = options(req);
    HttpTermEmbedder embedder = new HttpTermEmbedder(bindery.embedder(collection), decodes);
    timing.phase("read");
    long start = System.nanoTime();
    CompletableFuture<SearchResponse> found;
    try {
      found =
          pool.submit("search", () -> executor.search(collection, spec, options, embedder), timing);
    } catch (RuntimeException e) {
      throw DroppedCollection.or(bindery, collection, e);
    }
    // The search thread that finishes the search writes the response (Javalin runs the rest of
    // the request where the future completes): no hand-off back to a request thread.
    ctx.future(
        () ->
            found.handle(
                (r, e) -> {
                  if (e != null) {
                    Throwable cause =
                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof RuntimeException re) {
                      throw DroppedCollection.or(bindery, collection, re);
                    }
                    throw new CompletionException(cause);
                  }
                  metrics.search(collection, System.nanoTime() - start);
                  respond(ctx, collection, r, timing);
                  return null;
                }));
  }

  private void respond(Context ctx, String collection, SearchResponse r, ServerTiming timing) {
    List<HitBody> hits = new ArrayList<>(r.hits().size());
    for (ResultHit h : r.hits()) {
      hits.add(
          new HitBody(
              h.id(),
              h.score(),
              h.modality(),
              h.source(),
              h.metadata(),
              h.segment() == null ? null : new SegmentBody(h.segment().start(), h.segment().end()),
              ExplainBody.of(h.explain()),
              content.url(collection, h.id(), h.source())));
    }
    Map<String, LegBody> legs = new LinkedHashMap<>();
    for (Map.Entry<String, LegInfo> e : r.legs().entrySet()) {
      LegInfo l = e.getValue();
      legs.put(
          e.getKey(),
          new LegBody(
              l.kind(),
              l.space(),
              l.strategy() == null ? null : l.strategy().name().toLowerCase(java.util.Locale.ROOT),
              l.visited(),
              l.hits()));
    }
    Map<String, FacetBody> facets = null;
    if (!r.facets().isEmpty()) {
      facets = new LinkedHashMap<>();
      for (Facet f : r.facets().values()) {
        boolean keyword = f.type() == dev.bindery.indexer.FieldType.KEYWORD;
        facets.put(
            f.field(),
            new FacetBody(
                f.type().wireName(),
                keyword
                    ? f.values().stream()
                        .map(v -> new FacetValueBody(v.value(), v.count()))
                        .toList()
                    : null,
                keyword
                    ? null
                    : f.ranges().stream()
                        .map(b -> new FacetRangeBody(b.from(), b.to(), b.count()))
                        .toList(),
                keyword ? f.otherCount() : null));
      }
    }
    byte[] json = io.json().write(new SearchBody(hits, r.tookMs(), legs, r.nextCursor(), facets));
    timing.phase("respond");
    ctx.header(ServerTiming.HEADER, timing.header());
    io.written(ctx, 200, json);
  }

  private void ask(Context ctx, Caller caller) throws Exception {
    String collection = ctx.pathParam("name");
    byte[] body = io.body(ctx);
    bounds.check(body, "request body");
    AskRequest req = io.json().read(body, AskRequest.class, "request body");
    if (req.question() == null) {
      throw new BadArgumentException("request body: 'question' is missing");
    }
    DataUrl image = req.image() == null ? null : questionImage(req.image());
    dev.bindery.generator.rag.AskRequest ask =
        RequestInput.at(
            "request body",
            () ->
                new dev.bindery.generator.rag.AskRequest(
                    collection,
                    req.question(),
                    image == null ? null : image.bytes(),
                    image == null ? null : "question." + image.extension(),
                    req.k() == null ? dev.bindery.generator.rag.AskRequest.DEFAULT_K : req.k(),
                    FilterJson.read(req.filter()),
                    req.interleave() != null && req.interleave()));
    bindery.describe(collection); // 404 before any work
    // A refusal is a question this collection cannot answer (an image question without an image
    // tower): well-formed, not answerable here.
    Answer answer =
        ProblemMapper.unprocessable(
            "cannot answer on '" + collection + "'",
            () ->
                pool.run(
                    "ask",
                    () ->
                        ask.image() == null
                            ? rag.ask(ask)
                            : decodes.run("the question's image", () -> rag.ask(ask))));
    Map<String, HitBody> byId = new LinkedHashMap<>();
    for (RetrievedItem h : answer.hits()) {
      byId.put(
          h.id(),
          new HitBody(
              h.id(),
              h.score(),
              h.modality(),
              h.source(),
              h.metadata(),
              h.segment() == null ? null : new SegmentBody(h.segment().start(), h.segment().end()),
              null,
              content.url(collection, h.id(), h.source())));
    }
    List<HitBody> cited = new ArrayList<>();
    for (String id : answer.citations()) {
      HitBody h = byId.get(id);
      if (h != null) {
        cited.add(h);
      }
    }
    io.json(
        ctx,
        200,
        new AskBody(
            answer.text(),
            answer.plainText(),
            answer.abstained(),
            cited,
            List.copyOf(byId.values()),
            answer.answeredBy(),
            answer.timings().totalMs()));
  }

  /** The question's image: a data: URL of an image type. */
  private static DataUrl questionImage(String value) {
    DataUrl url = DataUrl.parse(value, "request body at /image");
    if (!url.mime().startsWith("image/")) {
      throw new BadArgumentException(
          "request body at /image: expected an image, got '" + url.mime() + "'");
    }
    return url;
  }

  /** The query: an expression string (length-limited) or a JSON query spec. */
  QuerySpec query(JsonNode q) {
    if (q == null || q.isNull()) {
      throw new BadArgumentException("request body: 'query' is missing");
    }
    if (q.isTextual()) {
      String expression = q.textValue();
      if (expression.length() > config.maxExpressionLength()) {
        throw ApiProblem.badRequest(
                "request body at /query: the expression is "
                    + expression.length()
                    + " characters; this server accepts at most "
                    + config.maxExpressionLength()
                    + " (serve --max-expression)")
            .with("limit_chars", config.maxExpressionLength());
      }
      return parser.parse(expression);
    }
    if (q.isObject()) {
      return specJson.read(q);
    }
    throw new BadArgumentException(
        "request body at /query: expected an expression string or a query spec object, got "
            + q.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
  }

  /** A request's top-level 'recommend', which stands in for 'query'. */
  QuerySpec recommend(SearchRequest req) {
    if (req.query() != null && !req.query().isNull()) {
      throw ApiProblem.badRequest(
          "request body: give 'query' or 'recommend', not both; to fuse a recommend with other"
              + " legs put it in the query spec: {\"query\": {\"recommend\": {...}, \"bm25\":"
              + " \"...\"}}");
    }
    return RequestInput.at(
        "request body",
        () ->
            QuerySpec.of(
                specJson.readRecommend(
                    io.json().mapper().valueToTree(req.recommend()), "/recommend")));
  }

  /** The search options, each checked against the server's limits. */
  SearchOptions options(SearchRequest req) {
    int k = req.k() == null ? DEFAULT_K : req.k();
    if (k < 1 || k > config.maxK()) {
      throw ApiProblem.badRequest(
              "request body at /k: k must be in 1.." + config.maxK() + ", got " + k)
          .with("limit_k", config.maxK());
    }
    int maxCandidates = Math.min(KnnQuery.MAX_K, 10 * config.maxK());
    int candidates = req.candidates() == null ? 0 : req.candidates();
    if (candidates < 0 || candidates > maxCandidates) {
      throw new BadArgumentException(
          "request body at /candidates: must be in 0.." + maxCandidates + ", got " + candidates);
    }
    int offset = req.offset() == null ? 0 : req.offset();
    if (offset < 0) {
      throw new BadArgumentException("request body at /offset: must be >= 0, got " + offset);
    }
    SearchCursor cursor = null;
    if (req.cursor() != null) {
      if (req.offset() != null) {
        throw new BadArgumentException(
            "request body: give 'offset' or 'cursor', not both; a cursor already says where the"
                + " page starts");
      }
      cursor = RequestInput.at("request body at /cursor", () -> SearchCursor.decode(req.cursor()));
    }
    // Paging costs what a search of offset + k hits costs: the same limit as k.
    long depth = (long) (cursor == null ? offset : cursor.position()) + k;
    if (depth > config.maxK()) {
      throw ApiProblem.badRequest(
              "request body: "
                  + (cursor == null ? "offset " + offset : "cursor position " + cursor.position())
                  + " + k "
                  + k
                  + " = "
                  + depth
                  + "; this server pages at most "
                  + config.maxK()
                  + " hits deep (serve --max-k)")
          .with("limit_k", config.maxK());
    }
    FacetRequest facets = null;
    if (req.facets() != null) {
      int top = req.facetTopHits() == null ? 0 : req.facetTopHits();
      if (top < 0 || top > config.maxK()) {
        throw ApiProblem.badRequest(
                "request body at /facet_top_hits: must be in 0.." + config.maxK() + ", got " + top)
            .with("limit_k", config.maxK());
      }
      for (int i = 0; i < req.facets().size(); i++) {
        if (req.facets().get(i) == null) {
          throw new BadArgumentException(
              "request body at /facets/" + i + ": null is not a metadata field name");
        }
      }
      int size = req.facetSize() == null ? 0 : req.facetSize();
      facets =
          RequestInput.at(
              "request body at /facets", () -> new FacetRequest(req.facets(), size, top));
    } else if (req.facetSize() != null || req.facetTopHits() != null) {
      throw new BadArgumentException(
          "request body: facet_size and facet_top_hits need 'facets' (the fields to count)");
    }
    Filter filter = FilterJson.read(req.filter());
    FusionConfig fusion = fusion(req.fusion());
    Double lambda = null;
    if (req.mmr() != null) {
      if (req.mmr().lambda() == null) {
        throw new BadArgumentException("request body at /mmr: 'lambda' is missing");
      }
      lambda = req.mmr().lambda();
    }
    SearchCursor from = cursor;
    FacetRequest facetRequest = facets;
    Double mmr = lambda;
    return RequestInput.at(
        "request body",
        () ->
            new SearchOptions(
                k,
                filter,
                fusion,
                mmr,
                candidates,
                req.bm25Fields(),
                req.explain() != null && req.explain(),
                req.minScore(),
                req.legMinScores(),
                offset,
                from,
                facetRequest));
  }

  private static FusionConfig fusion(FusionRequest f) {
    if (f == null) {
      return null;
    }
    return RequestInput.at(
        "request body at /fusion",
        () ->
            new FusionConfig(
                f.method() == null ? FusionMethod.RRF : FusionMethod.fromName(f.method()),
                f.k() == null ? FusionConfig.DEFAULT_RRF_K : f.k(),
                f.normalization() == null
                    ? Normalization.MIN_MAX
                    : Normalization.fromName(f.normalization()),
                f.weights() == null ? Map.of() : f.weights()));
  }
}
