package dev.bindery.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.Modality;
import dev.bindery.eval.metrics.Judgments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * COCO and Flickr30k captions in Karpathy's split files ({@code dataset_coco.json}, {@code
 * dataset_flickr30k.json}): {@code {"images": [{"filename", "filepath" (COCO only), "split",
 * "imgid", "sentences": [{"raw", "sentid"}]}]}}.
 *
 * <p>Items: {@code img:<imgid>} (the image file at {@code images/filepath/filename}) and {@code
 * sent:<sentid>} (the raw caption). Query sets: {@code text->image} (each caption finds its image)
 * and {@code image->text} (each image finds its captions, usually 5). Options: {@code split}
 * ({@code test} by default; {@code train}, {@code val}, {@code restval} or {@code all}), {@code
 * images} (image root, default the JSON file's folder), {@code limit} (first N images).
 */
public final class KarpathySplitLoader implements DatasetLoader {

  static final String HOW_TO_GET =
      "download caption_datasets.zip from"
          + " https://cs.stanford.edu/people/karpathy/deepimagesent/caption_datasets.zip and unzip"
          + " dataset_coco.json or dataset_flickr30k.json; the images come from"
          + " https://cocodataset.org (train2014/val2014) or the Flickr30k site";

  @Override
  public String kind() {
    return "karpathy";
  }

  @Override
  public Set<String> options() {
    return Set.of("split", "images", "limit");
  }

  @Override
  public EvalDataset load(Path path, Map<String, String> options) {
    DataFiles.requireFile(path, "Karpathy split file", HOW_TO_GET);
    String split = options.getOrDefault("split", "test");
    if (!Set.of("train", "val", "test", "restval", "all").contains(split)) {
      throw new IllegalArgumentException(
          "option split must be train, val, test, restval or all, got '" + split + "'");
    }
    Path root =
        options.containsKey("images")
            ? Path.of(options.get("images"))
            : path.toAbsolutePath().getParent();
    int limit = DataFiles.intOption(options, "limit", Integer.MAX_VALUE);
    JsonNode tree;
    try {
      tree = new ObjectMapper().readTree(path.toFile());
    } catch (JsonProcessingException e) {
      throw DataFiles.malformedJson(path, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    JsonNode images = tree.path("images");
    if (!images.isArray()) {
      throw new IllegalArgumentException(
          path + ": expected {\"images\": [...]} (a Karpathy split file), found no images array");
    }
    Map<String, EvalItem> items = new LinkedHashMap<>();
    List<String> imageIds = new ArrayList<>();
    List<String> sentenceIds = new ArrayList<>();
    List<EvalQuery> textToImage = new ArrayList<>();
    List<EvalQuery> imageToText = new ArrayList<>();
    List<Path> missing = new ArrayList<>();
    int n = 0;
    for (JsonNode img : images) {
      if (!split.equals("all") && !split.equals(img.path("split").asText())) {
        continue;
      }
      if (n++ >= limit) {
        break;
      }
      String filename = required(path, img, "filename", n);
      String imageId = "img:" + (img.has("imgid") ? img.get("imgid").asText() : filename);
      Path file =
          img.hasNonNull("filepath")
              ? root.resolve(img.get("filepath").asText()).resolve(filename)
              : root.resolve(filename);
      if (!Files.isRegularFile(file)) {
        missing.add(file);
      }
      put(items, new EvalItem(imageId, Modality.IMAGE, new ItemContent.File(file), null), path);
      imageIds.add(imageId);
      List<String> mine = new ArrayList<>();
      int s = 0;
      for (JsonNode sent : img.path("sentences")) {
        String raw = sent.path("raw").asText(null);
        if (raw == null) {
          throw new IllegalArgumentException(
              path + ": image " + filename + ", sentence " + s + " has no \"raw\" text");
        }
        String sentId =
            "sent:" + (sent.has("sentid") ? sent.get("sentid").asText() : filename + "#" + s);
        s++;
        EvalItem text = EvalItem.text(sentId, raw.strip());
        put(items, text, path);
        sentenceIds.add(sentId);
        mine.add(sentId);
        textToImage.add(new EvalQuery(sentId, text, Judgments.binary(List.of(imageId))));
      }
      if (mine.isEmpty()) {
        throw new IllegalArgumentException(path + ": image " + filename + " has no sentences");
      }
      imageToText.add(new EvalQuery(imageId, items.get(imageId), Judgments.binary(mine)));
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          missing.size()
              + " image file(s) of "
              + path
              + " not found under "
              + root
              + ", e.g. "
              + missing.get(0)
              + "; set the images option to the image root; "
              + HOW_TO_GET);
    }
    if (imageIds.isEmpty()) {
      throw new IllegalArgumentException(path + " has no images in split '" + split + "'");
    }
    Map<String, QuerySet> sets = new LinkedHashMap<>();
    sets.put("text->image", new QuerySet("text->image", imageIds, textToImage));
    sets.put("image->text", new QuerySet("image->text", sentenceIds, imageToText));
    return new EvalDataset(
        "karpathy " + path + " (" + split + ")", items, sets, List.of(), List.of());
  }

  private static String required(Path path, JsonNode img, String field, int n) {
    JsonNode v = img.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(
          path + ": image entry " + n + " has no \"" + field + "\" string");
    }
    return v.asText();
  }

  private static void put(Map<String, EvalItem> items, EvalItem item, Path path) {
    if (items.put(item.id(), item) != null) {
      throw new IllegalArgumentException(path + ": id '" + item.id() + "' appears twice");
    }
  }
}
