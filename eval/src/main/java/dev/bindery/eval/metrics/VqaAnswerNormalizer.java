package dev.bindery.eval.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer normalization of the official VQA evaluation (VQAv2, {@code vqaEval.py}): newlines and
 * tabs to spaces and trimmed; punctuation removed or turned into spaces; periods not followed by a
 * digit removed; then word by word: lower-cased, number words {@code none, zero..ten} to digits,
 * the articles {@code a, an, the} dropped, contractions written without an apostrophe restored
 * ({@code dont} to {@code don't}) from the published table; words joined by one space.
 *
 * <p>Two quirks of the published code are kept on purpose so that scores match it: whether a
 * punctuation mark is deleted or becomes a space is decided once for the whole answer (deleted if
 * that mark is next to a space anywhere in the answer, or the answer has a comma between digits);
 * and at most 32 periods are removed ({@code re.UNICODE} is passed where {@code re.sub} expects a
 * count). Thread-safe and immutable.
 */
public final class VqaAnswerNormalizer {

  private static final List<String> PUNCTUATION =
      List.of(
          ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@",
          "`", ",", "?", "!");
  private static final Pattern COMMA_BETWEEN_DIGITS = Pattern.compile("(\\d)(,)(\\d)");
  private static final Pattern PERIOD_NOT_BEFORE_DIGIT = Pattern.compile("\\.(?!\\d)");
  private static final int MAX_PERIODS_REMOVED = 32;
  private static final Map<String, String> NUMBER_WORDS =
      Map.ofEntries(
          Map.entry("none", "0"),
          Map.entry("zero", "0"),
          Map.entry("one", "1"),
          Map.entry("two", "2"),
          Map.entry("three", "3"),
          Map.entry("four", "4"),
          Map.entry("five", "5"),
          Map.entry("six", "6"),
          Map.entry("seven", "7"),
          Map.entry("eight", "8"),
          Map.entry("nine", "9"),
          Map.entry("ten", "10"));
  private static final List<String> ARTICLES = List.of("a", "an", "the");

  private final Map<String, String> contractions;

  /** Reads the published contraction table from this module's resources. */
  public VqaAnswerNormalizer() {
    this.contractions = readContractions();
  }

  /** The normalized form of an answer. */
  public String normalize(String answer) {
    String text = answer.replace('\n', ' ').replace('\t', ' ').strip();
    return digitsArticlesContractions(punctuation(text));
  }

  /** The number of entries of the contraction table (120 as published). */
  public int contractionCount() {
    return contractions.size();
  }

  private static String punctuation(String in) {
    boolean digitComma = COMMA_BETWEEN_DIGITS.matcher(in).find();
    String out = in;
    for (String p : PUNCTUATION) {
      // Decided on the original text, not on what earlier marks left: as published.
      if (in.contains(p + " ") || in.contains(" " + p) || digitComma) {
        out = out.replace(p, "");
      } else {
        out = out.replace(p, " ");
      }
    }
    Matcher m = PERIOD_NOT_BEFORE_DIGIT.matcher(out);
    StringBuilder sb = new StringBuilder();
    int removed = 0;
    while (removed < MAX_PERIODS_REMOVED && m.find()) {
      m.appendReplacement(sb, "");
      removed++;
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private String digitsArticlesContractions(String in) {
    List<String> words = new ArrayList<>();
    for (String w : in.toLowerCase(java.util.Locale.ROOT).split("\\s+")) {
      if (w.isEmpty()) {
        continue;
      }
      String word = NUMBER_WORDS.getOrDefault(w, w);
      if (!ARTICLES.contains(word)) {
        words.add(contractions.getOrDefault(word, word));
      }
    }
    return String.join(" ", words);
  }

  private static Map<String, String> readContractions() {
    String name = "vqa-contractions.tsv";
    Map<String, String> map = new HashMap<>();
    try (InputStream in = VqaAnswerNormalizer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] kv = line.split("\t");
        if (kv.length != 2) {
          throw new IllegalStateException(name + ": bad line '" + line + "'");
        }
        map.put(kv[0], kv[1]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
    return Map.copyOf(map);
  }
}
