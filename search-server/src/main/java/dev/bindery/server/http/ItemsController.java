package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.MediaType;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.Utf8Text;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.DataUrl;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.fusion.ingest.ItemSpec;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.UnprocessableException;
import dev.bindery.server.http.Api.CountBody;
import dev.bindery.server.http.Api.CountRequest;
import dev.bindery.server.http.Api.DeleteItemsRequest;
import dev.bindery.server.http.Api.DeletedBody;
import dev.bindery.server.http.Api.GetItemsRequest;
import dev.bindery.server.http.Api.ItemBody;
import dev.bindery.server.http.Api.ItemRequest;
import dev.bindery.server.http.Api.ItemUpload;
import dev.bindery.server.http.Api.ItemsBody;
import dev.bindery.server.http.Api.ItemsRequest;
import dev.bindery.server.http.Api.ItemsWritten;
import dev.bindery.server.http.Api.PatchItemRequest;
import dev.bindery.server.http.Api.SegmentBody;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

/**
 * {@code /v1/collections/{name}/items}: add items (JSON or multipart uploads), get, delete, and
 * serve an item's file. A write is all or nothing and answers after the items are committed
 * (durable and visible); a failed write leaves the collection and the upload store as they were.
 */
final class ItemsController {
  private final Bindery bindery;
  private final HttpIo io;
  private final UploadStore uploads;
  private final ContentFiles content;
  private final ServerMetrics metrics;
  private final Semaphore ingests;
  private final int maxIngests;
  private final DecodeGate decodes;

  ItemsController(
      Bindery bindery,
      HttpIo io,
      UploadStore uploads,
      ContentFiles content,
      ServerMetrics metrics,
      Semaphore ingests,
      int maxIngests,
      DecodeGate decodes) {
    this.decodes = decodes;
    this.bindery = bindery;
    this.io = io;
    this.uploads = uploads;
    this.content = content;
    this.metrics = metrics;
    this.ingests = ingests;
    this.maxIngests = maxIngests;
  }

  List<Route> routes() {
    return List.of(
        Route.of(HandlerType.POST, "/v1/collections/{name}/items", "addItems")
            .summary("Add or replace items (JSON, or multipart file uploads); all or nothing")
            .scope(Scope.WRITE)
            .body(ItemRequest.class, ItemsRequest.class)
            .multipart(ItemUpload.class)
            .query("refresh", "boolean", "Accepted for compatibility: writes are always committed")
            .responds(201, ItemsWritten.class)
            .errors(404, 409, 422, 503)
            .handler(this::add),
        Route.of(HandlerType.GET, "/v1/collections/{name}/items/{id}", "getItem")
            .summary("Get an item: modality, source, text, metadata, spaces, segments")
            .scope(Scope.READ)
            .responds(200, ItemBody.class)
            .errors(400, 404)
            .handler(this::get),
        Route.of(HandlerType.DELETE, "/v1/collections/{name}/items/{id}", "deleteItem")
            .summary("Delete an item (committed before the answer)")
            .scope(Scope.WRITE)
            .responds(204, null)
            .errors(400, 404)
            .handler(this::delete),
        Route.of(HandlerType.PATCH, "/v1/collections/{name}/items/{id}", "patchItem")
            .summary("Set or remove metadata fields of an item without re-embedding it")
            .scope(Scope.WRITE)
            .body(PatchItemRequest.class)
            .responds(200, ItemBody.class)
            .errors(400, 404, 422)
            .handler(this::patch),
        Route.of(HandlerType.POST, "/v1/collections/{name}/items/get", "getItems")
            .summary("Get many items by id")
            .scope(Scope.READ)
            .body(GetItemsRequest.class)
            .responds(200, ItemsBody.class)
            .errors(400, 404)
            .handler(this::getMany),
        Route.of(HandlerType.POST, "/v1/collections/{name}/items/delete", "deleteItems")
            .summary("Delete every item that passes a filter, or only count them (dry_run)")
            .scope(Scope.WRITE)
            .body(DeleteItemsRequest.class)
            .responds(200, DeletedBody.class)
            .errors(400, 404)
            .handler(this::deleteWhere),
        Route.of(HandlerType.POST, "/v1/collections/{name}/count", "countItems")
            .summary("Count the items that pass a filter")
            .scope(Scope.READ)
            .body(CountRequest.class)
            .responds(200, CountBody.class)
            .errors(400, 404)
            .handler(this::count),
        Route.of(HandlerType.GET, "/v1/collections/{name}/items/{id}/content", "getItemContent")
            .summary("The item's file (image, audio, video, text); range requests for audio/video")
            .scope(Scope.READ)
            .respondsWith(200, "application/octet-stream")
            .errors(400, 404, 409, 410)
            .handler(this::content));
  }

