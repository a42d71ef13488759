package dev.bindery.fusion.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.BadArgumentException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads and writes {@link QuerySpec} as JSON, the shape the HTTP API takes (see docs/fusion.md,
 * "Query syntax"):
 *
 * <pre>
 * {"expression": NODE, "bm25": "free text", "recommend": RECOMMEND}   at least one part
 * NODE := {"text": "..."} | {"image": "path"} | {"audio": "path"} | {"video": "path"}
 *       | {"item": "id"} | {"vector": [0.1, -2]} | {"sum": [NODE, NODE, ...]}
 *       | {"negate": NODE} | {"weight": 0.5, "of": NODE} | "an expression string"
 * RECOMMEND := {"positive": [EXAMPLE, ...], "negative": [EXAMPLE, ...],
 *               "strategy": "average_vector" | "best_score", "space": "name"}
 * EXAMPLE := "an item id" | NODE object | {"expression": "an expression string"}
 * </pre>
 *
 * A spec may also be given as a plain expression string. Every error is an {@link
 * IllegalArgumentException} naming the JSON path; the {@link QueryLimits} apply as in the parser.
 * Immutable and thread-safe.
 */
public final class QuerySpecJson {
  // Big decimals keep float components exact: a float printed by Jackson reads back to itself.
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private final QueryParser parser;

  /** A reader/writer with the given limits. */
  public QuerySpecJson(QueryLimits limits) {
    this.parser = new QueryParser(limits);
  }

  /** A reader/writer with {@link QueryLimits#DEFAULT}. */
  public QuerySpecJson() {
    this(QueryLimits.DEFAULT);
  }

