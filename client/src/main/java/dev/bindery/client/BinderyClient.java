package dev.bindery.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoublePredicate;

/**
 * A typed client for a Bindery server's REST API ({@code bin/bindery serve}, see docs/server.md):
 * collections, items, search by vector, delete by filter, and {@code /v1/embeddings}. Built on the
 * JDK's {@link HttpClient} and Jackson; it does not depend on the server.
 *
 * <pre>{@code
 * try (BinderyClient client = BinderyClient.builder("http://127.0.0.1:7700")
 *     .apiKey(System.getenv("BINDERY_API_KEY")).build()) {
 *   List<RemoteHit> hits = client.searchVector("notes", vector, 5, Filter.term("lang", "en"));
 * }
 * }</pre>
 *
 * <p>Every error the server answers becomes a {@link BinderyApiException} naming the request
 * ({@code POST /v1/collections/notes/items: 422 unprocessable: ...}); a server that cannot be
 * reached, or that does not answer within the request timeout, is an {@link UncheckedIOException}
 * naming the request and the URL. <b>Nothing is retried</b>: a 503 {@code busy} carries the
 * server's {@code Retry-After} for the caller to act on. The API key, when given, goes as {@code
 * Authorization: Bearer ...} on every request. Thread-safe; {@link #close()} closes the underlying
 * {@link HttpClient}.
 *
 * <p>Why one class of about 740 lines: it mirrors the REST API, one short method per endpoint over
 * one request-and-error path, so that a caller finds the whole API on one type (as SolrJ's clients
 * do); the JSON shapes live in their own records.
 */
public final class BinderyClient implements AutoCloseable {
  /** Most ids the server answers per {@code items/get} request. */
  static final int MAX_GET_IDS = 1000;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String PROBLEM_PREFIX = "urn:bindery:problem:";