  // ------------------------------------------------------------------ ids

  /**
   * Checks an id that a client wants to write: the index's rules plus no {@code /}, {@code \} or
   * {@code ..}, so an id can never be mistaken for a path anywhere.
   */
  static void checkWriteId(String id, String where) {
    checkReadId(id, where);
    if (id.indexOf('/') >= 0 || id.indexOf('\\') >= 0) {
      throw new BadArgumentException(where + ": item id '" + id + "' must not contain '/' or '\\'");
    }
  }

  /** Checks an id in a request path: the index's rules and no {@code ..}. */
  static void checkReadId(String id, String where) {
    checkUnicode(id, where);
    try {
      Names.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException(where + ": " + e.getMessage());
    }
    if (id.contains("..")) {
      throw new BadArgumentException(where + ": item id '" + id + "' must not contain '..'");
    }
  }

  /**
   * 400 for an id that is not valid Unicode: a lone UTF-16 surrogate (which JSON's {@code \\ud800}
   * escape can carry) would become U+FFFD when stored, so two different ids would name one item.
   */
  static void checkUnicode(String id, String where) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < id.length()
          && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new BadArgumentException(
            where
                + ": item id has a lone UTF-16 surrogate (U+"
                + HexFormat.of().withUpperCase().toHexDigits(c)
                + ") at index "
                + i
                + "; ids must be valid Unicode");
      }
    }
  }

  /**
   * What a failure during a write or read means when its collection was dropped meanwhile: 404
   * rather than whatever the closed index threw (a 500 that was nobody's bug).
   */
  static RuntimeException droppedOr(Bindery bindery, String collection, RuntimeException e) {
    if (e instanceof ApiProblem || e instanceof BadArgumentException) {
      return e; // already says what was wrong with the request
    }
    boolean closed = false;
    for (Throwable t = e; t != null && !closed; t = t.getCause() == t ? null : t.getCause()) {
      // The embedded index closes a collection's writer and readers when it is dropped; a
      // request that was between its steps then meets them closed before the name is gone.
      closed = t instanceof org.apache.lucene.store.AlreadyClosedException;
    }
    boolean exists;
    try {
      exists = bindery.listCollections().contains(collection);
    } catch (RuntimeException listing) {
      e.addSuppressed(listing);
      return e;
    }
    RuntimeException p;
    if (!exists) {
      p =
          new NotFoundException(
              "collection '"
                  + collection
                  + "' was dropped while this request was running; nothing was written");
    } else if (closed) {
      p =
          new ConflictException(
              "collection '"
                  + collection
                  + "' was being dropped or closed while this request was running; the request"
                  + " did not complete");
    } else {
      return e;
    }
    p.addSuppressed(e);
    return p;
  }

  // ------------------------------------------------------------------ add

  private void add(Context ctx, Caller caller) throws Exception {
    String collection = ctx.pathParam("name");
    bindery.describe(collection); // 404 before anything is read or embedded
    if (!ingests.tryAcquire()) {
      metrics.ingest(collection, "busy", 0);
      throw ApiProblem.unavailable(
          "busy",
          "Server busy",
          "the server is already handling "
              + maxIngests
              + " item writes (serve --max-ingests); retry shortly",
          1);
    }
    try {
      List<String> ids =
          ctx.isMultipartFormData() ? addUploads(ctx, collection) : addJson(ctx, collection);
      metrics.ingest(collection, "ok", ids.size());
      io.json(ctx, 201, new ItemsWritten(ids, ids.size()));
    } catch (RuntimeException e) {
      metrics.ingest(collection, "failed", 0);
      throw droppedOr(bindery, collection, e);
    } finally {
      ingests.release();
    }
  }

  private List<String> addJson(Context ctx, String collection) {
    String type = ctx.contentType();
    if (type != null && !type.toLowerCase(Locale.ROOT).startsWith(HttpIo.JSON)) {
      throw ApiProblem.of(
          415,
          "unsupported-media-type",
          "Unsupported media type",
          "items are sent as application/json or multipart/form-data, got '" + type + "'");
    }
    JsonNode tree = io.json().readTree(io.body(ctx), "request body");
    List<JsonNode> nodes = new ArrayList<>();
    String prefix;
    if (tree.isObject() && tree.has("items")) {
      if (tree.size() != 1) {
        throw new BadArgumentException(
            "request body: {\"items\": [...]} takes no other members, got " + fieldNames(tree));
      }
      JsonNode list = tree.get("items");
      if (!list.isArray() || list.isEmpty()) {
        throw new BadArgumentException("request body: 'items' must be a non-empty list of items");
      }
      list.forEach(nodes::add);
      prefix = "items";
    } else if (tree.isObject()) {
      nodes.add(tree);
      prefix = null;
    } else {
      throw new BadArgumentException(
          "request body must be an item object or {\"items\": [...]}, got "
              + tree.getNodeType().toString().toLowerCase(Locale.ROOT));
    }
    List<ItemSpec> specs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      String where = prefix == null ? "item" : prefix + "[" + i + "]";
      ItemSpec spec = ItemSpec.fromJson(nodes.get(i), where);
      if (spec.id() == null) {
        throw new BadArgumentException(where + ": 'id' is missing");
      }
      checkWriteId(spec.id(), where);
      if (!seen.add(spec.id())) {
        throw new BadArgumentException(where + ": id '" + spec.id() + "' appears twice");
      }
      if (spec.media() != null) {
        // The Ingestor refuses paths too; checking here makes it a 400 (the request is wrong)
        // rather than a 422 (the content is unusable).
        DataUrl.parse(spec.media(), where + "." + spec.mediaKind());
      }
      specs.add(spec);
    }
    Ingestor ingestor = new Ingestor(bindery, collection, IngestOptions.noFiles(io.maxBodyBytes()));
    List<Item> items = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      ItemSpec spec = specs.get(i);
      String where = (prefix == null ? "item" : prefix + "[" + i + "]") + " ('" + spec.id() + "')";
      try {
        items.add(
            spec.media() == null
                ? ingestor.toItem(spec)
                : decodes.run(where, () -> ingestor.toItem(spec)));
      } catch (IllegalArgumentException e) {
        throw ProblemMapper.unprocessable(where + " cannot be ingested", e);
      }
    }
    write(collection, items);
    return items.stream().map(Item::id).toList();
  }

  private List<String> addUploads(Context ctx, String collection) throws IOException {
    io.checkDeclaredLength(ctx);
    Collection<Part> parts = parts(ctx);
    List<Part> files = new ArrayList<>();
    String id = null;
    Map<String, Object> metadata = Map.of();
    for (Part p : parts) {
      if (p.getSubmittedFileName() != null) {
        files.add(p);
      } else if (p.getName().equals("id")) {
        id = utf8(p, "the 'id' part");
      } else if (p.getName().equals("metadata")) {
        metadata = metadata(utf8(p, "the 'metadata' part"));
      } else {
        throw new BadArgumentException(
            "multipart part '"
                + p.getName()
                + "' is not understood; send file parts, and optionally 'id' and 'metadata'");
      }
    }
    if (files.isEmpty()) {
      throw new BadArgumentException("the multipart body has no file part");
    }
    if (id != null && files.size() > 1) {
      throw new BadArgumentException(
          "'id' names one item, but " + files.size() + " files were uploaded; upload one file");
    }
    List<Upload> staged = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean written = false;
    try {
      for (Part p : files) {
        String name = baseName(p.getSubmittedFileName());
        String where = "file '" + name + "'";
        String itemId = id != null ? id : name;
        checkWriteId(itemId, where);
        if (!seen.add(itemId)) {
          throw new BadArgumentException(where + ": id '" + itemId + "' appears twice");
        }
        byte[] bytes = read(p);
        // In memory from the request to the decoder; what it is comes from its name and content.
        MediaSource media = MediaSource.of(bytes, name, null);
        MediaType type;
        try {
          type = media.type();
        } catch (IllegalArgumentException e) {
          throw new BadArgumentException(where + ": " + e.getMessage());
        }
        Modality modality = type.modality();
        Upload u = stage(collection, itemId, type.extension(), bytes);
        staged.add(u);
        Map<String, Object> meta = metadata;
        if (u.path() != null) {
          // What .../content checks the stored file against before sending it.
          meta = new LinkedHashMap<>(metadata);
          meta.put(Ingestor.SOURCE_HASH, HexFormat.of().formatHex(sha256(bytes)));
          meta.put(Ingestor.SOURCE_BYTES, (long) bytes.length);
        }
        Map<String, Object> itemMeta = meta;
        try {
          items.add(
              modality == Modality.TEXT
                  ? embed(collection, itemId, media, u, itemMeta)
                  : decodes.run(where, () -> embed(collection, itemId, media, u, itemMeta)));
        } catch (IllegalArgumentException e) {
          throw new UnprocessableException(where + " cannot be ingested: " + e.getMessage(), e);
        }
      }
      write(collection, items);
      written = true;
    } finally {
      for (Upload u : staged) {
        if (u.path() == null) {
          continue;
        }
        if (written) {
          uploads.commit(collection, u.id(), u.path(), () -> currentSource(collection, u));
        } else {
          uploads.discard(u.path());
        }
      }
    }
    return items.stream().map(Item::id).toList();
  }

  private record Upload(String id, Path path) {}

  /** The item's source as the index holds it now (another write may have replaced ours). */
  private String currentSource(String collection, Upload u) {
    try {
      return bindery.backend().get(collection, u.id()).map(Item::source).orElse(null);
    } catch (RuntimeException e) {
      // Dropped or deleted meanwhile: keep the new file rather than guess.
      return u.path().toString();
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private Upload stage(String collection, String id, String extension, byte[] bytes) {
    if (!uploads.enabled()) {
      return new Upload(id, null);
    }
    return new Upload(id, uploads.stage(collection, id, extension, bytes));
  }

  private Item embed(
      String collection,
      String id,
      MediaSource media,
      Upload upload,
      Map<String, Object> metadata) {
    // Embedded from the stored file when there is one, so the item's source is the file the
    // server can serve; else from the bytes in memory (video included: no temporary file).
    MediaSource from = upload.path() != null ? MediaSource.of(upload.path()) : media;
    return bindery.embed(collection, id, from, metadata);
  }

  private void write(String collection, List<Item> items) {
    try {
      bindery.add(collection, items);
    } catch (IllegalArgumentException e) {
      throw ProblemMapper.unprocessable("the index refused the items", e);
    }
    bindery.commit(collection);
  }

  private Collection<Part> parts(Context ctx) {
    try {
      ctx.uploadedFiles(); // lets Javalin apply its multipart limits to the request
      return ctx.req().getParts();
    } catch (IOException | ServletException | IllegalStateException e) {
      if (tooLarge(e)) {
        throw new BodyTooLargeException(
            io.maxBodyBytes(),
            "the multipart body is larger than the "
                + io.maxBodyBytes()
                + " bytes this server accepts");
      }
      throw new BadArgumentException("the multipart body cannot be read: " + e.getMessage());
    }
  }

  /**
   * Whether Jetty refused the multipart body for its size. Jetty's multipart parser reports its
   * {@code maxTotalRequestSize}/{@code maxFileSize} limits as a 413 {@code HttpException} or only
   * as a bare {@link IllegalStateException} ("max length exceeded: N", "max file size exceeded:
   * N"), so that wording is recognised here, once, where Jetty's failure becomes our typed {@link
   * BodyTooLargeException}; no code of ours decides a status from a message.
   */
  private static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.eclipse.jetty.http.HttpException h && h.getCode() == 413) {
        return true;
      }
      if (t.getMessage() != null && JETTY_SIZE_LIMIT.matcher(t.getMessage()).find()) {
        return true;
      }
    }
    return false;
  }

  private static final java.util.regex.Pattern JETTY_SIZE_LIMIT =
      java.util.regex.Pattern.compile("(?i)\\bexceed(s|ed)\\b");

  private byte[] read(Part p) throws IOException {
    if (p.getSize() > io.maxBodyBytes()) {
      throw new BodyTooLargeException(
          io.maxBodyBytes(), "an uploaded file is larger than the limit");
    }
    try (InputStream in = p.getInputStream()) {
      return in.readAllBytes();
    }
  }

  private static String utf8(Part p, String what) throws IOException {
    try (InputStream in = p.getInputStream()) {
      return Utf8Text.decode(in.readAllBytes(), what);
    }
  }

  private Map<String, Object> metadata(String json) {
    JsonNode tree =
        io.json().readTree(json.getBytes(StandardCharsets.UTF_8), "the 'metadata' part");
    // The same rules as an item's metadata in JSON: the upload is an item whose content is a file.
    return ItemSpec.metadataFromJson(tree, "the 'metadata' part");
  }

  /**
   * A client's file name, which must be a plain name: browsers send only that, and a name with a
   * path in it is refused rather than guessed at (its extension picks the modality, and without an
   * id it becomes the item id).
   */
  private static String baseName(String submitted) {
    if (submitted.isBlank()) {
      throw new BadArgumentException(
          "an uploaded file has no name; its extension picks its modality");
    }
    if (submitted.indexOf('/') >= 0 || submitted.indexOf('\\') >= 0 || submitted.contains("..")) {
      throw new BadArgumentException(
          "uploaded file name '" + submitted + "' must be a plain file name, without a path");
    }
    return submitted;
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  // ------------------------------------------------------------------ get, delete, content

  private void get(Context ctx, Caller caller) {
    String collection = ctx.pathParam("name");
    Item item = item(collection, ctx.pathParam("id"));
    io.json(ctx, 200, body(collection, item));
  }

  /** Most ids one {@code items/get} request may ask for. */
  static final int MAX_GET_IDS = 1000;

  private void getMany(Context ctx, Caller caller) {
    String collection = ctx.pathParam("name");
    GetItemsRequest req = io.json().read(io.body(ctx), GetItemsRequest.class, "request body");
    if (req.ids() == null) {
      throw new BadArgumentException("request body: 'ids' is missing");
    }
    if (req.ids().size() > MAX_GET_IDS) {
      throw new BadArgumentException(
          "request body at /ids: "
              + req.ids().size()
              + " ids; at most "
              + MAX_GET_IDS
              + " per request");
    }
    for (int i = 0; i < req.ids().size(); i++) {
      if (req.ids().get(i) == null) {
        throw new BadArgumentException("request body at /ids/" + i + ": null is not an id");
      }
      checkReadId(req.ids().get(i), "request body at /ids/" + i);
    }
    bindery.describe(collection);
    List<Item> found = bindery.get(collection, req.ids());
    Set<String> foundIds = new HashSet<>();
    boolean withVectors = req.includeVectors() != null && req.includeVectors();
    List<ItemBody> items = new ArrayList<>(found.size());
    for (Item item : found) {
      foundIds.add(item.id());
      items.add(body(collection, item, withVectors));
    }
    List<String> missing =
        req.ids().stream().distinct().filter(id -> !foundIds.contains(id)).toList();
    io.json(ctx, 200, new ItemsBody(items, missing));
  }

  private void count(Context ctx, Caller caller) {
    String collection = ctx.pathParam("name");
    byte[] raw = io.body(ctx);
    CountRequest req =
        raw.length == 0
            ? new CountRequest(null)
            : io.json().read(raw, CountRequest.class, "request body");
    dev.bindery.indexer.Filter filter = FilterJson.read(req.filter());
    io.json(ctx, 200, new CountBody(bindery.count(collection, filter)));
  }

  private void deleteWhere(Context ctx, Caller caller) {
    String collection = ctx.pathParam("name");
    DeleteItemsRequest req = io.json().read(io.body(ctx), DeleteItemsRequest.class, "request body");
    if (req.filter() == null || req.filter().isNull()) {
      throw new BadArgumentException(
          "request body: 'filter' is missing; deleting every item is DELETE"
              + " /v1/collections/{name}");
    }
    dev.bindery.indexer.Filter filter = FilterJson.read(req.filter());
    boolean dryRun = req.dryRun() != null && req.dryRun();
    if (dryRun) {
      io.json(ctx, 200, new DeletedBody(bindery.count(collection, filter), true));
      return;
    }
    List<String> deleted = bindery.deleteWhere(collection, filter);
    bindery.commit(collection);
    deleted.forEach(id -> uploads.deleteItem(collection, id));
    io.json(ctx, 200, new DeletedBody(deleted.size(), false));
  }

  private void patch(Context ctx, Caller caller) {
    String collection = ctx.pathParam("name");
    String id = ctx.pathParam("id");
    checkReadId(id, "path");
    PatchItemRequest req = io.json().read(io.body(ctx), PatchItemRequest.class, "request body");
    Map<String, Object> changes = ItemSpec.metadataPatch(req.metadata(), "request body");
    for (String field : changes.keySet()) {
      try {
        Names.checkName("metadata field", field);
      } catch (IllegalArgumentException e) {
        throw new BadArgumentException("request body at /metadata: " + e.getMessage());
      }
    }
    bindery.describe(collection);
    Item updated;
    try {
      updated =
          bindery
              .updateMetadata(collection, id, changes)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "collection '" + collection + "' has no item '" + id + "'"));
    } catch (IllegalArgumentException e) {
      throw ProblemMapper.unprocessable("the index refused the metadata", e);
    }
    bindery.commit(collection);
    io.json(ctx, 200, body(collection, updated));
  }

  private ItemBody body(String collection, Item item) {
    return body(collection, item, false);
  }

  private ItemBody body(String collection, Item item, boolean withVectors) {
    Map<String, Integer> vectors = new TreeMap<>();
    item.vectors().forEach((space, v) -> vectors.put(space, v.length));
    List<SegmentBody> segments = new ArrayList<>();
    for (Segment s : item.segments()) {
      segments.add(new SegmentBody(s.start(), s.end()));
    }
    return new ItemBody(
        item.id(),
        item.modality(),
        item.source(),
        new LinkedHashMap<>(item.text()),
        item.metadata(),
        vectors,
        segments,
        content.url(collection, item.id(), item.source()),
        withVectors ? vectorValues(item) : null);
  }

  /**
   * The item's vectors as JSON lists; a float prints as the shortest text that reads back to it.
   */
  private static Map<String, List<Float>> vectorValues(Item item) {
    Map<String, List<Float>> out = new TreeMap<>();
    item.vectors()
        .forEach(
            (space, v) -> {
              List<Float> values = new ArrayList<>(v.length);
              for (float x : v) {
                values.add(x);
              }
              out.put(space, values);
            });
    return out;
  }

  private void delete(Context ctx, Caller caller) {
    String collection = ctx.pathParam("name");
    String id = ctx.pathParam("id");
    checkReadId(id, "path");
    bindery.describe(collection);
    try {
      if (bindery.backend().delete(collection, List.of(id)) == 0) {
        throw new NotFoundException("collection '" + collection + "' has no item '" + id + "'");
      }
      bindery.commit(collection);
    } catch (RuntimeException e) {
      throw droppedOr(bindery, collection, e);
    }
    uploads.deleteItem(collection, id);
    ctx.status(204);
  }

  private void content(Context ctx, Caller caller) throws IOException {
    String collection = ctx.pathParam("name");
    Item item = item(collection, ctx.pathParam("id"));
    ContentFiles.Servable file = content.verified(item);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Cache-Control", "private, max-age=60");
    if (file.mediaType().startsWith("audio/") || file.mediaType().startsWith("video/")) {
      // Players seek with range requests; Javalin answers those for audio and video.
      ctx.writeSeekableStream(Files.newInputStream(file.path()), file.mediaType(), file.size());
    } else {
      ctx.contentType(file.mediaType());
      ctx.header("Content-Length", Long.toString(file.size()));
      ctx.result(Files.newInputStream(file.path()));
    }
  }

  private Item item(String collection, String id) {
    checkReadId(id, "path");
    bindery.describe(collection);
    try {
      return bindery
          .backend()
          .get(collection, id)
          .orElseThrow(
              () ->
                  new NotFoundException(
                      "collection '" + collection + "' has no item '" + id + "'"));
    } catch (RuntimeException e) {
      throw droppedOr(bindery, collection, e);
    }
  }
}
