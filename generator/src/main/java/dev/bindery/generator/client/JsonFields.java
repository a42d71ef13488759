package dev.bindery.generator.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.BiFunction;

/**
 * Reads required and optional fields of a response with errors that name the field's path, so a
 * malformed answer says what was wrong with it. {@code malformed} builds the exception to throw.
 */
final class JsonFields {
  private final BiFunction<String, Throwable, RuntimeException> malformed;

  JsonFields(BiFunction<String, Throwable, RuntimeException> malformed) {
    this.malformed = malformed;
  }

  RuntimeException malformed(String detail) {
    return malformed.apply(detail, null);
  }

  RuntimeException malformed(String detail, Throwable cause) {
    return malformed.apply(detail, cause);
  }

  /** A required object field. */
  JsonNode object(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw malformed("the response has no '" + path + "'");
    }
    if (!n.isObject()) {
      throw malformed("'" + path + "' is " + kind(n) + ", expected an object");
    }
    return n;
  }

  /** An optional string field: null when absent or null. */
  String optionalText(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw malformed("'" + path + "' is " + kind(n) + ", expected a string");
    }
    return n.asText();
  }

  /** An optional non-negative integer field: -1 when absent or null. */
  int optionalCount(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return -1;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) {
      throw malformed("'" + path + "' is " + kind(n) + ", expected a count");
    }
    return n.asInt();
  }

  /** What a node is, for messages: {@code a number (42)}, {@code an array}, ... */
  static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    String v = ChatTransport.truncate(n.toString());
    if (v.length() > 40) {
      v = v.substring(0, 40) + "...";
    }
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string (" + v + ")";
      case NUMBER -> "a number (" + v + ")";
      case BOOLEAN -> "a boolean (" + v + ")";
      case NULL -> "null";
      default -> "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
