package dev.bindery.server.http;

import dev.bindery.encoders.pkg.ModelCatalog;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.ConflictException;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.NotFoundException;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import dev.bindery.server.http.Api.CollectionBody;
import dev.bindery.server.http.Api.CollectionList;
import dev.bindery.server.http.Api.CreateCollectionRequest;
import dev.bindery.server.http.Api.SpaceBody;
import dev.bindery.server.http.Api.SpaceRequest;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@code /v1/collections}: create, list, describe and drop collections. */
final class CollectionsController {
  private static final String CLASSPATH_MODELS = "classpath:/models/";

  private final Bindery bindery;
  private final ServerConfig config;
  private final HttpIo io;
  private final UploadStore uploads;

  CollectionsController(Bindery bindery, ServerConfig config, HttpIo io, UploadStore uploads) {
    this.bindery = bindery;
    this.config = config;
    this.io = io;
    this.uploads = uploads;
  }

  List<Route> routes() {
    return List.of(
        Route.of(HandlerType.POST, "/v1/collections", "createCollection")
            .summary("Create a collection with a model package or raw-vector spaces")
            .scope(Scope.ADMIN)
            .body(CreateCollectionRequest.class)
            .responds(201, CollectionBody.class)
            .errors(409, 422)
            .handler(this::create),
        Route.of(HandlerType.GET, "/v1/collections", "listCollections")
            .summary("List the collections the caller may see")
            .scope(Scope.READ)
            .responds(200, CollectionList.class)
            .handler(this::list),
        Route.of(HandlerType.GET, "/v1/collections/{name}", "getCollection")
            .summary("Describe a collection: count, spaces, model, fields")
            .scope(Scope.READ)
            .responds(200, CollectionBody.class)
            .errors(400, 404)
            .handler(this::get),
        Route.of(HandlerType.DELETE, "/v1/collections/{name}", "dropCollection")
            .summary("Drop a collection and everything in it")
            .scope(Scope.ADMIN)
            .responds(204, null)
            .errors(400, 404)
            .handler(this::drop));
  }

  private void create(Context ctx, Caller caller) {
    CreateCollectionRequest req =
        io.json().read(io.body(ctx), CreateCollectionRequest.class, "request body");
    if (req.name() == null) {
      throw new BadArgumentException("request body: 'name' is missing");
    }
    Names.checkName("collection", req.name());
    if (!caller.mayTouch(req.name())) {
      throw ApiProblem.of(
          403, "forbidden", "Forbidden", "this key may not create collection '" + req.name() + "'");
    }
    boolean hasSpaces = req.spaces() != null && !req.spaces().isEmpty();
    if ((req.model() == null) == !hasSpaces) {
      throw new BadArgumentException(
          "request body: give either 'model' (a model package that embeds items and queries) or"
              + " 'spaces' (raw vectors), "
              + (hasSpaces ? "not both" : "got neither"));
    }
    if (bindery.listCollections().contains(req.name())) {
      throw new ConflictException("collection '" + req.name() + "' already exists");
    }
    if (req.model() != null && req.fields() != null && !req.fields().isEmpty()) {
      throw new BadArgumentException(
          "request body: 'fields' can only be declared with 'spaces'; a model collection"
              + " infers metadata field types from the first value written");
    }
    String location = req.model() == null ? null : modelLocation(req.model());
    CollectionConfig raw = req.model() == null ? config(req) : null;
    try {
      if (location != null) {
        bindery.createCollection(req.name(), location);
      } else {
        bindery.createCollection(raw);
      }
    } catch (IllegalArgumentException e) {
      if (bindery.listCollections().contains(req.name())) {
        // Lost a race with another create of the same name.
        throw new ConflictException("collection '" + req.name() + "' already exists", e);
      }
      throw location == null
          ? e
          : ProblemMapper.unprocessable("cannot use model package '" + req.model() + "'", e);
    }
    ctx.header("Location", "/v1/collections/" + req.name());
    io.json(ctx, 201, body(req.name()));
  }

  private void list(Context ctx, Caller caller) {
    List<CollectionBody> out = new ArrayList<>();
    for (String name : bindery.listCollections().stream().sorted().toList()) {
      if (caller.mayTouch(name)) {
        try {
          out.add(body(name));
        } catch (dev.bindery.indexer.CollectionNotFoundException e) {
          // Dropped while listing: it is simply not there any more.
        }
      }
    }
    io.json(ctx, 200, new CollectionList(out));
  }

