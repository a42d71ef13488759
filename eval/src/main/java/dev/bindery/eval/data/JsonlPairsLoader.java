package dev.bindery.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.Modality;
import dev.bindery.eval.metrics.Judgments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matching pairs of any two modalities, one JSON object per line: {@code {"id": "optional", "a":
 * {"text": "..."}, "b": {"image": "cat.png"}}}; each side has exactly one of {@code text}, {@code
 * image}, {@code audio}, {@code video} (paths relative to the JSONL file). Items are {@code a:<id>}
 * and {@code b:<id>} (the id defaults to the line number). Query sets {@code a->b} (each a finds
 * its b among all b's) and {@code b->a}. Blank lines are skipped.
 */
public final class JsonlPairsLoader implements DatasetLoader {

  private static final List<String> SIDES = List.of("text", "image", "audio", "video");

  @Override
  public String kind() {
    return "jsonl-pairs";
  }

  @Override
  public Set<String> options() {
    return Set.of();
  }

  @Override
  public EvalDataset load(Path path, Map<String, String> options) {
    DataFiles.requireFile(
        path,
        "JSONL pairs file",
        "write one pair per line: {\"a\": {\"text\": \"...\"}, \"b\": {\"image\": \"path\"}}");
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    ObjectMapper json = new ObjectMapper();
    Path dir = path.toAbsolutePath().getParent();
    Map<String, EvalItem> items = new LinkedHashMap<>();
    List<String> as = new ArrayList<>();
    List<String> bs = new ArrayList<>();
    List<EvalQuery> aToB = new ArrayList<>();
    List<EvalQuery> bToA = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int lineNo = i + 1;
      JsonNode obj;
      try {
        obj = json.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "malformed JSON in " + path + " at line " + lineNo + ": " + e.getOriginalMessage(), e);
      }
      if (obj == null || !obj.isObject()) {
        throw new IllegalArgumentException(path + " line " + lineNo + ": expected a JSON object");
      }
      String id = obj.hasNonNull("id") ? obj.get("id").asText() : Integer.toString(lineNo);
      EvalItem a = side(path, lineNo, dir, obj, "a", "a:" + id);
      EvalItem b = side(path, lineNo, dir, obj, "b", "b:" + id);
      for (EvalItem item : List.of(a, b)) {
        if (items.put(item.id(), item) != null) {
          throw new IllegalArgumentException(
              path + " line " + lineNo + ": id '" + id + "' was used before");
        }
      }
      as.add(a.id());
      bs.add(b.id());
      aToB.add(new EvalQuery(a.id(), a, Judgments.binary(List.of(b.id()))));
      bToA.add(new EvalQuery(b.id(), b, Judgments.binary(List.of(a.id()))));
    }
    if (as.isEmpty()) {
      throw new IllegalArgumentException(path + " holds no pairs");
    }
    Map<String, QuerySet> sets = new LinkedHashMap<>();
    sets.put("a->b", new QuerySet("a->b", bs, aToB));
    sets.put("b->a", new QuerySet("b->a", as, bToA));
    return new EvalDataset("jsonl-pairs " + path, items, sets, List.of(), List.of());
  }

  private static EvalItem side(
      Path path, int lineNo, Path dir, JsonNode obj, String side, String id) {
    JsonNode node = obj.get(side);
    String where = path + " line " + lineNo + ", \"" + side + "\"";
    if (node == null || !node.isObject() || node.size() != 1) {
      throw new IllegalArgumentException(
          where + ": expected an object with exactly one of " + SIDES + ", got " + node);
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    Map.Entry<String, JsonNode> e = it.next();
    if (!SIDES.contains(e.getKey()) || !e.getValue().isTextual()) {
      throw new IllegalArgumentException(
          where + ": expected one of " + SIDES + " with a string, got " + node);
    }
    String value = e.getValue().asText();
    if (e.getKey().equals("text")) {
      return EvalItem.text(id, value);
    }
    Path file = dir.resolve(value);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(where + ": " + e.getKey() + " file not found: " + file);
    }
    return new EvalItem(id, Modality.fromName(e.getKey()), new ItemContent.File(file), null);
  }
}
