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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Captioned images in the shape {@code bin/bindery index} reads: one JSON object per line with
 * {@code "id"}, {@code "text"} (the caption) and {@code "image"} (a path relative to the file);
 * other keys ({@code metadata}) are ignored. This is how the openclipart test split ships as
 * Bindery's demo collection ({@code models/bindery-mini/demo/manifest.jsonl}, written by {@code
 * models/bindery-mini/training/make_demo.py}).
 *
 * <p>Items: {@code img:<id>} for each image and {@code cap:<n>} for each <em>distinct</em> caption
 * (captions shared by several images are one item). Query sets: {@code text->image} (each distinct
 * caption; relevant: every image with that caption) and {@code image->text} (each image; relevant:
 * its caption among all distinct captions). Option {@code limit}: first N lines.
 */
public final class CaptionedManifestLoader implements DatasetLoader {

  @Override
  public String kind() {
    return "captioned-manifest";
  }

  @Override
  public Set<String> options() {
    return Set.of("limit");
  }

  @Override
  public EvalDataset load(Path path, Map<String, String> options) {
    DataFiles.requireFile(
        path,
        "captioned-image manifest",
        "the openclipart demo set is models/bindery-mini/demo/manifest.jsonl (rebuilt by"
            + " models/bindery-mini/training/make_demo.py); any manifest with id, text and image"
            + " per line works");
    int limit = DataFiles.intOption(options, "limit", 0);
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    ObjectMapper json = new ObjectMapper();
    Path dir = path.toAbsolutePath().getParent();
    Map<String, EvalItem> items = new LinkedHashMap<>();
    Map<String, String> captionItem = new LinkedHashMap<>(); // caption text -> cap:<n>
    Map<String, List<String>> imagesOfCaption = new LinkedHashMap<>();
    List<String> images = new ArrayList<>();
    List<EvalQuery> imageToText = new ArrayList<>();
    int read = 0;
    for (int i = 0; i < lines.size() && (limit == 0 || read < limit); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      read++;
      String where = path + " line " + (i + 1);
      JsonNode obj;
      try {
        obj = json.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            where + ": malformed JSON: " + e.getOriginalMessage(), e);
      }
      String id = field(obj, "id", where);
      String caption = field(obj, "text", where);
      Path file = dir.resolve(field(obj, "image", where));
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(where + ": image file not found: " + file);
      }
      String imgId = "img:" + id;
      if (items.put(imgId, new EvalItem(imgId, Modality.IMAGE, new ItemContent.File(file), null))
          != null) {
        throw new IllegalArgumentException(where + ": id '" + id + "' was used before");
      }
      images.add(imgId);
      String capId =
          captionItem.computeIfAbsent(
              caption,
              c -> {
                String cid = "cap:" + captionItem.size();
                items.put(cid, EvalItem.text(cid, c));
                return cid;
              });
      imagesOfCaption.computeIfAbsent(capId, k -> new ArrayList<>()).add(imgId);
      imageToText.add(new EvalQuery(imgId, items.get(imgId), Judgments.binary(List.of(capId))));
    }
    if (images.isEmpty()) {
      throw new IllegalArgumentException(path + " holds no captioned images");
    }
    List<EvalQuery> textToImage = new ArrayList<>();
    imagesOfCaption.forEach(
        (capId, imgs) ->
            textToImage.add(new EvalQuery(capId, items.get(capId), Judgments.binary(imgs))));
    Map<String, QuerySet> sets = new LinkedHashMap<>();
    sets.put("text->image", new QuerySet("text->image", images, textToImage));
    sets.put(
        "image->text",
        new QuerySet("image->text", List.copyOf(imagesOfCaption.keySet()), imageToText));
    return new EvalDataset("captioned-manifest " + path, items, sets, List.of(), List.of());
  }

  private static String field(JsonNode obj, String key, String where) {
    if (obj == null || !obj.isObject()) {
      throw new IllegalArgumentException(where + ": expected a JSON object");
    }
    JsonNode v = obj.get(key);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": '" + key + "' must be a non-empty string");
    }
    return v.asText();
  }
}
