package dev.bindery.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.rank.Explanation;
import dev.bindery.fusion.rank.LegExplanation;
import dev.bindery.fusion.rank.LegScore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the HTTP API, one record each. Requests are read with {@link Json} (strict:
 * unknown members and wrong types are errors), responses are written with it (snake_case members,
 * nulls left out), and {@link OpenApiDocument} derives the OpenAPI schemas from these records, so
 * the document cannot drift from what the server does.
 */
public final class Api {
  private Api() {}

  @Doc("Creates a collection: name it and give a model package, or raw-vector spaces.")
  public record CreateCollectionRequest(
      @Doc(
              value = "Collection name: 1..64 of [A-Za-z0-9_.-], starting with a letter or digit.",
              required = true)
          String name,
      @Doc(
              "Model package that embeds items and queries: a name such as minilm-l6-v2 (a"
                  + " package in the jar or a configured model directory) or classpath:/models/...")
          String model,
      @Doc("Raw-vector spaces by name, for collections without a model package.")
          Map<String, SpaceRequest> spaces,
      @Doc("Declared metadata field types by name: keyword, long, double or date.")
          Map<String, String> fields) {}

  @Doc("One raw-vector space of a new collection.")
  public record SpaceRequest(
      @Doc(value = "Dimension, 1..4096.", required = true) Integer dim,
      @Doc("cosine (default), dot or l2.") String similarity,
      @Doc("float32 (default), int8, int7, int4, int2 or binary.") String storage,
      @Doc("HNSW max connections per node (default 16).") Integer m,
      @Doc("HNSW beam width while building (default 100).") Integer beamWidth) {}

  @Doc("A collection, its size and spaces.")
  public record CollectionBody(
      String name,
      @Doc("Items visible to search.") long count,
      @Doc("Vector documents (item-level plus segments).") long vectorCount,
      @Doc("The model package location, absent for raw-vector collections.") String model,
      Map<String, SpaceBody> spaces,
      @Doc("Metadata field types by name.") Map<String, String> fields,
      List<String> filterSets) {}

  @Doc("A vector space of a collection.")
  public record SpaceBody(int dim, String similarity, String storage, int m, int beamWidth) {}

  @Doc("The collections the caller may see.")
  public record CollectionList(List<CollectionBody> collections) {}

  @Doc(
      "One item in the manifest-line shape. Over HTTP, image/audio/video take data: URLs"
          + " (data:image/png;base64,...), never paths or remote URLs.")
  public record ItemRequest(
      @Doc(
              value = "Item id: no '/', '\\\\', '..' or control characters, <= 512 UTF-8 bytes.",
              required = true)
          String id,
      @Doc("Text, embedded with the text tower and searchable with BM25.") String text,
      @Doc("An image as a data: URL.") String image,
      @Doc("An audio clip as a data: URL.") String audio,
      @Doc("A video as a data: URL.") String video,
      @Doc("Precomputed vectors by space.") Map<String, List<Float>> vectors,
      @Doc("Metadata for filters: strings, integers, numbers, or lists of them.")
          Map<String, Object> metadata) {}

  @Doc("Several items, written all or nothing.")
  public record ItemsRequest(@Doc(value = "The items.", required = true) List<ItemRequest> items) {}

  @Doc("Multipart upload: one item per file part.")
  public record ItemUpload(
      @Doc("File parts; each file's extension picks its modality.") List<String> file,
      @Doc("A JSON object of metadata applied to every uploaded item.") String metadata,
      @Doc("The item id when one file is uploaded (default: the file name).") String id) {}

  @Doc("Items written: durable (committed) and visible to search.")
  public record ItemsWritten(List<String> ids, int count) {}

  @Doc("A stored item.")
  public record ItemBody(
      String id,
      String modality,
      @Doc("Where the item came from (a path or a name), if known.") String source,
      @Doc("BM25 text fields by name.") Map<String, String> text,
      Map<String, Object> metadata,
      @Doc("Item-level vectors: dimension by space.") Map<String, Integer> vectors,
      @Doc("Time segments of audio and video items.") List<SegmentBody> segments,
      @Doc("URL of the item's file, when the server can serve it.") String content,
      @Doc(
              "Item-level vectors' values by space, exactly as stored; only from items/get with"
                  + " include_vectors.")
          Map<String, List<Float>> vectorValues) {}

  @Doc("A time segment, in seconds.")
  public record SegmentBody(double start, double end) {}

