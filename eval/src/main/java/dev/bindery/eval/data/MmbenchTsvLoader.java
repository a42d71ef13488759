package dev.bindery.eval.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.bindery.encoders.Modality;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MMBench multiple-choice questions from its TSV release ({@code MMBench_DEV_EN.tsv} and friends):
 * a header row, then one question per row with the columns {@code index, question, hint, A, B, C,
 * D, answer, category} and the image as base64 in {@code image}. Options are the letter columns
 * from A on that are present and not empty ({@code nan} counts as empty, as pandas writes it). As
 * in the MMBench toolkit, an {@code image} cell that holds only digits names the row whose image it
 * shares. Fields may be quoted with {@code "} (pandas' minimal quoting).
 *
 * <p>Items: {@code img:<index>} (the decoded image). Questions: one {@link ChoiceQuestion} per row;
 * CircularEval rotates their options itself, so use the non-circular files (or rows with index
 * below 1,000,000, which is how the circular files mark the originals).
 */
public final class MmbenchTsvLoader implements DatasetLoader {

  private static final String HOW_TO_GET =
      "download MMBench_DEV_EN.tsv from the MMBench project"
          + " (https://github.com/open-compass/MMBench) on a machine with internet access";

  @Override
  public String kind() {
    return "mmbench-tsv";
  }

  @Override
  public Set<String> options() {
    return Set.of();
  }

  @Override
  public EvalDataset load(Path path, Map<String, String> options) {
    DataFiles.requireFile(path, "MMBench TSV file", HOW_TO_GET);
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    List<List<String>> rows = parse(path, text);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(path + " is empty; expected a header row");
    }
    List<String> header = rows.get(0);
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      col.put(header.get(i).strip(), i);
    }
    for (String required : List.of("index", "question", "A", "B", "answer", "image")) {
      if (!col.containsKey(required)) {
        throw new IllegalArgumentException(
            path + ": header has no '" + required + "' column; it has " + header);
      }
    }
    Map<String, String> imageByIndex = new HashMap<>();
    for (int r = 1; r < rows.size(); r++) {
      imageByIndex.put(cell(rows.get(r), col, "index"), cell(rows.get(r), col, "image"));
    }
    Map<String, EvalItem> items = new LinkedHashMap<>();
    List<ChoiceQuestion> questions = new ArrayList<>();
    for (int r = 1; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      String where = path + " row " + (r + 1);
      if (row.size() != header.size()) {
        throw new IllegalArgumentException(
            where + ": " + row.size() + " fields, the header has " + header.size());
      }
      String index = cell(row, col, "index");
      List<String> choices = new ArrayList<>();
      for (char letter = 'A'; letter <= 'Z' && col.containsKey(String.valueOf(letter)); letter++) {
        String o = cell(row, col, String.valueOf(letter));
        if (o == null) {
          break;
        }
        choices.add(o);
      }
      String answer = cell(row, col, "answer");
      if (answer == null
          || answer.length() != 1
          || answer.charAt(0) - 'A' >= choices.size()
          || answer.charAt(0) < 'A') {
        throw new IllegalArgumentException(
            where
                + " (index "
                + index
                + "): answer '"
                + answer
                + "' is not one of the "
                + choices.size()
                + " options' letters");
      }
      String image = cell(row, col, "image");
      String source = index;
      if (image != null && image.length() <= 64 && image.chars().allMatch(Character::isDigit)) {
        source = image;
        image = imageByIndex.get(image);
      }
      if (image == null) {
        throw new IllegalArgumentException(where + " (index " + index + "): no image");
      }
      String imageId = "img:" + source;
      if (!items.containsKey(imageId)) {
        byte[] bytes;
        try {
          bytes = Base64.getMimeDecoder().decode(image);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              where + " (index " + index + "): image is not base64: " + e.getMessage(), e);
        }
        items.put(
            imageId,
            new EvalItem(
                imageId,
                Modality.IMAGE,
                new ItemContent.EncodedImage(bytes, path.getFileName() + "#" + source),
                null));
      }
      questions.add(
          new ChoiceQuestion(
              index,
              cell(row, col, "question"),
              col.containsKey("hint") ? cell(row, col, "hint") : null,
              choices,
              answer.charAt(0) - 'A',
              col.containsKey("category") ? cell(row, col, "category") : null,
              imageId));
    }
    return new EvalDataset("mmbench-tsv " + path, items, Map.of(), List.of(), questions);
  }

  private static String cell(List<String> row, Map<String, Integer> col, String name) {
    int i = col.get(name);
    if (i >= row.size()) {
      return null;
    }
    String v = row.get(i);
    return v.isEmpty() || v.equals("nan") ? null : v;
  }

  private static final CsvMapper CSV = new CsvMapper();

  /**
   * Tab-separated rows, read by Jackson's CSV parser with a tab as the separator: a field starting
   * with a quote runs to the closing quote ({@code ""} escapes one), empty lines are skipped.
   */
  static List<List<String>> parse(Path path, String text) {
    List<List<String>> rows = new ArrayList<>();
    try (CsvParser p = (CsvParser) CSV.getFactory().createParser(text)) {
      p.setSchema(CsvSchema.emptySchema().withColumnSeparator('\t'));
      p.enable(CsvParser.Feature.WRAP_AS_ARRAY);
      p.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
      try {
        // WRAP_AS_ARRAY: the input is one array of rows, each row an array of strings.
        if (p.nextToken() != JsonToken.START_ARRAY) {
          return rows; // no input at all
        }
        List<String> row = null;
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t == JsonToken.START_ARRAY) {
            row = new ArrayList<>();
          } else if (t == JsonToken.VALUE_STRING && row != null) {
            row.add(p.getText());
          } else if (t == JsonToken.END_ARRAY && row != null) {
            if (!(row.size() == 1 && row.get(0).isEmpty())) {
              rows.add(row); // an empty line is no row
            }
            row = null;
          } else if (t == JsonToken.END_ARRAY) {
            break; // the end of the input
          } else {
            throw new IllegalStateException(path + ": unexpected CSV token " + t);
          }
        }
      } catch (StreamReadException e) {
        JsonLocation at = p.currentTokenLocation();
        long offset = at.getCharOffset();
        if (offset >= 0
            && offset < text.length()
            && text.charAt((int) offset) == '"'
            && text.substring((int) offset + 1).replace("\"\"", "").indexOf('"') < 0) {
          // The failing field opens with a quote and every quote after it is an escaped pair:
          // nothing closes it.
          throw new IllegalArgumentException(
              path + ": quoted field opened at line " + at.getLineNr() + " is never closed", e);
        }
        throw new IllegalArgumentException(
            path
                + ": not valid TSV at line "
                + at.getLineNr()
                + ", column "
                + at.getColumnNr()
                + ": "
                + e.getOriginalMessage(),
            e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    return rows;
  }
}