  private final URI base;
  private final String apiKey;
  private final Duration requestTimeout;
  private final HttpClient http;
  // Floats are read as exact decimals, so a vector comes back as the very floats the server
  // wrote (parsing through double first could round a float differently in rare cases).
  private final JsonMapper json =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  private BinderyClient(Builder b) {
    this.base = b.baseUrl;
    this.apiKey = b.apiKey;
    this.requestTimeout = b.requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Starts a client of the server at {@code baseUrl}, its root ({@code http://127.0.0.1:7700}, not
   * {@code .../v1}).
   */
  public static Builder builder(String baseUrl) {
    return new Builder(baseUrl);
  }

  /** The server's root URL. */
  public URI baseUrl() {
    return base;
  }

  // ------------------------------------------------------------------ collections

  /** The names of the collections the key may see. */
  public List<String> listCollections() {
    JsonNode body = send("GET", "/v1/collections", null);
    List<String> names = new ArrayList<>();
    for (JsonNode c : array(body, "collections", "GET /v1/collections")) {
      names.add(c.path("name").asText());
    }
    return names;
  }

  /** The collection, or empty when the server has none of that name (404). */
  public Optional<RemoteCollection> find(String collection) {
    try {
      return Optional.of(describe(collection));
    } catch (BinderyApiException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The collection's spaces, fields, size and model package.
   *
   * @throws BinderyApiException 404 {@code not-found} when there is no such collection
   */
  public RemoteCollection describe(String collection) {
    String path = collectionPath(collection);
    JsonNode body = send("GET", path, null);
    String where = "GET " + path;
    Map<String, SpaceConfig> spaces = new LinkedHashMap<>();
    JsonNode sp = body.path("spaces");
    for (Iterator<Map.Entry<String, JsonNode>> it = sp.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      SpaceConfig config =
          SpaceConfig.of(
                  e.getKey(),
                  s.path("dim").asInt(),
                  Similarity.fromName(text(s, "similarity", where)),
                  VectorStorage.fromName(text(s, "storage", where)))
              .withGraph(
                  s.path("m").asInt(SpaceConfig.DEFAULT_M),
                  s.path("beam_width").asInt(SpaceConfig.DEFAULT_BEAM_WIDTH));
      spaces.put(e.getKey(), config);
    }
    Map<String, FieldType> fields = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.path("fields").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      fields.put(e.getKey(), FieldType.fromName(e.getValue().asText()));
    }
    String name = text(body, "name", where);
    Optional<String> model =
        body.hasNonNull("model") ? Optional.of(body.get("model").asText()) : Optional.empty();
    return new RemoteCollection(
        new CollectionConfig(name, spaces, fields), body.path("count").asLong(), model);
  }

  /** Creates a raw-vector collection with the config's spaces and declared fields. */
  public void createCollection(CollectionConfig config) {
    ObjectNode req = F.objectNode().put("name", config.name());
    ObjectNode spaces = req.putObject("spaces");
    config
        .spaces()
        .forEach(
            (name, s) ->
                spaces
                    .putObject(name)
                    .put("dim", s.dim())
                    .put("similarity", s.similarity().wireName())
                    .put("storage", s.storage().wireName())
                    .put("m", s.m())
                    .put("beam_width", s.beamWidth()));
    if (!config.fields().isEmpty()) {
      ObjectNode fields = req.putObject("fields");
      config.fields().forEach((name, type) -> fields.put(name, type.wireName()));
    }
    send("POST", "/v1/collections", req);
  }

  /**
   * Creates a collection embedded by a model package the server knows ({@code minilm-l6-v2}, a
   * {@code --models} sub-folder, {@code classpath:/models/...}).
   */
  public void createCollection(String collection, String model) {
    Objects.requireNonNull(model, "model");
    send("POST", "/v1/collections", F.objectNode().put("name", collection).put("model", model));
  }

  /** Drops the collection with its items (admin scope). */
  public void dropCollection(String collection) {
    send("DELETE", collectionPath(collection), null);
  }

  // ------------------------------------------------------------------ items

  /**
   * Adds or replaces items, all or nothing; durable and visible to search when this returns.
   *
   * @return the ids written, in order
   */
  public List<String> addItems(String collection, List<ItemWrite> items) {
    Objects.requireNonNull(items, "items");
    if (items.isEmpty()) {
      return List.of();
    }
    ArrayNode list = F.arrayNode();
    for (ItemWrite item : items) {
      ObjectNode n = list.addObject().put("id", item.id());
      if (item.text() != null) {
        n.put("text", item.text());
      }
      if (!item.vectors().isEmpty()) {
        ObjectNode vectors = n.putObject("vectors");
        item.vectors()
            .forEach(
                (space, v) -> {
                  ArrayNode values = vectors.putArray(space);
                  for (float x : v) {
                    values.add(x);
                  }
                });
      }
      if (!item.metadata().isEmpty()) {
        ObjectNode meta = n.putObject("metadata");
        item.metadata().forEach((k, v) -> meta.set(k, metadataValue(item.id(), k, v)));
      }
    }
    String path = collectionPath(collection) + "/items";
    JsonNode body = send("POST", path, F.objectNode().set("items", list));
    List<String> ids = new ArrayList<>();
    array(body, "ids", "POST " + path).forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /**
   * The items with these ids that exist, in the order asked (any number of ids: asked {@value
   * #MAX_GET_IDS} at a time).
   *
   * @param withVectors also answer each item's stored vectors ({@link RemoteItem#vectors()})
   */
  public List<RemoteItem> getItems(String collection, Collection<String> ids, boolean withVectors) {
    List<String> all = List.copyOf(ids);
    List<RemoteItem> out = new ArrayList<>(all.size());
    String path = collectionPath(collection) + "/items/get";
    for (int from = 0; from < all.size(); from += MAX_GET_IDS) {
      ArrayNode chunk = F.arrayNode();
      all.subList(from, Math.min(all.size(), from + MAX_GET_IDS)).forEach(chunk::add);
      ObjectNode req = F.objectNode();
      req.set("ids", chunk);
      if (withVectors) {
        req.put("include_vectors", true);
      }
      for (JsonNode n : array(send("POST", path, req), "items", "POST " + path)) {
        out.add(item(n, "POST " + path));
      }
    }
    return out;
  }

  /**
   * Deletes one item (committed before this returns).
   *
   * @return false when the collection has no such item
   * @throws BinderyApiException 404 when there is no such collection
   */
  public boolean deleteItem(String collection, String id) {
    describe(collection); // so that a 404 below can only mean the item
    try {
      send("DELETE", collectionPath(collection) + "/items/" + segment(id), null);
      return true;
    } catch (BinderyApiException e) {
      if (e.status() == 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Deletes these items, one request each (each committed before the next); ids the collection does
   * not have are skipped.
   *
   * @return how many were deleted
   * @throws BinderyApiException 404 when there is no such collection
   */
  public int deleteItems(String collection, Collection<String> ids) {
    describe(collection);
    int deleted = 0;
    for (String id : ids) {
      try {
        send("DELETE", collectionPath(collection) + "/items/" + segment(id), null);
        deleted++;
      } catch (BinderyApiException e) {
        if (e.status() != 404) {
          throw e;
        }
      }
    }
    return deleted;
  }

  /** Deletes every item that passes the filter (committed); returns how many. */
  public long deleteWhere(String collection, Filter filter) {
    Objects.requireNonNull(filter, "filter");
    ObjectNode req = F.objectNode();
    req.set("filter", FilterJsonWriter.write(filter));
    String path = collectionPath(collection) + "/items/delete";
    return send("POST", path, req).path("count").asLong();
  }

  /** Items that pass the filter (every item when it is null). */
  public long count(String collection, Filter filter) {
    ObjectNode req = F.objectNode();
    if (filter != null) {
      req.set("filter", FilterJsonWriter.write(filter));
    }
    return send("POST", collectionPath(collection) + "/count", req).path("count").asLong();
  }

  // ------------------------------------------------------------------ search

  /**
   * The {@code k} items nearest to {@code vector} in the collection's space of that dimension, best
   * first (ties by id), among those that pass {@code filter} (null: all). The server normalizes the
   * query vector (embedding arithmetic does), which does not change cosine scores.
   */
  public List<RemoteHit> searchVector(String collection, float[] vector, int k, Filter filter) {
    Objects.requireNonNull(vector, "vector");
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    ObjectNode req = F.objectNode();
    ArrayNode values = req.putObject("query").putObject("expression").putArray("vector");
    for (float x : vector) {
      values.add(x);
    }
    req.put("k", k);
    if (filter != null) {
      req.set("filter", FilterJsonWriter.write(filter));
    }
    String path = collectionPath(collection) + "/search";
    List<RemoteHit> hits = new ArrayList<>();
    for (JsonNode h : array(send("POST", path, req), "hits", "POST " + path)) {
      hits.add(
          new RemoteHit(
              text(h, "id", "POST " + path),
              h.path("score").asDouble(),
              h.path("modality").asText(null),
              metadata(h.path("metadata"))));
    }
    return hits;
  }

  /**
   * {@link #searchVector}, then one {@link #getItems} read of the hits' items: hits that {@code
   * keep} refuses (by score) are dropped before the read, and hits whose item is gone by the time
   * of the read (deleted between the two requests) after it. Best first, as the search answered.
   */
  public List<RemoteMatch> searchWithItems(
      String collection,
      float[] vector,
      int k,
      Filter filter,
      DoublePredicate keep,
      boolean withVectors) {
    List<RemoteHit> hits = new ArrayList<>();
    for (RemoteHit h : searchVector(collection, vector, k, filter)) {
      if (keep.test(h.score())) {
        hits.add(h);
      }
    }
    if (hits.isEmpty()) {
      return List.of();
    }
    Map<String, RemoteItem> items = new LinkedHashMap<>();
    for (RemoteItem item :
        getItems(collection, hits.stream().map(RemoteHit::id).toList(), withVectors)) {
      items.put(item.id(), item);
    }
    List<RemoteMatch> matches = new ArrayList<>(hits.size());
    for (RemoteHit h : hits) {
      RemoteItem item = items.get(h.id());
      if (item != null) {
        matches.add(new RemoteMatch(h, item));
      }
    }
    return matches;
  }

  // ------------------------------------------------------------------ embeddings

  /**
   * Embeds each input with {@code model} (a collection's name, whose package then embeds, or a
   * model package the server knows) through {@code POST /v1/embeddings}; one vector per input, in
   * order, exactly as the server computed them (sent as base64 float32).
   */
  public List<float[]> embed(String model, List<? extends EmbeddingInput> inputs) {
    Objects.requireNonNull(model, "model");
    if (inputs.isEmpty()) {
      return List.of();
    }
    ObjectNode req = F.objectNode().put("model", model).put("encoding_format", "base64");
    ArrayNode input = req.putArray("input");
    for (EmbeddingInput in : inputs) {
      switch (in) {
        case EmbeddingInput.Text t -> input.add(t.text());
        case EmbeddingInput.Media m -> {
          String kind = m.image() ? "image_url" : "audio_url";
          input.addObject().put("type", kind).putObject(kind).put("url", m.dataUrl());
        }
      }
    }
    JsonNode body = send("POST", "/v1/embeddings", req);
    float[][] out = new float[inputs.size()][];
    for (JsonNode d : array(body, "data", "POST /v1/embeddings")) {
      int index = d.path("index").asInt(-1);
      if (index < 0 || index >= out.length) {
        throw new IllegalStateException(
            "POST /v1/embeddings: the server answered index " + index + " for " + out.length);
      }
      byte[] raw = Base64.getDecoder().decode(text(d, "embedding", "POST /v1/embeddings"));
      ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      float[] v = new float[raw.length / Float.BYTES];
      buf.asFloatBuffer().get(v);
      out[index] = v;
    }
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null) {
        throw new IllegalStateException(
            "POST /v1/embeddings: the server answered no embedding for input " + i);
      }
    }
    return List.of(out);
  }

  /** Closes the HTTP client. */
  @Override
  public void close() {
    http.close();
  }

  // ------------------------------------------------------------------ HTTP

  private JsonNode send(String method, String path, JsonNode body) {
    URI uri = base.resolve(path.substring(1)); // relative, so a path prefix of the base stays
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", "application/json");
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
    if (body != null) {
      byte[] bytes;
      try {
        bytes = json.writeValueAsBytes(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(method + " " + path + ": cannot write JSON", e);
      }
      rb.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> res;
    try {
      res = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new UncheckedIOException(
          method
              + " "
              + uri
              + ": no answer within "
              + requestTimeout.toMillis()
              + " ms (the client's request timeout)",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          method + " " + uri + ": cannot reach the Bindery server: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          method + " " + path + ": interrupted while waiting for the server", e);
    }
    int status = res.statusCode();
    if (status >= 200 && status < 300) {
      if (res.body().length == 0) {
        return F.objectNode();
      }
      try {
        return json.readTree(res.body());
      } catch (IOException e) {
        throw new IllegalStateException(
            method + " " + path + ": " + status + " answer is not JSON: " + excerpt(res.body()), e);
      }
    }
    throw problem(method, path, res);
  }

  private BinderyApiException problem(String method, String path, HttpResponse<byte[]> res) {
    int status = res.statusCode();
    long retryAfter =
        res.headers().firstValue("Retry-After").map(BinderyClient::seconds).orElse(-1L);
    JsonNode n = null;
    try {
      n = res.body().length == 0 ? null : json.readTree(res.body());
    } catch (IOException notJson) {
      // the detail below quotes an excerpt of whatever came back
    }
    if (n != null && n.hasNonNull("type") && n.hasNonNull("status")) {
      String type = n.get("type").asText();
      if (type.startsWith(PROBLEM_PREFIX)) {
        type = type.substring(PROBLEM_PREFIX.length());
      }
      return new BinderyApiException(
          method, path, status, type, n.path("detail").asText(""), retryAfter);
    }
    if (n != null && n.path("error").isObject()) { // OpenAI's shape, from /v1/embeddings
      JsonNode e = n.get("error");
      String type = e.hasNonNull("code") ? e.get("code").asText() : e.path("type").asText("error");
      return new BinderyApiException(
          method, path, status, type, e.path("message").asText(""), retryAfter);
    }
    return new BinderyApiException(
        method, path, status, "http-" + status, excerpt(res.body()), retryAfter);
  }

  private static long seconds(String retryAfter) {
    try {
      return Long.parseLong(retryAfter.trim());
    } catch (NumberFormatException e) {
      return -1; // an HTTP date; the server sends seconds
    }
  }

  private static String excerpt(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8).strip();
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static String collectionPath(String collection) {
    Objects.requireNonNull(collection, "collection");
    return "/v1/collections/" + segment(collection);
  }

  /** Percent-encodes a path segment: everything but RFC 3986's unreserved characters. */
  static String segment(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("a collection name or item id cannot be empty");
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ JSON

  private RemoteItem item(JsonNode n, String where) {
    Map<String, String> text = new LinkedHashMap<>();
    n.path("text").fields().forEachRemaining(e -> text.put(e.getKey(), e.getValue().asText()));
    Map<String, float[]> vectors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("vector_values").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      float[] v = new float[e.getValue().size()];
      for (int i = 0; i < v.length; i++) {
        // Exact decimal to float: the shortest text of a float reads back as that float.
        v[i] = Float.parseFloat(e.getValue().get(i).asText());
      }
      vectors.put(e.getKey(), v);
    }
    return new RemoteItem(
        text(n, "id", where),
        n.path("modality").asText(null),
        n.path("source").asText(null),
        text,
        metadata(n.path("metadata")),
        vectors);
  }

  /** Metadata as the index holds it: strings, longs, doubles, lists of them. */
  private static Map<String, Object> metadata(JsonNode n) {
    Map<String, Object> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), scalar(e.getValue())));
    return out;
  }

  private static Object scalar(JsonNode v) {
    if (v.isArray()) {
      List<Object> list = new ArrayList<>(v.size());
      v.forEach(x -> list.add(scalar(x)));
      return list;
    }
    if (v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return Double.parseDouble(v.asText()); // exact: the decimal is the double's shortest text
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.asText();
  }

  private static JsonNode metadataValue(String id, String key, Object v) {
    return switch (v) {
      case String s -> F.textNode(s);
      case Boolean b -> F.booleanNode(b);
      case Long l -> F.numberNode(l);
      case Integer i -> F.numberNode(i.longValue());
      case Short s -> F.numberNode(s.longValue());
      case Byte b -> F.numberNode(b.longValue());
      case Double d -> F.numberNode(d);
      case Float f -> F.numberNode(f.doubleValue());
      case Instant i -> F.textNode(i.toString());
      case Collection<?> c -> {
        ArrayNode a = F.arrayNode();
        c.forEach(x -> a.add(metadataValue(id, key, x)));
        yield a;
      }
      default ->
          throw new IllegalArgumentException(
              "item '"
                  + id
                  + "': metadata field '"
                  + key
                  + "' has a value of unsupported type "
                  + (v == null ? "null" : v.getClass().getName())
                  + "; the server takes strings, numbers, booleans and lists of them");
    };
  }

  private static Iterable<JsonNode> array(JsonNode body, String member, String where) {
    JsonNode a = body.get(member);
    if (a == null || !a.isArray()) {
      throw new IllegalStateException(where + ": the answer has no '" + member + "' list");
    }
    return a;
  }

  private static String text(JsonNode n, String member, String where) {
    JsonNode v = n.get(member);
    if (v == null || v.isNull()) {
      throw new IllegalStateException(where + ": the answer has no '" + member + "'");
    }
    return v.asText();
  }

  /** Configures a {@link BinderyClient}. */
  public static final class Builder {
    private final URI baseUrl;
    private String apiKey;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);

    private Builder(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      URI u;
      try {
        u = URI.create(baseUrl.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Bindery server URL '" + baseUrl + "' is not a URL: " + e.getMessage(), e);
      }
      if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme())
          || u.getHost() == null) {
        throw new IllegalArgumentException(
            "Bindery server URL '"
                + baseUrl
                + "' must be http(s)://HOST[:PORT], e.g. http://127.0.0.1:7700");
      }
      if (u.getQuery() != null || u.getFragment() != null) {
        throw new IllegalArgumentException(
            "Bindery server URL '" + baseUrl + "' must not have a query or fragment");
      }
      String path = u.getPath() == null ? "" : u.getPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      if (path.endsWith("/v1")) {
        throw new IllegalArgumentException(
            "Bindery server URL '"
                + baseUrl
                + "' ends in /v1; give the server's root (the client adds /v1/...)");
      }
      // Paths resolve against the root: a server behind a path prefix keeps its prefix.
      this.baseUrl = URI.create(u.getScheme() + "://" + u.getRawAuthority() + path + "/");
    }

    /**
     * The API key ({@code bk_...}), sent as {@code Authorization: Bearer}; null or blank for a
     * key-less server.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
      return this;
    }

    /** How long to wait for a connection (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * How long to wait for each answer (default 60 s); the server's own search timeout ({@code
     * serve --timeout}, default 30 s) answers 503 before it.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive(requestTimeout, "requestTimeout");
      return this;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    public BinderyClient build() {
      return new BinderyClient(this);
    }
  }
}
