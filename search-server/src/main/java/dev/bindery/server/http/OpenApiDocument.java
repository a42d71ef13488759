package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.HttpStatus;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the OpenAPI 3.1 document of the server from its {@link Route}s: one operation per route,
 * and one schema per request or response record, derived by reflection over the record components
 * (snake_case names as {@link Json} writes them, {@link Doc} descriptions). Nothing is written by
 * hand, so the document lists every route the server registers and the shapes it really reads and
 * writes.
 */
final class OpenApiDocument {
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([A-Za-z0-9_]+)}");
  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private final JsonNodeFactory f = JsonNodeFactory.instance;
  private final Map<String, ObjectNode> schemas = new TreeMap<>();

  private OpenApiDocument() {}

  /** The document for these routes. */
  static ObjectNode build(List<Route> routes, String version) {
    return new OpenApiDocument().document(routes, version);
  }

  private ObjectNode document(List<Route> routes, String version) {
    ObjectNode doc = f.objectNode();
    doc.put("openapi", "3.1.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Bindery");
    info.put("version", version);
    info.put(
        "description",
        "Multimodal retrieval over HTTP. Errors are application/problem+json (RFC 9457). When the"
            + " server has API keys, send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.");
    ObjectNode paths = doc.putObject("paths");
    schema(Api.Problem.class);
    for (Route r : routes) {
      ObjectNode item =
          paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
      item.set(r.method().name().toLowerCase(Locale.ROOT), operation(r));
    }
    ObjectNode components = doc.putObject("components");
    ObjectNode s = components.putObject("schemas");
    schemas.forEach(s::set);
    ObjectNode security = components.putObject("securitySchemes");
    security.putObject("bearer").put("type", "http").put("scheme", "bearer");
    security.putObject("apiKey").put("type", "apiKey").put("in", "header").put("name", "X-API-Key");
    return doc;
  }

  private ObjectNode operation(Route r) {
    ObjectNode op = f.objectNode();
    op.put("operationId", r.operationId());
    op.put("summary", r.summary());
    ArrayNode params = f.arrayNode();
    Matcher m = PATH_PARAM.matcher(r.path());
    while (m.find()) {
      ObjectNode p = params.addObject();
      p.put("name", m.group(1));
      p.put("in", "path");
      p.put("required", true);
      p.putObject("schema").put("type", "string");
    }
    for (Route.QueryParam q : r.query()) {
      ObjectNode p = params.addObject();
      p.put("name", q.name());
      p.put("in", "query");
      p.put("required", false);
      p.put("description", q.description());
      p.putObject("schema").put("type", q.type());
    }
    if (!params.isEmpty()) {
      op.set("parameters", params);
    }
    if (!r.requestBodies().isEmpty() || r.multipart() != null) {
      ObjectNode body = op.putObject("requestBody");
      body.put("required", true);
      ObjectNode content = body.putObject("content");
      if (!r.requestBodies().isEmpty()) {
        ObjectNode json = content.putObject("application/json");
        if (r.requestBodies().size() == 1) {
          json.set("schema", schema(r.requestBodies().get(0)));
        } else {
          ArrayNode oneOf = json.putObject("schema").putArray("oneOf");
          r.requestBodies().forEach(t -> oneOf.add(schema(t)));
        }
      }
      if (r.multipart() != null) {
        content.putObject("multipart/form-data").set("schema", schema(r.multipart()));
      }
    }
    ObjectNode responses = op.putObject("responses");
    ObjectNode ok = responses.putObject(Integer.toString(r.status()));
    ok.put("description", HttpStatus.forStatus(r.status()).getMessage());
    if (!r.responseHeaders().isEmpty()) {
      ObjectNode headers = ok.putObject("headers");
      for (Route.ResponseHeader h : r.responseHeaders()) {
        ObjectNode header = headers.putObject(h.name());
        header.put("description", h.description());
        header.putObject("schema").put("type", "string");
      }
    }
    if (r.response() != null) {
      ok.putObject("content").putObject("application/json").set("schema", schema(r.response()));
    } else if (r.responseType() != null) {
      ok.putObject("content").putObject(r.responseType()).putObject("schema");
    }
    for (int status : r.errors()) {
      ObjectNode e = responses.putObject(Integer.toString(status));
      e.put("description", HttpStatus.forStatus(status).getMessage());
      e.putObject("content")
          .putObject("application/problem+json")
          .set("schema", ref(Api.Problem.class));
    }
    if (r.scope() != null) {
      ArrayNode sec = op.putArray("security");
      sec.addObject().putArray("bearer");
      sec.addObject().putArray("apiKey");
      op.put("x-bindery-scope", r.scope().wireName());
    }
    return op;
  }

  private ObjectNode ref(Class<?> record) {
    schema(record);
    return f.objectNode().put("$ref", "#/components/schemas/" + record.getSimpleName());
  }

  /** The schema of a type; records are registered once under their simple name and referenced. */
  private ObjectNode schema(Type type) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        ObjectNode s = f.objectNode().put("type", "array");
        s.set("items", schema(args[0]));
        return s;
      }
      if (Map.class.isAssignableFrom(raw)) {
        ObjectNode s = f.objectNode().put("type", "object");
        s.set("additionalProperties", schema(args[1]));
        return s;
      }
      throw new IllegalStateException("no schema for " + type);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return f.objectNode().put("type", "string");
    }
    if (c == int.class || c == Integer.class) {
      return f.objectNode().put("type", "integer").put("format", "int32");
    }
    if (c == long.class || c == Long.class) {
      return f.objectNode().put("type", "integer").put("format", "int64");
    }
    if (c == double.class || c == Double.class) {
      return f.objectNode().put("type", "number").put("format", "double");
    }
    if (c == float.class || c == Float.class) {
      return f.objectNode().put("type", "number").put("format", "float");
    }
    if (c == boolean.class || c == Boolean.class) {
      return f.objectNode().put("type", "boolean");
    }
    if (c == Object.class || JsonNode.class.isAssignableFrom(c)) {
      return f.objectNode(); // any JSON value
    }
    if (c.isRecord()) {
      String name = c.getSimpleName();
      if (!schemas.containsKey(name)) {
        schemas.put(name, f.objectNode()); // placeholder: records may refer to themselves
        schemas.put(name, recordSchema(c));
      }
      return f.objectNode().put("$ref", "#/components/schemas/" + name);
    }
    throw new IllegalStateException("no schema for " + c.getName());
  }

  private ObjectNode recordSchema(Class<?> c) {
    ObjectNode s = f.objectNode().put("type", "object");
    Doc typeDoc = c.getAnnotation(Doc.class);
    if (typeDoc != null) {
      s.put("description", typeDoc.value());
    }
    ObjectNode props = s.putObject("properties");
    List<String> required = new ArrayList<>();
    for (RecordComponent rc : c.getRecordComponents()) {
      String name = SNAKE.translate(rc.getName());
      ObjectNode p = schema(rc.getGenericType());
      Doc doc = rc.getAnnotation(Doc.class);
      if (doc != null) {
        if (p.has("$ref")) {
          // 3.1 allows siblings of $ref, but a wrapper keeps older tools happy too.
          ObjectNode wrapped = f.objectNode();
          wrapped.putArray("allOf").add(p);
          p = wrapped;
        }
        p.put("description", doc.value());
        if (doc.required()) {
          required.add(name);
        }
      }
      props.set(name, p);
    }
    if (!required.isEmpty()) {
      ArrayNode r = s.putArray("required");
      required.forEach(r::add);
    }
    return s;
  }
}