  @Doc("A search.")
  public record SearchRequest(
      @Doc(
              value =
                  "An expression string (image:x + 0.5*text:\"at night\" - text:day + bm25:words,"
                      + " recommend(+item:a, -item:b)) or a JSON query spec ({\"expression\":"
                      + " NODE, \"bm25\": \"...\", \"recommend\": {...}}); media terms take"
                      + " data: URLs. Required unless 'recommend' is given instead.")
          JsonNode query,
      @Doc("Hits wanted (default 10).") Integer k,
      @Doc(
              "Metadata filter: {\"term\": {\"field\", \"value\"}}, {\"range\": {\"field\","
                  + " \"from\", \"to\"}}, {\"set\": NAME}, {\"and\": [F...]}, {\"or\": [F...]},"
                  + " {\"and_not\": {\"include\": F, \"exclude\": F}}.")
          JsonNode filter,
      @Doc("How legs fuse when the query has several.") FusionRequest fusion,
      @Doc("Diversify the hits with maximal marginal relevance.") MmrRequest mmr,
      @Doc("Hits fetched per leg before fusion or MMR (default max(k, 50) when fusing).")
          Integer candidates,
      @Doc("Text fields the BM25 leg searches (default all).") List<String> bm25Fields,
      @Doc("Attach a per-hit explanation (default false).") Boolean explain,
      @Doc(
              "Leave out hits whose final score is below this: the leg's own score (cosine, dot,"
                  + " 1/(1+d^2), BM25) for a one-leg query, the fused score when legs fuse (see"
                  + " docs/fusion.md for each method's scale). Fewer than k hits, or none, may"
                  + " come back.")
          Double minScore,
      @Doc(
              "Per leg name (knn:<space>, bm25): the raw leg score a hit needs to take part in"
                  + " fusion at all, applied before fusing.")
          Map<String, Double> legMinScores,
      @Doc("Hits of the ranking to skip (default 0); offset + k is at most the server's max k.")
          Integer offset,
      @Doc(
              "The next_cursor of the previous page: this page starts right after its last hit"
                  + " (search-after on score, then id). Excludes offset; the query and options"
                  + " must be those of the first page (k may change).")
          String cursor,
      @Doc(
              "Metadata fields to count: per value for keyword fields, per range bucket for long,"
                  + " double and date fields; over every item that passes the filter unless"
                  + " facet_top_hits is given.")
          List<String> facets,
      @Doc("Keyword values listed per facet (default 10, at most 1000).") Integer facetSize,
      @Doc("Count facets over only the top N hits of the query (after min_score), N <= max k.")
          Integer facetTopHits,
      @Doc(
              "Recommend instead of 'query': items like the positive examples and unlike the"
                  + " negative ones, the examples left out (leg recommend:<space>). To fuse it"
                  + " with other legs put it in a query spec: {\"query\": {\"recommend\":"
                  + " {...}, \"bm25\": \"...\"}}.")
          RecommendRequest recommend) {}

  @Doc(
      "A recommend (docs/fusion.md, \"Recommend\"). An example is an item id (a string), a query"
          + " node ({\"text\": \"a cat\"}) or {\"expression\": \"item:a + 0.5*text:x\"}.")
  public record RecommendRequest(
      @Doc(value = "Examples to be near; at least one.", required = true) List<JsonNode> positive,
      @Doc("Examples to be far from.") List<JsonNode> negative,
      @Doc(
              "average_vector (default: one kNN for 2*mean(positive) - mean(negative)) or"
                  + " best_score (each candidate's best similarity to a positive, below -1 when"
                  + " it is closer to a negative).")
          String strategy,
      @Doc("The space to search; default the one space every example has a vector in.")
          String space) {}

  @Doc("Rank fusion settings.")
  public record FusionRequest(
      @Doc("rrf (default), weighted or dbsf.") String method,
      @Doc("The RRF constant (default 60).") Integer k,
      @Doc("minmax (default) or zscore, for weighted.") String normalization,
      @Doc("Weights by leg name (knn:<space>, bm25); default 1, 0 drops the leg.")
          Map<String, Double> weights) {}

  @Doc("Maximal marginal relevance.")
  public record MmrRequest(
      @Doc(value = "1 = relevance only, 0 = diversity only.", required = true) Double lambda) {}

  @Doc("Search results.")
  public record SearchBody(
      List<HitBody> hits,
      @Doc("Milliseconds the search took in the engine, embedding included.") long tookMs,
      @Doc("What each leg did, by leg name.") Map<String, LegBody> legs,
      @Doc(
              "Pass as 'cursor' to get the next page; absent when this page was not full (nothing"
                  + " follows) or MMR diversified it.")
          String nextCursor,
      @Doc("The facets asked for, by field.") Map<String, FacetBody> facets) {}

  @Doc(
      "Counts of one metadata field: values (keyword, most frequent first) or ranges (long,"
          + " double, date: 10 equal-width buckets from the smallest to the largest value, each"
          + " [from, to), the last [from, to]).")
  public record FacetBody(
      @Doc("keyword, long, double or date.") String type,
      List<FacetValueBody> values,
      List<FacetRangeBody> ranges,
      @Doc("Items counted for keyword values beyond those listed.") Long otherCount) {}

  @Doc("A keyword value and how many items hold it.")
  public record FacetValueBody(String value, long count) {}

  @Doc("A range bucket: from inclusive, to exclusive (inclusive for the last); dates as ISO-8601.")
  public record FacetRangeBody(Object from, Object to, long count) {}