  private void get(Context ctx, Caller caller) {
    io.json(ctx, 200, body(ctx.pathParam("name")));
  }

  private void drop(Context ctx, Caller caller) {
    String name = ctx.pathParam("name");
    if (!bindery.dropCollection(name)) {
      throw new NotFoundException("unknown collection '" + name + "'");
    }
    uploads.dropCollection(name);
    ctx.status(204);
  }

  /** The collection as the API shows it. */
  CollectionBody body(String name) {
    CollectionInfo info = bindery.describe(name);
    Optional<String> model = bindery.modelLocation(name);
    Map<String, SpaceBody> spaces = new TreeMap<>();
    info.config()
        .spaces()
        .forEach(
            (k, s) ->
                spaces.put(
                    k,
                    new SpaceBody(
                        s.dim(),
                        s.similarity().wireName(),
                        s.storage().wireName(),
                        s.m(),
                        s.beamWidth())));
    Map<String, String> fields = new TreeMap<>();
    info.config().fields().forEach((k, t) -> fields.put(k, t.wireName()));
    return new CollectionBody(
        name,
        info.count(),
        info.vectorCount(),
        model.orElse(null),
        spaces,
        fields,
        info.filterSets().stream().sorted().toList());
  }

  /**
   * A model package named over HTTP: a package in the jar ({@code minilm-l6-v2} or {@code
   * classpath:/models/...}) or a sub-directory of a configured model directory. Paths are refused,
   * so a client cannot make the server open arbitrary directories.
   */
  private String modelLocation(String model) {
    if (model.startsWith("classpath:")) {
      if (!model.startsWith(CLASSPATH_MODELS) || model.contains("..")) {
        throw new BadArgumentException(
            "model '" + model + "': classpath packages live under " + CLASSPATH_MODELS);
      }
      return model;
    }
    try {
      Names.checkName("model package", model);
    } catch (IllegalArgumentException e) {
      // The name rule's refusal is replaced, not extended: over HTTP the point is "no paths".
      throw new BadArgumentException(
          "model '"
              + model
              + "' must be a package name such as minilm-l6-v2 (or classpath:/models/...);"
              + " paths are not accepted over HTTP");
    }
    for (Path dir : config.modelDirs()) {
      Path candidate = dir.resolve(model);
      if (Files.isDirectory(candidate)) {
        return candidate.toAbsolutePath().normalize().toString();
      }
    }
    if (ModelCatalog.builtIn().find(model).isPresent()) {
      throw new BadArgumentException(
          "model '"
              + model
              + "' is not downloaded on this server; run 'bindery models pull "
              + model
              + "' where it runs");
    }
    return CLASSPATH_MODELS + model;
  }

  private static CollectionConfig config(CreateCollectionRequest req) {
    Map<String, SpaceConfig> spaces = new LinkedHashMap<>();
    for (Map.Entry<String, SpaceRequest> e : req.spaces().entrySet()) {
      String where = "spaces." + e.getKey();
      SpaceRequest s = e.getValue();
      if (s == null || s.dim() == null) {
        throw new BadArgumentException("request body: " + where + ".dim is missing");
      }
      spaces.put(e.getKey(), RequestInput.at("request body: " + where, () -> space(e.getKey(), s)));
    }
    Map<String, FieldType> fields = new LinkedHashMap<>();
    if (req.fields() != null) {
      for (Map.Entry<String, String> f : req.fields().entrySet()) {
        fields.put(
            f.getKey(),
            RequestInput.at(
                "request body: fields." + f.getKey(), () -> FieldType.fromName(f.getValue())));
      }
    }
    return new CollectionConfig(req.name(), spaces, fields);
  }

  private static SpaceConfig space(String name, SpaceRequest s) {
    SpaceConfig sc =
        SpaceConfig.of(
            name,
            s.dim(),
            s.similarity() == null ? Similarity.COSINE : Similarity.fromName(s.similarity()),
            s.storage() == null ? VectorStorage.FLOAT32 : VectorStorage.fromName(s.storage()));
    if (s.m() != null || s.beamWidth() != null) {
      sc =
          sc.withGraph(
              s.m() == null ? SpaceConfig.DEFAULT_M : s.m(),
              s.beamWidth() == null ? SpaceConfig.DEFAULT_BEAM_WIDTH : s.beamWidth());
    }
    return sc;
  }
}
