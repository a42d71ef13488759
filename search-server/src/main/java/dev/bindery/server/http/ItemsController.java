package dev.bindery.server.http;

import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.ItemSpec;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.Segment;
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
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
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
 * The items of a write are built by {@link JsonItems} (through the ingestor) or, for an upload,
 * read by {@link MultipartItemReader} and built and staged by {@link ItemUploads}; this class maps
 * HTTP to those calls and to the facade.
 */
final class ItemsController {
  private final Bindery bindery;
  private final HttpIo io;
  private final UploadStore uploads;
  private final ContentFiles content;
  private final ServerMetrics metrics;
  private final Semaphore ingests;
  private final int maxIngests;
  private final JsonItems json;
  private final MultipartItemReader multipart;
  private final ItemUploads uploaded;

  ItemsController(
      Bindery bindery,
      HttpIo io,
      UploadStore uploads,
      ContentFiles content,
      ServerMetrics metrics,
      Semaphore ingests,
      int maxIngests,
      DecodeGate decodes) {
    this.bindery = bindery;
    this.io = io;
    this.uploads = uploads;
    this.content = content;
    this.metrics = metrics;
    this.ingests = ingests;
    this.maxIngests = maxIngests;
    this.json = new JsonItems(bindery, io, decodes);
    this.multipart = new MultipartItemReader(io);
    this.uploaded = new ItemUploads(bindery, uploads, decodes);
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
      List<String> ids;
      if (ctx.isMultipartFormData()) {
        ids = uploaded.add(collection, multipart.read(ctx), items -> write(collection, items));
      } else {
        checkJson(ctx);
        List<Item> items = json.read(collection, io.body(ctx));
        write(collection, items);
        ids = items.stream().map(Item::id).toList();
      }
      metrics.ingest(collection, "ok", ids.size());
      io.json(ctx, 201, new ItemsWritten(ids, ids.size()));
    } catch (RuntimeException e) {
      metrics.ingest(collection, "failed", 0);
      throw DroppedCollection.or(bindery, collection, e);
    } finally {
      ingests.release();
    }
  }

  private static void checkJson(Context ctx) {
    String type = ctx.contentType();
    if (type != null && !type.toLowerCase(Locale.ROOT).startsWith(HttpIo.JSON)) {
      throw ApiProblem.of(
          415,
          "unsupported-media-type",
          "Unsupported media type",
          "items are sent as application/json or multipart/form-data, got '" + type + "'");
    }
  }

  /** Writes the items all or nothing and commits them (durable and visible). */
  private void write(String collection, List<Item> items) {
    ProblemMapper.unprocessable(
        "the index refused the items",
        () -> {
          bindery.add(collection, items);
          return null;
        });
    bindery.commit(collection);
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
      ItemIds.checkRead(req.ids().get(i), "request body at /ids/" + i);
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
    ItemIds.checkRead(id, "path");
    PatchItemRequest req = io.json().read(io.body(ctx), PatchItemRequest.class, "request body");
    Map<String, Object> changes = ItemSpec.metadataPatch(req.metadata(), "request body");
    for (String field : changes.keySet()) {
      RequestInput.check(
          "request body at /metadata", () -> Names.checkName("metadata field", field));
    }
    bindery.describe(collection);
    Item updated =
        ProblemMapper.unprocessable(
                "the index refused the metadata",
                () -> bindery.updateMetadata(collection, id, changes))
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "collection '" + collection + "' has no item '" + id + "'"));
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
    ItemIds.checkRead(id, "path");
    bindery.describe(collection);
    try {
      if (bindery.backend().delete(collection, List.of(id)) == 0) {
        throw new NotFoundException("collection '" + collection + "' has no item '" + id + "'");
      }
      bindery.commit(collection);
    } catch (RuntimeException e) {
      throw DroppedCollection.or(bindery, collection, e);
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
    ItemIds.checkRead(id, "path");
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
      throw DroppedCollection.or(bindery, collection, e);
    }
  }
}