  @Doc("Items by id.")
  public record GetItemsRequest(
      @Doc(value = "Item ids, at most 1000.", required = true) List<String> ids,
      @Doc(
              "Also answer each item's vector values (vector_values), e.g. for a client that"
                  + " returns stored embeddings (default false).")
          Boolean includeVectors) {}

  @Doc("The items found, in the order asked, and the ids not found.")
  public record ItemsBody(List<ItemBody> items, List<String> missing) {}

  @Doc("Counts the items that pass a filter.")
  public record CountRequest(
      @Doc("Metadata filter, as in search; absent counts every item.") JsonNode filter) {}

  @Doc("A number of items.")
  public record CountBody(long count) {}

  @Doc("Deletes every item that passes a filter.")
  public record DeleteItemsRequest(
      @Doc(value = "Metadata filter, as in search.", required = true) JsonNode filter,
      @Doc("Only count what would be deleted (default false).") Boolean dryRun) {}

  @Doc("What a delete by filter matched and deleted.")
  public record DeletedBody(
      @Doc("Items that pass the filter (deleted unless dry_run).") long count,
      @Doc("True when nothing was deleted, only counted.") boolean dryRun) {}

  @Doc("Changes to an item's metadata; vectors, text and segments stay as they are.")
  public record PatchItemRequest(
      @Doc(
              value =
                  "Fields to set (string, number, boolean or a list of them; type-checked as on"
                      + " ingest) or to remove (null).",
              required = true)
          JsonNode metadata) {}

  @Doc("One hit.")
  public record HitBody(
      String id,
      double score,
      String modality,
      String source,
      Map<String, Object> metadata,
      @Doc("The best-matching time segment of an audio or video item.") SegmentBody segment,
      @Doc("Per-leg rank and scores; present when explain was asked for.") ExplainBody explain,
      @Doc("URL of the item's file, when the server can serve it (thumbnails, players).")
          String content) {}

  @Doc("Why a hit ranked where it did: the fused score and every fused leg's view of the hit.")
  @JsonPropertyOrder({"score", "legs"})
  public record ExplainBody(double score, Map<String, LegExplainBody> legs) {

    /** The JSON of a hit's explain data (the one place it is made, for the API and the CLI). */
    public static ExplainBody of(Explanation e) {
      if (e == null) {
        return null;
      }
      Map<String, LegExplainBody> legs = new LinkedHashMap<>();
      e.legs().forEach((name, leg) -> legs.put(name, LegExplainBody.of(leg)));
      return new ExplainBody(e.score(), legs);
    }
  }

  @Doc(
      "One leg's view of a hit: rank 0 when the leg did not return it (then no raw or normalized"
          + " score); strategy and visited say how the leg searched.")
  @JsonPropertyOrder({"rank", "raw", "normalized", "strategy", "visited"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LegExplainBody(
      int rank, Float raw, Double normalized, String strategy, Long visited) {

    static LegExplainBody of(LegExplanation leg) {
      LegScore s = leg.score();
      return new LegExplainBody(
          s.rank(),
          s.present() ? s.raw() : null,
          s.present() ? s.normalized() : null,
          leg.strategy() == null ? null : leg.strategy().name(),
          leg.visited());
    }
  }

  @Doc("What one leg of a search did.")
  public record LegBody(String kind, String space, String strategy, long visited, int hits) {}

  @Doc("A question answered over retrieved items.")
  public record AskRequest(
      @Doc(value = "The question, at most 4000 characters.", required = true) String question,
      @Doc("An image the question is about, as a data: URL.") String image,
      @Doc("Items retrieved as context, 1..100 (default 8).") Integer k,
      @Doc("Metadata filter for retrieval, as in search.") JsonNode filter,
      @Doc("Let the generator place [RET] markers, each retrieving items (default false).")
          Boolean interleave) {}

  @Doc("An answer with the items it cites.")
  public record AskBody(
      @Doc("The answer as written, citing items as [id].") String answer,
      @Doc("The answer without citations.") String plainText,
      @Doc("True when the answerer said it does not know.") boolean abstained,
      @Doc("The cited items, in order of first citation.") List<HitBody> citations,
      @Doc("Every retrieved item, best first.") List<HitBody> hits,
      @Doc("extractive, or the generator's protocol, model and endpoint.") String answeredBy,
      @Doc("Milliseconds from question to answer.") long tookMs) {}

  @Doc("Liveness and a little state.")
  public record Health(
      String status,
      String version,
      @Doc("Number of collections; left out when the server has API keys.") Integer collections) {}

  @Doc("An RFC 9457 problem: what went wrong, with the input and the reason.")
  public record Problem(
      @Doc("urn:bindery:problem:<slug>.") String type,
      String title,
      int status,
      @Doc("What was wrong with which input.") String detail,
      @Doc("The request path.") String instance,
      @Doc("1-based column of a query expression error.") Integer column,
      @Doc("Id of a server error in the server's log.") String errorId) {}
}
