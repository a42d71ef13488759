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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Captioned images in the shape {@code bin/bindery index} reads: one JSON object per line with
 * {@code "id"}, {@code "text"} (the caption) and {@code "image"} (a path relative to the file);
 * other keys ({@code metadata}) are ignored. This is how the openclipart, Tux Paint and emoji test
 * splits ship as Bindery's demo collection ({@code models/bindery-mini/demo/manifest.jsonl},
 * written by {@code models/bindery-mini/training/make_demo.py}).
 *
 * <p>Items: {@code img:<id>} for each image and {@code cap:<n>} for each <em>distinct</em> caption
 * (captions shared by several images are one item). Query sets: {@code text->image} (each distinct
 * caption; relevant: every image with that caption) and {@code image->text} (each image; relevant:
 * its caption among all distinct captions). Option {@code limit}: first N lines.
 *
 * <p>Option {@code words} (comma-separated nouns) adds the query set {@code word->image}, the
 * "everyday words" probe: each word is typed as {@code "a <word>"}; relevant are the images whose
 * {@code metadata.title} or {@code metadata.keywords} contain the word as a whole word (or its
 * plural with "s"/"es"), case-insensitively. Words that no image holds are not queries (the set
 * counts only the answerable words); {@code success@5} is then the share of words that find a
 * matching picture in the top 5.
 */
public final class CaptionedManifestLoader implements DatasetLoader {

  @Override
  public String kind() {
    return "captioned-manifest";
  }

  @Override
  public Set<String> options() {
    return Set.of("limit", "words");
  }

  @Override
  public EvalDataset load(Path path, Map<String, String> options) {
    DataFiles.requireFile(
        path,
        "captioned-image manifest",
        "the demo set is models/bindery-mini/demo/manifest.jsonl, per source tests/*.jsonl (rebuilt by"
            + " models/bindery-mini/training/make_demo.py); any manifest with id, text and image"
            + " per line works");
    int limit = DataFiles.intOption(options, "limit", 0);
    List<String> words = words(options.get("words"));
    Map<String, String> imageText = new LinkedHashMap<>(); // img id -> title and keywords
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
      imageText.put(imgId, titleAndKeywords(obj));
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
    if (!words.isEmpty()) {
      List<EvalQuery> wordQueries = new ArrayList<>();
      for (String word : words) {
        Pattern p =
            Pattern.compile(
                "(^|[^\\p{L}\\p{N}])" + Pattern.quote(word) + "(e?s)?($|[^\\p{L}\\p{N}])");
        List<String> relevant = new ArrayList<>();
        imageText.forEach(
            (imgId, text) -> {
              if (p.matcher(text).find()) {
                relevant.add(imgId);
              }
            });
        if (!relevant.isEmpty()) {
          String qid = "word:" + word;
          EvalItem query = EvalItem.text(qid, "a " + word);
          items.put(qid, query);
          wordQueries.add(new EvalQuery(qid, query, Judgments.binary(relevant)));
        }
      }
      if (wordQueries.isEmpty()) {
        throw new IllegalArgumentException(
            path + ": none of the " + words.size() + " words is in a title or keywords");
      }
      sets.put("word->image", new QuerySet("word->image", images, wordQueries));
    }
    return new EvalDataset("captioned-manifest " + path, items, sets, List.of(), List.of());
  }

  private static List<String> words(String option) {
    if (option == null || option.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String w : option.split(",")) {
      String t = w.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        throw new IllegalArgumentException("option words: empty word in '" + option + "'");
      }
      if (out.contains(t)) {
        throw new IllegalArgumentException("option words: '" + t + "' is listed twice");
      }
      out.add(t);
    }
    return out;
  }

  /** Lower-cased metadata.title and metadata.keywords, space-separated ("" when absent). */
  private static String titleAndKeywords(JsonNode obj) {
    StringBuilder sb = new StringBuilder();
    JsonNode meta = obj.get("metadata");
    if (meta != null && meta.isObject()) {
      JsonNode title = meta.get("title");
      if (title != null && title.isTextual()) {
        sb.append(title.asText());
      }
      JsonNode kws = meta.get("keywords");
      if (kws != null && kws.isArray()) {
        for (JsonNode k : kws) {
          sb.append(" | ").append(k.asText());
        }
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
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
