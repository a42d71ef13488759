package dev.bindery.fusion.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.indexer.BadArgumentException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One item as a manifest line or an API request describes it, before anything is decoded or
 * embedded: {@code {"id", "text", "image", "audio", "video", "vectors": {"space": [...]},
 * "metadata": {...}}}.
 *
 * <p>{@code image}, {@code audio} and {@code video} are a file path (resolved by the {@link
 * Ingestor} against a base folder, where its options allow files) or a {@code
 * data:<mime>;base64,...} URL. At most one of them may be given: it is the item's content and gives
 * it its vector; {@code text} then is the item's caption (searchable with BM25, not embedded).
 * Without media, {@code text} is the content and is embedded with the text tower.
 *
 * @param id the item id; may be null in a manifest line with a media path (the path is the id)
 * @param vectors precomputed vectors by space name (may be empty)
 * @param metadata String, Long, Double or lists of them
 */
public record ItemSpec(
    String id,
    String text,
    String image,
    String audio,
    String video,
    Map<String, float[]> vectors,
    Map<String, Object> metadata) {

  /** The keys a manifest line or API item may have. */
  public static final Set<String> KEYS =
      Set.of("id", "text", "image", "audio", "video", "vectors", "metadata");

  public ItemSpec {
    vectors = vectors == null ? Map.of() : Map.copyOf(vectors);
    metadata =
        metadata == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    int media = (image != null ? 1 : 0) + (audio != null ? 1 : 0) + (video != null ? 1 : 0);
    if (media > 1) {
      throw new BadArgumentException(
          "item '" + id + "' has more than one of image, audio and video; give one per item");
    }
    if (media == 0 && text == null && vectors.isEmpty()) {
      throw new BadArgumentException(
          "item '" + id + "' has no content: give text, image, audio, video or vectors");
    }
  }

  /** The media reference (path or data URL), or null for text/vector items. */
  public String media() {
    return image != null ? image : audio != null ? audio : video;
  }

  /** The modality the media field names ("image", "audio", "video"), or null. */
  public String mediaKind() {
    return image != null ? "image" : audio != null ? "audio" : video != null ? "video" : null;
  }

  /**
   * Reads one item from JSON.
   *
   * @param where names the input in errors, e.g. {@code "photos.jsonl:12"} or {@code "items[3]"}
   * @throws IllegalArgumentException naming {@code where} and the field, for unknown keys, wrong
   *     types, empty strings, non-finite vector values or nested metadata objects
   */
  public static ItemSpec fromJson(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new BadArgumentException(where + ": an item must be a JSON object, got " + kind(node));
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new BadArgumentException(
            where + ": unknown key '" + key + "'; an item may have " + new TreeSet<>(KEYS));
      }
    }
    try {
      return new ItemSpec(
          string(node, "id", where),
          string(node, "text", where),
          string(node, "image", where),
          string(node, "audio", where),
          string(node, "video", where),
          vectors(node.get("vectors"), where),
          metadata(node.get("metadata"), where));
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(where)) {
        throw e;
      }
      throw new BadArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads an item's metadata object on its own (an upload's {@code metadata} part, whose item is a
   * file), by the same rules as the {@code metadata} of {@link #fromJson}.
   *
   * @param where names the input in errors
   * @return the fields, in input order; empty for a missing or null object
   * @throws IllegalArgumentException naming {@code where} and the field, as {@link #fromJson} does
   */
  public static Map<String, Object> metadataFromJson(JsonNode v, String where) {
    try {
      return java.util.Collections.unmodifiableMap(metadata(v, where));
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(where)) {
        throw e;
      }
      throw new BadArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static String string(JsonNode node, String key, String where) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadArgumentException(where + ": '" + key + "' must be a string, got " + kind(v));
    }
    if (v.asText().isEmpty()) {
      throw new BadArgumentException(where + ": '" + key + "' is empty");
    }
    return v.asText();
  }

  private static Map<String, float[]> vectors(JsonNode v, String where) {
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new BadArgumentException(
          where + ": 'vectors' must be an object of space -> [numbers], got " + kind(v));
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode arr = e.getValue();
      if (!arr.isArray() || arr.isEmpty()) {
        throw new BadArgumentException(
            where + ": vectors." + e.getKey() + " must be a non-empty array of numbers");
      }
      float[] f = new float[arr.size()];
      for (int i = 0; i < f.length; i++) {
        JsonNode x = arr.get(i);
        if (!x.isNumber() || !Float.isFinite((float) x.asDouble())) {
          throw new BadArgumentException(
              where + ": vectors." + e.getKey() + "[" + i + "] must be a finite number, got " + x);
        }
        f[i] = (float) x.asDouble();
      }
      out.put(e.getKey(), f);
    }
    return out;
  }

  private static Map<String, Object> metadata(JsonNode v, String where) {
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new BadArgumentException(where + ": 'metadata' must be an object, got " + kind(v));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = "metadata." + e.getKey();
      JsonNode x = e.getValue();
      if (x.isArray()) {
        List<Object> list = new ArrayList<>();
        for (JsonNode el : x) {
          list.add(scalar(el, field + "[]", where));
        }
        if (!list.isEmpty()) {
          out.put(e.getKey(), List.copyOf(list));
        }
      } else if (!x.isNull()) {
        out.put(e.getKey(), scalar(x, field, where));
      }
    }
    return out;
  }

  /**
   * A metadata patch: {@code {"field": value, "other": null}}; a value is read as on ingest (a
   * scalar or a list of them), null (or an empty list) removes the field. Keys keep their order.
   *
   * @throws IllegalArgumentException naming the field and what was wrong with it
   */
  public static Map<String, Object> metadataPatch(JsonNode v, String where) {
    if (v == null || !v.isObject()) {
      throw new BadArgumentException(
          where + ": 'metadata' must be an object of fields to set or remove, got " + kind(v));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = "metadata." + e.getKey();
      JsonNode x = e.getValue();
      if (x.isNull()) {
        out.put(e.getKey(), null);
      } else if (x.isArray()) {
        List<Object> list = new ArrayList<>();
        for (JsonNode el : x) {
          list.add(scalar(el, field + "[]", where));
        }
        out.put(e.getKey(), list.isEmpty() ? null : List.copyOf(list));
      } else {
        out.put(e.getKey(), scalar(x, field, where));
      }
    }
    return out;
  }

  private static Object scalar(JsonNode x, String field, String where) {
    if (x.isTextual()) {
      return x.asText();
    }
    if (x.isIntegralNumber() && x.canConvertToLong()) {
      return x.asLong();
    }
    if (x.isNumber()) {
      double d = x.asDouble();
      if (!Double.isFinite(d)) {
        throw new BadArgumentException(where + ": " + field + " is not finite: " + x);
      }
      return d;
    }
    if (x.isBoolean()) {
      return Boolean.toString(x.asBoolean());
    }
    throw new BadArgumentException(
        where
            + ": "
            + field
            + " must be a string, number, boolean or a list of them, got "
            + kind(x));
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
