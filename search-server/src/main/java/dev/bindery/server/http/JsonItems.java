package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.DataUrl;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.fusion.ingest.ItemSpec;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Item;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a JSON items body (one item, or {@code {"items": [...]}}) into embedded items through the
 * {@link Ingestor}, the same path as a manifest line: every item is read and its id checked before
 * any is embedded, media come only as data: URLs, and nothing is written here.
 */
final class JsonItems {
  private final Bindery bindery;
  private final HttpIo io;
  private final DecodeGate decodes;

  JsonItems(Bindery bindery, HttpIo io, DecodeGate decodes) {
    this.bindery = bindery;
    this.io = io;
    this.decodes = decodes;
  }

  /** The items of {@code body}, embedded for {@code collection}. */
  List<Item> read(String collection, byte[] body) {
    JsonNode tree = io.json().readTree(body, "request body");
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
      ItemIds.checkWrite(spec.id(), where);
      if (!seen.add(spec.id())) {
        throw new BadArgumentException(where + ": id '" + spec.id() + "' appears twice");
      }
      if (spec.media() != null && !isDataUrl(spec.media())) {
        // A path or a remote URL: refused now with the parser's words, a 400 (the request is
        // wrong) rather than the ingestor's 422. A data URL is parsed once, by the ingestor.
        DataUrl.parse(spec.media(), where + "." + spec.mediaKind());
      }
      specs.add(spec);
    }
    Ingestor ingestor = new Ingestor(bindery, collection, IngestOptions.noFiles(io.maxBodyBytes()));
    List<Item> items = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      ItemSpec spec = specs.get(i);
      String where = (prefix == null ? "item" : prefix + "[" + i + "]") + " ('" + spec.id() + "')";
      items.add(embed(ingestor, spec, where));
    }
    return items;
  }

  /**
   * One item through the ingestor. Its data URL's refusals (malformed, bad base64, another
   * modality's type) are {@link BadArgumentException}s: the request is wrong, 400 naming the item.
   * Any other refusal is about the content (a picture that does not decode, a modality the
   * collection has no tower for): 422.
   */
  private Item embed(Ingestor ingestor, ItemSpec spec, String where) {
    try {
      return spec.media() == null
          ? ingestor.toItem(spec)
          : decodes.run(where, () -> ingestor.toItem(spec));
    } catch (IllegalArgumentException e) {
      if (e.getClass() == BadArgumentException.class) {
        throw new BadArgumentException(where + ": " + e.getMessage(), e);
      }
      throw ProblemMapper.unprocessable(where + " cannot be ingested", e);
    }
  }

  private static boolean isDataUrl(String ref) {
    return ref.regionMatches(true, 0, "data:", 0, 5);
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