  /** The spec as a JSON tree. */
  public ObjectNode toJson(QuerySpec spec) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    if (spec.expression() != null) {
      root.set("expression", node(spec.expression()));
    }
    if (spec.bm25() != null) {
      root.put("bm25", spec.bm25());
    }
    if (spec.recommend() != null) {
      root.set("recommend", toJson(spec.recommend()));
    }
    return root;
  }

  /** A recommend as JSON: item examples as plain id strings, other examples as nodes. */
  public ObjectNode toJson(Recommend recommend) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    ArrayNode positive = o.putArray("positive");
    recommend.positive().forEach(e -> positive.add(example(e)));
    ArrayNode negative = o.putArray("negative");
    recommend.negative().forEach(e -> negative.add(example(e)));
    o.put("strategy", recommend.strategy().wireName());
    if (recommend.space() != null) {
      o.put("space", recommend.space());
    }
    return o;
  }

  private static JsonNode example(QueryExpr e) {
    String id = Recommend.itemId(e);
    return id != null ? JsonNodeFactory.instance.textNode(id) : node(e);
  }

  /**
   * Reads a recommend object (see the class comment).
   *
   * @param path where it sits in the request, for messages ({@code /recommend})
   * @throws IllegalArgumentException naming the JSON path and the reason
   */
  public Recommend readRecommend(JsonNode json, String path) {
    if (json == null || !json.isObject()) {
      throw new BadArgumentException(
          "query JSON at "
              + path
              + ": recommend must be an object {\"positive\": [...], \"negative\": [...]}, got "
              + (json == null ? "nothing" : json.getNodeType()));
    }
    checkKeys(json, path, List.of("positive", "negative", "strategy", "space"));
    Reader reader = new Reader();
    List<QueryExpr> positive = examples(reader, json.get("positive"), path + "/positive");
    List<QueryExpr> negative = examples(reader, json.get("negative"), path + "/negative");
    RecommendStrategy strategy = null;
    String space = null;
    try {
      JsonNode s = json.get("strategy");
      if (s != null && !s.isNull()) {
        if (!s.isTextual()) {
          throw new BadArgumentException("strategy must be a string, got " + s.getNodeType());
        }
        strategy = RecommendStrategy.fromName(s.textValue());
      }
      JsonNode sp = json.get("space");
      if (sp != null && !sp.isNull()) {
        if (!sp.isTextual()) {
          throw new BadArgumentException("space must be a string, got " + sp.getNodeType());
        }
        space = sp.textValue();
      }
      return new Recommend(positive, negative, strategy, space);
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException("query JSON at " + path + ": " + e.getMessage(), e);
    }
  }

  private List<QueryExpr> examples(Reader reader, JsonNode list, String path) {
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new BadArgumentException(
          "query JSON at "
              + path
              + ": expected an array of item ids or expressions, got "
              + list.getNodeType());
    }
    List<QueryExpr> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String at = path + "/" + i;
      if (e.isTextual()) {
        // A string is an item id, as in Qdrant; an expression goes in {"expression": "..."}.
        reader.count(at);
        try {
          out.add(QueryExpr.item(e.textValue()));
        } catch (IllegalArgumentException x) {
          throw new BadArgumentException("query JSON at " + at + ": " + x.getMessage(), x);
        }
      } else if (e.isObject() && e.size() == 1 && e.has("expression")) {
        JsonNode x = e.get("expression");
        if (!x.isTextual()) {
          throw new BadArgumentException(
              "query JSON at " + at + "/expression: expected a string, got " + x.getNodeType());
        }
        QuerySpec inner = parser.parse(x.textValue());
        if (inner.expression() == null || inner.bm25() != null || inner.recommend() != null) {
          throw new BadArgumentException(
              "query JSON at "
                  + at
                  + "/expression: an example is a vector expression, without bm25 or recommend");
        }
        out.add(inner.expression());
      } else {
        out.add(reader.node(e, at, 1));
      }
    }
    return out;
  }

  /** The spec as a JSON string. */
  public String write(QuerySpec spec) {
    try {
      return mapper.writeValueAsString(toJson(spec));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write query " + spec + ": " + e.getMessage(), e);
    }
  }

  /** Reads a spec from a JSON string (an object, or a string holding an expression). */
  public QuerySpec read(String json) {
    Objects.requireNonNull(json, "json");
    JsonNode tree;
    try {
      tree = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new BadArgumentException("query is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return read(tree);
  }

  /** Reads a spec from a JSON tree (an object, or a string holding an expression). */
  public QuerySpec read(JsonNode json) {
    if (json == null || json.isNull() || json.isMissingNode()) {
      throw new BadArgumentException("query JSON is missing");
    }
    if (json.isTextual()) {
      return parser.parse(json.textValue());
    }
    if (!json.isObject()) {
      throw new BadArgumentException(
          "query JSON must be an object or an expression string, got " + json.getNodeType());
    }
    checkKeys(json, "", List.of("expression", "bm25", "recommend"));
    QueryExpr expr = null;
    if (json.has("expression") && !json.get("expression").isNull()) {
      JsonNode e = json.get("expression");
      if (e.isTextual()) {
        QuerySpec inner = parser.parse(e.textValue());
        if (inner.bm25() != null) {
          throw new BadArgumentException(
              "query JSON at /expression: put the bm25 text in \"bm25\", not in the expression");
        }
        if (inner.recommend() != null) {
          throw new BadArgumentException(
              "query JSON at /expression: put the recommend in \"recommend\", not in the"
                  + " expression");
        }
        expr = inner.expression();
      } else {
        expr = new Reader().node(e, "/expression", 1);
      }
    }
    String bm25 = null;
    if (json.has("bm25") && !json.get("bm25").isNull()) {
      JsonNode b = json.get("bm25");
      if (!b.isTextual()) {
        throw new BadArgumentException(
            "query JSON at /bm25: expected a string, got " + b.getNodeType());
      }
      bm25 = b.textValue();
    }
    Recommend recommend = null;
    if (json.has("recommend") && !json.get("recommend").isNull()) {
      recommend = readRecommend(json.get("recommend"), "/recommend");
    }
    try {
      return new QuerySpec(expr, bm25, recommend);
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException("query JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode node(QueryExpr expr) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    switch (expr) {
      case QueryExpr.Term t -> o.put(t.kind().wireName(), t.value());
      case QueryExpr.Media m -> o.put(m.kind().wireName(), dataUrl(m));
      case QueryExpr.VectorLiteral v -> {
        ArrayNode a = o.putArray("vector");
        for (float x : v.values()) {
          a.add(x);
        }
      }
      case QueryExpr.Scaled s -> {
        o.put("weight", s.weight());
        o.set("of", node(s.expr()));
      }
      case QueryExpr.Negated n -> o.set("negate", node(n.expr()));
      case QueryExpr.Sum s -> {
        ArrayNode a = o.putArray("sum");
        s.terms().forEach(t -> a.add(node(t)));
      }
    }
    return o;
  }

  private static void checkKeys(JsonNode o, String path, List<String> allowed) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new BadArgumentException(
            "query JSON at "
                + (path.isEmpty() ? "/" : path)
                + ": unknown key '"
                + k
                + "'; expected "
                + allowed);
      }
    }
  }

  /** One read of a tree, counting terms against the limits. */
  private final class Reader {
    private int terms;

    QueryExpr node(JsonNode n, String path, int depth) {
      QueryLimits limits = parser.limits();
      if (depth > limits.maxDepth()) {
        throw new BadArgumentException(
            "query JSON at " + path + ": nested deeper than " + limits.maxDepth() + " levels");
      }
      if (n.isTextual()) {
        QuerySpec inner = parser.parse(n.textValue());
        if (inner.expression() == null || inner.bm25() != null || inner.recommend() != null) {
          throw new BadArgumentException(
              "query JSON at " + path + ": a bm25 leg belongs in the top-level \"bm25\" key");
        }
        return inner.expression();
      }
      if (!n.isObject()) {
        throw new BadArgumentException(
            "query JSON at " + path + ": expected an object or a string, got " + n.getNodeType());
      }
      List<String> keys = new ArrayList<>();
      n.fieldNames().forEachRemaining(keys::add);
      try {
        if (keys.size() == 2 && keys.contains("weight") && keys.contains("of")) {
          JsonNode w = n.get("weight");
          if (!w.isNumber()) {
            throw new BadArgumentException("weight must be a number, got " + w);
          }
          return new QueryExpr.Scaled(w.doubleValue(), node(n.get("of"), path + "/of", depth + 1));
        }
        if (keys.size() != 1) {
          throw new BadArgumentException(
              "a node has exactly one of the keys text, image, audio, video, item, vector, sum,"
                  + " negate (or weight with of), got "
                  + keys);
        }
        String key = keys.get(0);
        JsonNode v = n.get(key);
        switch (key) {
          case "sum" -> {
            if (!v.isArray()) {
              throw new BadArgumentException("sum must be an array, got " + v.getNodeType());
            }
            List<QueryExpr> parts = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
              parts.add(node(v.get(i), path + "/sum/" + i, depth + 1));
            }
            return new QueryExpr.Sum(parts);
          }
          case "negate" -> {
            return new QueryExpr.Negated(node(v, path + "/negate", depth + 1));
          }
          case "vector" -> {
            count(path);
            if (!v.isArray()) {
              throw new BadArgumentException("vector must be an array of numbers");
            }
            float[] values = new float[v.size()];
            for (int i = 0; i < values.length; i++) {
              if (!v.get(i).isNumber()) {
                throw new BadArgumentException(
                    "vector component " + i + " is not a number: " + v.get(i));
              }
              values[i] =
                  v.get(i).isBigDecimal()
                      ? v.get(i).decimalValue().floatValue()
                      : v.get(i).floatValue();
            }
            return new QueryExpr.VectorLiteral(values);
          }
          default -> {
            QueryExpr.Kind kind = kind(key);
            count(path);
            if (!v.isTextual()) {
              throw new BadArgumentException(key + " must be a string, got " + v);
            }
            return new QueryExpr.Term(kind, v.textValue());
          }
        }
      } catch (IllegalArgumentException e) {
        if (e instanceof QuerySyntaxException
            || (e.getMessage() != null && e.getMessage().startsWith("query JSON at "))) {
          throw e; // a syntax error keeps its column for the caller (the page points at it)
        }
        throw new BadArgumentException("query JSON at " + path + ": " + e.getMessage(), e);
      }
    }

    private void count(String path) {
      if (++terms > parser.limits().maxTerms()) {
        throw new BadArgumentException(
            "query JSON at " + path + ": more than " + parser.limits().maxTerms() + " terms");
      }
    }

    private QueryExpr.Kind kind(String key) {
      for (QueryExpr.Kind k : QueryExpr.Kind.values()) {
        if (k.wireName().equals(key)) {
          return k;
        }
      }
      throw new BadArgumentException(
          "unknown node key '"
              + key.toLowerCase(Locale.ROOT)
              + "'; expected one of text, image, audio, video, item, vector, sum, negate,"
              + " weight+of");
    }
  }

  /** The HTTP API's form of media held in memory: {@code data:<mime>;base64,<bytes>}. */
  private static String dataUrl(QueryExpr.Media m) {
    byte[] bytes = m.source().readAllBytes();
    String mime;
    try {
      mime = m.source().type().mimeType();
    } catch (IllegalArgumentException unknown) {
      mime = "application/octet-stream"; // the tower's decoder still reads what the bytes are
    }
    return "data:" + mime + ";base64," + java.util.Base64.getEncoder().encodeToString(bytes);
  }
}
