package dev.bindery.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.bindery.indexer.BadArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/**
 * Reads requests and writes responses of the HTTP API. Reading is strict: malformed JSON, invalid
 * UTF-8, unknown members, a string where a number belongs (or the reverse), a fraction where an
 * integer belongs and nesting deeper than {@value #MAX_DEPTH} are {@link BadArgumentException}s
 * (400) naming the member and the reason. Members are snake_case; nulls are left out of responses.
 * Thread-safe.
 */
public final class Json {
  /** Deepest nesting a request may have; a query spec is far shallower. */
  static final int MAX_DEPTH = 200;

  private final ObjectMapper mapper;

  public Json() {
    JsonMapper m =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .defaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    // No "10" for 10, no 1 for true, no "" for null: a wrong type is the client's error to see.
    m.coercionConfigDefaults()
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert);
    this.mapper = m;
  }

  /** The mapper, for trees and for writing. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * Reads a request body as {@code type}.
   *
   * @param what the input, for messages ("request body", "metadata part")
   */
  public <T> T read(byte[] body, Class<T> type, String what) {
    if (body.length == 0) {
      throw new BadArgumentException(what + " is empty; expected a JSON object");
    }
    try {
      return mapper.readValue(body, type);
    } catch (JsonProcessingException e) {
      throw problem(e, what);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a request body as a JSON tree. */
  public JsonNode readTree(byte[] body, String what) {
    if (body.length == 0) {
      throw new BadArgumentException(what + " is empty; expected JSON");
    }
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw problem(e, what);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Converts a tree (part of a request) to {@code type}, with the same strictness. */
  public <T> T convert(JsonNode node, Class<T> type, String what) {
    try {
      return mapper.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw problem(e, what);
    }
  }

  /** Writes a response value. */
  public byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
    }
  }

  /** A 400 that says where in the input and what was wrong. */
  static BadArgumentException problem(JsonProcessingException e, String what) {
    String where = at(e, what);
    if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      // A record's own validation refused the value: its message says why.
      return new BadArgumentException(where + ": " + v.getCause().getMessage());
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String known =
          u.getKnownPropertyIds() == null
              ? ""
              : "; expected one of "
                  + u.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", ", "[", "]"));
      return new BadArgumentException(
          where + ": unknown member '" + u.getPropertyName() + "'" + known);
    }
    if (e instanceof InvalidFormatException f) {
      return new BadArgumentException(
          where + ": expected " + typeName(f.getTargetType()) + ", got " + describe(f.getValue()));
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return new BadArgumentException(
          where + ": expected " + typeName(m.getTargetType()) + "; " + firstLine(m));
    }
    if (e instanceof JsonParseException || e instanceof InputCoercionException) {
      JsonLocation loc = e.getLocation();
      String position =
          loc == null || loc.getLineNr() < 0
              ? ""
              : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      return new BadArgumentException(what + " is not valid JSON" + position + ": " + firstLine(e));
    }
    return new BadArgumentException(where + ": " + firstLine(e));
  }

  private static String at(JsonProcessingException e, String what) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder p = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        p.append('/');
        p.append(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()));
      }
      return what + " at " + p;
    }
    return what;
  }

  private static String firstLine(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static String typeName(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class
        || type == double.class
        || type == Float.class
        || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    return type.getSimpleName();
  }

  private static String describe(Object value) {
    if (value instanceof String s) {
      return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    return String.valueOf(value);
  }
}
