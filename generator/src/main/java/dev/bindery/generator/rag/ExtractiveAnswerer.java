package dev.bindery.generator.rag;

import dev.bindery.generator.DeltaListener;
import dev.bindery.generator.FinishReason;
import dev.bindery.generator.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The offline answerer, used when no model endpoint is configured: it answers by extracting from
 * the retrieved items' metadata and text, cites the items it took the answer from, and says it does
 * not know when the retrieval evidence is weak. It never generates text of its own beyond the "I
 * don't know" sentence.
 *
 * <p>How it answers:
 *
 * <ol>
 *   <li><b>Evidence</b>: the first {@code evidenceDepth} retrieved items (in rank order) whose kNN
 *       similarity to the query is at least {@code minSimilarity}. Similarity is the cosine of the
 *       query vector (question text, or question image plus text) and the item vector, as the kNN
 *       leg reported it; fused RRF scores are not used because they only encode ranks. Items only
 *       the BM25 leg returned have no similarity and are not evidence. No evidence: the answer is
 *       {@code "I don't know: ..."} naming the closest item's similarity and the threshold, with no
 *       citation, and {@link AnswerDraft#abstained()} is true.
 *   <li><b>Field questions</b>: if a word of the question names a metadata field of the evidence
 *       (case-insensitive, singular or plural: "category", "keyword" for {@code keywords},
 *       "title"), the first such field in question order is answered by a similarity-weighted vote
 *       over the evidence: each item adds its similarity to each of its values (every element of a
 *       list); the value with the highest total wins (ties: alphabetical). The answer is the value
 *       followed by the ids of up to three items that have it, best first: {@code clothing [a]
 *       [c]}. This is k-nearest-neighbour classification over the collection.
 *   <li><b>Other questions</b>: the sentence (text fields split at {@code . ! ?} and line breaks,
 *       plus string metadata values) of the evidence sharing the most content words with the
 *       question (lower-cased, English stop words and question words removed, plural {@code -s}
 *       stripped); ties go to the better-ranked item, then the earlier sentence. If no sentence
 *       shares a word, the best item's first sentence. The answer is the sentence followed by its
 *       item's id.
 * </ol>
 *
 * <p>The default threshold, {@value #DEFAULT_MIN_SIMILARITY}, sits between the cosines MiniLM gives
 * a question and an item that answers it (typically 0.4 to 0.8) and a question and unrelated items
 * (typically below 0.2); calibrate it for other models. Immutable and thread-safe.
 */
public final class ExtractiveAnswerer implements Answerer {
  /** Default evidence threshold on the kNN cosine similarity. */
  public static final double DEFAULT_MIN_SIMILARITY = 0.3;

  /** Default number of top items that may serve as evidence. */
  public static final int DEFAULT_EVIDENCE_DEPTH = 5;

  /** What {@link #describe()} returns. */
  public static final String NAME = "extractive";

  private static final int MAX_CITED = 3;
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\s*[\\r\\n]+\\s*");

  /** Lucene's English stop words plus question words and words every caption question has. */
  private static final Set<String> STOP_WORDS =
      Set.of(
          "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
          "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
          "these", "they", "this", "to", "was", "will", "with", "what", "which", "who", "whom",
          "whose", "where", "when", "why", "how", "do", "does", "did", "can", "could", "would",
          "should", "those", "picture", "image", "photo", "show", "shows", "shown", "me", "i",
          "you", "my", "your", "about", "any", "some", "here", "find", "give", "tell", "please",
          "item", "items", "has", "have", "had", "were", "its", "kind", "one");

  private final double minSimilarity;
  private final int evidenceDepth;

  /** With the default threshold and depth. */
  public ExtractiveAnswerer() {
    this(DEFAULT_MIN_SIMILARITY, DEFAULT_EVIDENCE_DEPTH);
  }

  /**
   * @param minSimilarity evidence threshold on the kNN similarity, finite, in [-1, 1]
   * @param evidenceDepth how many top items may serve as evidence, >= 1
   */
  public ExtractiveAnswerer(double minSimilarity, int evidenceDepth) {
    if (!(minSimilarity >= -1 && minSimilarity <= 1)) {
      throw new IllegalArgumentException("minSimilarity must be in [-1, 1], got " + minSimilarity);
    }
    if (evidenceDepth < 1) {
      throw new IllegalArgumentException("evidenceDepth must be >= 1, got " + evidenceDepth);
    }
    this.minSimilarity = minSimilarity;
    this.evidenceDepth = evidenceDepth;
  }

  public double minSimilarity() {
    return minSimilarity;
  }

  public int evidenceDepth() {
    return evidenceDepth;
  }

  @Override
  public String describe() {
    return NAME;
  }

  @Override
  public AnswerDraft answer(AnswerInput input, DeltaListener listener) {
    List<RetrievedItem> items = input.items();
    List<RetrievedItem> evidence = new ArrayList<>();
    for (RetrievedItem item : items) {
      if (evidence.size() == evidenceDepth) {
        break;
      }
      if (item.similarity() != null && item.similarity() >= minSimilarity) {
        evidence.add(item);
      }
    }
    List<String> read = evidence.stream().map(RetrievedItem::id).toList();
    List<String> unread =
        items.stream().map(RetrievedItem::id).filter(id -> !read.contains(id)).toList();
    int chars = evidence.stream().mapToInt(i -> ContextAssembler.render(i).length()).sum();
    ContextReport report =
        new ContextReport(read, List.of(), unread, (chars + 3) / 4, List.of(), false, List.of());

    String text;
    boolean abstained = evidence.isEmpty();
    if (abstained) {
      text = dontKnow(items);
    } else {
      List<String> words = words(input.question());
      String field = askedField(words, evidence);
      text = field != null ? vote(field, evidence) : bestSentence(words, evidence);
    }
    listener.onDelta(text);
    return new AnswerDraft(text, abstained, FinishReason.NONE, Usage.UNKNOWN, report);
  }

  private String dontKnow(List<RetrievedItem> items) {
    RetrievedItem closest = null;
    for (RetrievedItem i : items) {
      if (i.similarity() != null && (closest == null || i.similarity() > closest.similarity())) {
        closest = i;
      }
    }
    if (closest == null) {
      return "I don't know: nothing in the collection matched the question.";
    }
    // No brackets around the id: it must not read as a citation.
    return String.format(
        Locale.ROOT,
        "I don't know: the closest item, '%s', has similarity %.3f, below the evidence threshold"
            + " %.3f.",
        closest.id(),
        closest.similarity(),
        minSimilarity);
  }

  /** The first metadata field of the evidence that a question word names, or null. */
  static String askedField(List<String> questionWords, List<RetrievedItem> evidence) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (RetrievedItem item : evidence) {
      for (String key : item.metadata().keySet()) {
        if (ContextAssembler.bookkeeping(key)) {
          continue;
        }
        fields.putIfAbsent(key.toLowerCase(Locale.ROOT), key);
      }
    }
    for (String w : questionWords) {
      for (Map.Entry<String, String> f : fields.entrySet()) {
        String k = f.getKey();
        if (w.equals(k) || (w + "s").equals(k) || w.equals(k + "s") || (w + "es").equals(k)) {
          return f.getValue();
        }
      }
    }
    return null;
  }

  /** The similarity-weighted vote over the evidence's values of {@code field}. */
  private static String vote(String field, List<RetrievedItem> evidence) {
    Map<String, Double> score = new LinkedHashMap<>();
    Map<String, String> display = new LinkedHashMap<>();
    Map<String, List<String>> support = new LinkedHashMap<>();
    for (RetrievedItem item : evidence) {
      Object v = item.metadata().get(field);
      if (v == null) {
        continue;
      }
      List<?> values = v instanceof List<?> l ? l : List.of(v);
      Set<String> seen = new LinkedHashSet<>();
      for (Object o : values) {
        String s = String.valueOf(o).strip();
        String key = s.toLowerCase(Locale.ROOT);
        if (s.isEmpty() || !seen.add(key)) {
          continue;
        }
        score.merge(key, item.similarity(), Double::sum);
        display.putIfAbsent(key, s);
        support.computeIfAbsent(key, x -> new ArrayList<>()).add(item.id());
      }
    }
    String best = null;
    for (Map.Entry<String, Double> e : score.entrySet()) {
      if (best == null
          || e.getValue() > score.get(best)
          || (e.getValue().equals(score.get(best)) && e.getKey().compareTo(best) < 0)) {
        best = e.getKey();
      }
    }
    StringBuilder sb = new StringBuilder(display.get(best));
    List<String> ids = support.get(best);
    for (int i = 0; i < ids.size() && i < MAX_CITED; i++) {
      sb.append(" [").append(ids.get(i)).append(']');
    }
    return sb.toString();
  }

  /** The evidence sentence sharing the most content words with the question, with its id. */
  private static String bestSentence(List<String> questionWords, List<RetrievedItem> evidence) {
    Set<String> q = contentStems(questionWords);
    String best = null;
    String bestId = null;
    int bestOverlap = -1;
    for (RetrievedItem item : evidence) {
      for (String s : sentences(item)) {
        Set<String> stems = contentStems(words(s));
        stems.retainAll(q);
        // Strictly more: ties keep the better-ranked item's earlier sentence.
        if (stems.size() > bestOverlap) {
          bestOverlap = stems.size();
          best = s;
          bestId = item.id();
        }
      }
    }
    if (best == null) {
      RetrievedItem top = evidence.get(0);
      String meta = ContextAssembler.metadataLine(top.metadata());
      best = meta.isEmpty() ? top.modality() + " item" : meta;
      bestId = top.id();
    }
    return best + " [" + bestId + "]";
  }

  /** Candidate sentences of an item: its text fields' sentences, then its string metadata. */
  static List<String> sentences(RetrievedItem item) {
    List<String> out = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    String main = item.text().get("text");
    if (main != null) {
      texts.add(main);
    }
    item.text().entrySet().stream()
        .filter(e -> !e.getKey().equals("text"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> texts.add(e.getValue()));
    for (String t : texts) {
      for (String s : SENTENCE_END.split(t.strip())) {
        if (!s.isBlank()) {
          out.add(s.strip());
        }
      }
    }
    for (Map.Entry<String, Object> e : item.metadata().entrySet()) {
      if (e.getValue() instanceof String s
          && !s.isBlank()
          && !ContextAssembler.bookkeeping(e.getKey())) {
        out.add(s.strip());
      }
    }
    return out;
  }

  /** Lower-cased words of a text, in order. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    var m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** Words minus stop words, with a light plural stemmer. */
  static Set<String> contentStems(List<String> words) {
    Set<String> out = new LinkedHashSet<>();
    for (String w : words) {
      if (!STOP_WORDS.contains(w)) {
        out.add(stem(w));
      }
    }
    return out;
  }

  static String stem(String w) {
    if (w.length() > 4 && w.endsWith("ies")) {
      return w.substring(0, w.length() - 3) + "y";
    }
    if (w.length() > 4
        && (w.endsWith("sses") || w.endsWith("xes") || w.endsWith("ches") || w.endsWith("shes"))) {
      return w.substring(0, w.length() - 2);
    }
    if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) {
      return w.substring(0, w.length() - 1);
    }
    return w;
  }

  @Override
  public String toString() {
    return "ExtractiveAnswerer[minSimilarity="
        + minSimilarity
        + ", evidenceDepth="
        + evidenceDepth
        + "]";
  }
}
